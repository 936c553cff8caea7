#include "core/node/node.h"

#include <algorithm>

#include "base/check.h"
#include "core/wire/codec.h"

namespace tempus::core::node {

using assoc::AssocAction;
using assoc::AssocActions;
using assoc::Association;
using assoc::BecameReachable;
using assoc::BecameUnreachable;
using assoc::Demobilize;
using assoc::NewMeasurement;
using assoc::SendRequest;
using assoc::SetTimer;
using discipline::ClockCommand;
using discipline::StepClock;

RefId AddressRefId(const NetAddress& address, const NodeConfig& node) {
  if (address.is_v4()) return RefId::FromIPv4(address);
  TEMPUS_CHECK(node.ipv6_refid != nullptr);
  return node.ipv6_refid(address);
}

namespace {

system::SystemConfig WithSelf(system::SystemConfig config, const NodeConfig& node, int precision) {
  if (node.self_address) config.self_id = AddressRefId(*node.self_address, node);
  for (const NetAddress& a : node.own_addresses) {
    // A loopback refid is every host's: a source reporting one is not known to follow us.
    if (a.family() != NetAddress::Family::kNone && !a.IsLoopback()) config.own_ids.push_back(AddressRefId(a, node));
  }
  config.precision = static_cast<int8_t>(precision);
  return config;
}

// The rate limiter's hash key is drawn only when there are restrict rules, so that runs without
// access control replay the same random sequence as before.
uint64_t LimiterKey(const server::AccessPolicy& access, Random& random) {
  return access.restricts.empty() ? 0 : random.NextU64();
}

}  // namespace

Node::Node(const NodeConfig& config, Random& random, const Authenticator* auth, int precision_log2, MonoTime start)
    : config_(config),
      random_(random),
      auth_(auth),
      precision_log2_(precision_log2),
      system_(WithSelf(config.system, config, precision_log2), start),
      now_{start, UnixTime()},
      start_(start),
      server_(config.access, LimiterKey(config.access, random)),
      control_(control::ControlConfig{config.control, config.control_from_any, config.control_limit},
               server_.rate_limiter().hash_key()) {
  for (const auto& source : config_.sources) {
    if (auto r = Mobilize(next_id_++, source); !r) rejected_.push_back(r.error());
  }
  // The local clock is shown as a source, with an id of the same sequence (mode 6).
  if (config_.system.local_stratum > 0) local_id_ = next_id_++;
  server_.Publish(system_.Snapshot());
}

const NodeActions& Node::Begin(Instant now) {
  actions_.clear();
  now_ = now;
  return actions_;
}

const NodeActions& Node::Start(Instant now) {
  Begin(now);
  started_ = true;
  for (const auto& c : system_.InitialCommands()) actions_.emplace_back(ApplyClock{c});
  next_tick_ = now.mono;
  for (auto& [id, a] : assocs_) {
    if (!self_.contains(id)) Carry(id, a->OnTimer(now_.mono, now_.local));
  }
  RunDue();
  return actions_;
}

const NodeActions& Node::OnTimer(Instant now) {
  Begin(now);
  RunDue();
  return actions_;
}

void Node::RunDue() {
  // Collect first: carrying actions may change deadlines_.
  std::vector<uint32_t> due;
  for (const auto& [id, t] : deadlines_) {
    if (t <= now_.mono) due.push_back(id);
  }
  for (uint32_t id : due) {
    auto it = assocs_.find(id);
    if (it == assocs_.end()) continue;
    deadlines_.erase(id);
    Carry(id, it->second->OnTimer(now_.mono, now_.local));
    UpdateQuiet(id);
  }
  if (const auto end = system_.CorrectionEnd(); end && *end <= now_.mono) Apply(system_.EndCorrection(now_.mono));
  if (now_.mono >= next_tick_) {
    next_tick_ = now_.mono + config_.tick;
    Apply(system_.OnTick(now_.mono, now_.local));
    TellRefusals(/*always=*/true);
  }
  ReapRetired();
}

// The system tick only while it has work of its own (System::TickWanted), or when a refusal line
// held back may be told; else it runs with the next poll (RunDue): an idle node wakes for its
// polls alone.
MonoTime Node::NextDeadline() const {
  std::optional<MonoTime> next;
  const auto consider = [&next](MonoTime t) {
    if (!next || t < *next) next = t;
  };
  if (system_.TickWanted(next_tick_)) consider(next_tick_);
  if (const auto due = refusal_log_.next_due()) consider(std::max(*due, next_tick_));  // a line held back
  if (const auto end = system_.CorrectionEnd()) consider(*end);
  for (const auto& [id, t] : deadlines_) consider(t);
  return next.value_or(next_tick_);
}

void Node::UpdateQuiet(uint32_t id) {
  auto it = assocs_.find(id);
  if (it == assocs_.end()) return;
  Apply(system_.SetQuiet(id, it->second->reach() != 0 && it->second->quiet(), now_.mono, now_.local));
  Apply(system_.SetAssociationRefusal(id, it->second->refusal(), now_.mono, now_.local));
}

// Every kind of AssocAction is carried (std::get_if: std::visit may throw bad_variant_access,
// which the pure core does not link; the static_assert makes a new kind fail to compile here).
void Node::Carry(uint32_t id, const AssocActions& actions) {
  static_assert(std::variant_size_v<AssocAction> == 7, "carry the new AssocAction kind here");
  for (const AssocAction& action : actions) {
    Association& assoc = *assocs_.at(id);
    if (const auto* send = std::get_if<SendRequest>(&action)) {
      actions_.emplace_back(SendPacket{send->bytes, assoc.config().address, id, assoc.config().key_id});
    } else if (const auto* timer = std::get_if<SetTimer>(&action)) {
      // The association's own deadline, not the action's: carrying an earlier action of the
      // same list (a measurement -> System -> SetStartup/SetSystemPoll) may have re-armed it
      // since, and this older SetTimer would put the poll back on the old schedule.
      deadlines_[id] = assoc.NextWake().value_or(timer->deadline);
    } else if (const auto* m = std::get_if<NewMeasurement>(&action)) {
      Apply(system_.OnMeasurement(id, m->measurement, m->received, assoc.hpoll(), now_.mono, now_.local));
    } else if (std::holds_alternative<BecameReachable>(action)) {
      Event(SourceReachable{assoc.config().address, true});
      Apply(system_.SetReachable(id, true, now_.mono, now_.local));
    } else if (std::holds_alternative<BecameUnreachable>(action)) {
      Event(SourceReachable{assoc.config().address, false});
      Apply(system_.SetReachable(id, false, now_.mono, now_.local));
    } else if (const auto* d = std::get_if<Demobilize>(&action)) {
      Event(SourceDropped{assoc.config().address, d->reason});
      system_.RemoveSource(id);
      deadlines_.erase(id);
      // A passive association that lost its peer goes once the current event is done.
      if (d->reason == KissCode::kNone) retired_.push_back(id);
    }
    // PollChanged: the System takes each source's poll with its measurements; nothing to carry.
  }
}

void Node::Apply(const system::SystemUpdate& update) {
  ReportSamples(update);
  for (const ClockCommand& c : update.commands) {
    actions_.emplace_back(ApplyClock{c});
    if (const auto* step = std::get_if<StepClock>(&c)) {
      for (auto& [id, a] : assocs_) a->OnClockStep(step->offset);
      // The host's clock moves with the command: later work of this event sees it stepped.
      now_.local = now_.local + step->offset;
      const discipline::DisciplineConfig& d = config_.system.discipline;
      const bool beyond = d.panic_threshold > NtpDuration::Zero() && step->offset.Abs() > d.panic_threshold;
      Event(ClockStepped{step->offset, beyond ? std::optional(d.panic_threshold) : std::nullopt});
    }
  }
  if (update.stepped) ++steps_;
  if (update.snapshot_changed) {
    server_.Publish(system_.Snapshot());
    if (const system::SystemSnapshot& s = system_.Snapshot(); s.synchronized() != serving_synchronized_) {
      serving_synchronized_ = s.synchronized();
      Event(ServingChanged{serving_synchronized_, s.stratum});
    }
    for (auto& [id, a] : assocs_) {
      if (a->symmetric()) a->SetSystemSnapshot(system_.Snapshot());
    }
  }
  if (stats_wanted_ && update.loop) {
    const system::LoopEvent& l = *update.loop;
    actions_.emplace_back(
        LoopStatsRecord{now_.local, l.offset, l.frequency_ppm, l.jitter, l.wander_ppm, l.poll.log2()});
  }
  for (uint32_t id : update.new_loops) {
    if (auto it = assocs_.find(id); it != assocs_.end()) {
      Event(LoopFound{it->second->config().address, self_.contains(id)});
    }
  }
  TellSystemPeer();
  TellRefusals(/*always=*/false);
  PropagatePoll();
}

void Node::TellSystemPeer() {
  if (system_.system_peer() == last_peer_ && system_.local_clock_peer() == last_local_) return;
  last_peer_ = system_.system_peer();
  last_local_ = system_.local_clock_peer();
  SystemPeerChanged e;
  if (last_peer_ && assocs_.contains(*last_peer_)) {
    e.source = assocs_.at(*last_peer_)->config().address;
  } else if (last_local_) {
    e.local_unit = config_.system.local_unit;
    e.local_stratum = config_.system.local_stratum;
  } else if (last_peer_) {
    return;  // a source that is gone already: its removal runs selection again
  } else {
    e.orphan_parent = system_.orphan_parent();
  }
  Event(e);
}

void Node::PropagatePoll() {
  const bool startup = system_.Settling();
  if (startup != startup_) {
    startup_ = startup;
    for (auto& [id, a] : assocs_) Carry(id, a->SetStartup(startup, now_.mono));
  }
  const PollExp poll = system_.RecommendedPoll();
  if (poll == system_poll_) return;
  system_poll_ = poll;
  for (auto& [id, a] : assocs_) Carry(id, a->SetSystemPoll(poll, now_.mono));
}

void Node::ReportSamples(const system::SystemUpdate& update) {
  if (!stats_wanted_ || update.peer_samples.empty()) return;
  // Stamped before the update's clock commands, when the sample was taken (as ntpd's
  // clock_filter() records it before local_clock() runs).
  const std::vector<system::SourceView> sources = system_.Sources();
  for (const system::PeerSampleEvent& e : update.peer_samples) {
    auto it = assocs_.find(e.id);
    if (it == assocs_.end()) continue;
    const report::SourceSnapshot view = SourceOf(e.id, *it->second, sources);
    const uint16_t status = control::PeerStatusWord(view, system_.system_peer() == e.id);
    actions_.emplace_back(PeerStatsRecord{now_.local, it->second->config().address, status, e.output.offset,
                                          e.output.delay, e.output.dispersion, e.output.jitter});
  }
}

}  // namespace tempus::core::node

#include "core/node/node.h"

#include <algorithm>

#include "core/wire/codec.h"
#include "core/check.h"

namespace tempus::core::node {

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

}  // namespace

Node::Node(const NodeConfig& config, Random& random, const Authenticator* auth, int precision_log2, MonoTime start)
    : config_(config),
      random_(random),
      auth_(auth),
      precision_log2_(precision_log2),
      system_(WithSelf(config.system, config, precision_log2), start),
      now_{start, UnixTime()},
      start_(start) {
  for (const auto& source : config_.sources) {
    if (auto r = Mobilize(next_id_++, source); !r) rejected_.push_back(r.error());
  }
  // The local clock is shown as a source, with an id of the same sequence (mode 6).
  if (config_.system.local_stratum > 0) local_id_ = next_id_++;
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
    if (!self_.count(id)) Carry(id, a->OnTimer(now_.mono, now_.local));
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

MonoTime Node::NextDeadline() const {
  MonoTime next = next_tick_;
  if (const auto end = system_.CorrectionEnd()) next = std::min(next, *end);
  for (const auto& [id, t] : deadlines_) next = std::min(next, t);
  return next;
}

const NodeActions& Node::OnPacket(std::span<const uint8_t> bytes, const NetAddress& from, UnixTime rx, Instant now) {
  Begin(now);
  if (bytes.empty()) return actions_;
  const Mode mode = PeekMode(bytes);
  auto it = by_address_.find(from);
  if (it == by_address_.end()) return actions_;  // not one of our sources
  const uint32_t id = it->second;
  auto a = assocs_.find(id);
  if (a == assocs_.end()) return actions_;
  const bool symmetric_packet = mode == Mode::kSymmetricActive || mode == Mode::kSymmetricPassive;
  if (symmetric_packet ? !a->second->symmetric() : mode != Mode::kServer) return actions_;
  // Test 5 (RFC 5905 §8): the MAC is checked at the edge, the association acts on the verdict.
  const std::optional<uint32_t> key = a->second->config().key_id;
  const AuthVerdict verdict = key && auth_ != nullptr ? auth_->Check(bytes, key)
                              : key                   ? AuthVerdict::kBad
                                                      : AuthVerdict::kNone;
  if (key && verdict != AuthVerdict::kOk) ++counters_.bad_auth;
  Carry(id, a->second->OnPacket(bytes, rx, now_.mono, verdict));
  UpdateQuiet(id);
  if (symmetric_packet) ReapRetired();
  return actions_;
}

Node::SymmetricRoute Node::RouteSymmetric(const NetAddress& from) const {
  auto it = by_address_.find(from);
  if (it == by_address_.end()) return SymmetricRoute::kNewPeer;
  auto a = assocs_.find(it->second);
  return a != assocs_.end() && a->second->symmetric() ? SymmetricRoute::kAssociation : SymmetricRoute::kNotSymmetric;
}

void Node::CountReceived(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  ++counters_.received;
  const int version = (bytes[0] >> 3) & 0x7;
  const int mode = bytes[0] & 0x7;
  if (version == kNtpVersion) ++counters_.this_version;
  if (version >= 1 && version < kNtpVersion) ++counters_.old_version;
  if (version == 1) {
    ++counters_.version1;
    if (mode == 3) ++counters_.version1_client;
    if (mode == 0) ++counters_.version1_zero;
    if (mode == 1) ++counters_.version1_symmetric;
  }
}

void Node::UpdateQuiet(uint32_t id) {
  auto it = assocs_.find(id);
  if (it == assocs_.end()) return;
  Apply(system_.SetQuiet(id, it->second->reach() != 0 && it->second->quiet(), now_.mono, now_.local));
  Apply(system_.SetAssociationRefusal(id, it->second->refusal(), now_.mono, now_.local));
}

void Node::Carry(uint32_t id, const AssocActions& actions) {
  for (const AssocAction& action : actions) {
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          Association& assoc = *assocs_.at(id);
          if constexpr (std::is_same_v<T, SendRequest>) {
            actions_.emplace_back(SendPacket{a.bytes, assoc.config().address, id, assoc.config().key_id});
          } else if constexpr (std::is_same_v<T, SetTimer>) {
            // The association's own deadline, not the action's: carrying an earlier action of the
            // same list (a measurement -> System -> SetStartup/SetSystemPoll) may have re-armed it
            // since, and this older SetTimer would put the poll back on the old schedule.
            deadlines_[id] = assoc.NextWake().value_or(a.deadline);
          } else if constexpr (std::is_same_v<T, NewMeasurement>) {
            Apply(system_.OnMeasurement(id, a.measurement, a.received, assoc.hpoll(), now_.mono, now_.local));
          } else if constexpr (std::is_same_v<T, BecameReachable>) {
            Event(SourceReachable{assoc.config().address, true});
            Apply(system_.SetReachable(id, true, now_.mono, now_.local));
          } else if constexpr (std::is_same_v<T, BecameUnreachable>) {
            Event(SourceReachable{assoc.config().address, false});
            Apply(system_.SetReachable(id, false, now_.mono, now_.local));
          } else if constexpr (std::is_same_v<T, Demobilize>) {
            Event(SourceDropped{assoc.config().address, a.reason});
            system_.RemoveSource(id);
            deadlines_.erase(id);
            // A passive association that lost its peer goes once the current event is done.
            if (a.reason == KissCode::kNone) retired_.push_back(id);
          } else if constexpr (std::is_same_v<T, PollChanged>) {
            // The System takes each source's poll with its measurements; nothing to carry.
          }
        },
        action);
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
    ++snapshot_serial_;
    for (auto& [id, a] : assocs_) {
      if (a->symmetric()) a->SetSystemSnapshot(system_.Snapshot());
    }
  }
  if (stats_wanted_ && update.loop) {
    const system::LoopEvent& l = *update.loop;
    actions_.emplace_back(LoopStatsRecord{now_.local, l.offset, l.frequency_ppm, l.jitter, l.wander_ppm, l.poll.log2()});
  }
  for (uint32_t id : update.new_loops) {
    if (auto it = assocs_.find(id); it != assocs_.end()) {
      Event(LoopFound{it->second->config().address, self_.count(id) > 0});
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
  if (last_peer_ && assocs_.count(*last_peer_)) {
    e.source = assocs_.at(*last_peer_)->config().address;
  } else if (last_local_) {
    e.local_unit = config_.system.local_unit;
    e.local_stratum = config_.system.local_stratum;
  } else if (last_peer_) {
    return;  // a source that is gone already: its removal runs selection again
  } else {
    e.orphan_parent = system_.orphan_parent();
  }
  Event(std::move(e));
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
    const control::PeerView view = PeerViewOf(e.id, *it->second, sources);
    const uint16_t status = control::PeerStatusWord(view, system_.system_peer() == e.id);
    actions_.emplace_back(PeerStatsRecord{now_.local, it->second->config().address, status, e.output.offset,
                                          e.output.delay, e.output.dispersion, e.output.jitter});
  }
}

}  // namespace tempus::core::node

#include "engine/node.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/control/local_clock.h"
#include "core/wire/codec.h"
#include "engine/refid.h"

namespace tempus::engine {
namespace {

core::system::SystemConfig WithSelf(core::system::SystemConfig config, const NodeConfig& node, int precision) {
  if (node.self_address) config.self_id = RefIdForAddress(*node.self_address);
  for (const core::NetAddress& a : node.own_addresses) {
    // A loopback refid is every host's: a source reporting one is not known to follow us.
    if (a.family() != core::NetAddress::Family::kNone && !a.IsLoopback()) config.own_ids.push_back(RefIdForAddress(a));
  }
  config.precision = static_cast<int8_t>(precision);
  return config;
}

}  // namespace

Node::Node(const NodeConfig& config, Clock& clock, Transport& transport, Random& random, NodeLog log)
    : config_(config),
      clock_(clock),
      transport_(transport),
      random_(random),
      log_(std::move(log)),
      system_(WithSelf(config.system, config, clock.PrecisionLog2()), clock.Mono()),
      keys_(config.keys),
      // The rate limiter's hash key is drawn only when there are restrict rules, so that runs
      // without access control replay the same random sequence as before.
      server_(clock, config.access, config.access.restricts.empty() ? 0 : random.NextU64()),
      start_(clock.Mono()),
      control_(core::control::ControlConfig{config.control, config.control_from_any, config.control_limit},
               server_.rate_limiter().hash_key()) {
  config_.keys.clear();  // the KeyRing holds them; no second copy of the secrets
  server_.SetKeys(&keys_);
  for (const auto& source : config_.sources) {
    if (auto r = Mobilize(next_id_++, source); !r) Log(r.error());
  }
  // The local clock is shown as a source, with an id of the same sequence (mode 6).
  if (config_.system.local_stratum > 0) local_id_ = next_id_++;
  server_.Publish(system_.Snapshot());
}

Result<uint32_t, std::string> Node::Mobilize(uint32_t id, const core::assoc::AssociationConfig& source) {
  auto valid = core::assoc::ValidateAssociationConfig(source);
  if (!valid) {
    return Unexpected(fmt::format("source {}: {}", source.address.ToStringWithPort(),
                           core::assoc::AssociationConfigErrorName(valid.error())));
  }
  if (by_address_.count(valid->address)) {
    return Unexpected(fmt::format("source {}: already an association", source.address.ToStringWithPort()));
  }
  if (valid->key_id && keys_.FindTrusted(*valid->key_id) == nullptr) {
    // ntpd goes on too; every reply will then fail test 5 and be counted as auth_failed.
    Log(fmt::format("source {}: key {} is {}: requests go unsigned and no reply can authenticate",
                    source.address.ToStringWithPort(), *valid->key_id,
                    keys_.Find(*valid->key_id) ? "not trusted (trustedkey)" : "not in the keys file"));
  }
  auto assoc = std::make_unique<core::assoc::Association>(*valid, random_, clock_.PrecisionLog2());
  assoc->SetSystemSnapshot(system_.Snapshot());
  assocs_.emplace(id, std::move(assoc));
  by_address_[valid->address] = id;
  // Our own address (a cluster's config copied to every node): it stays visible, but polling it
  // would only talk to ourselves, and selecting it would follow our own clock.
  const bool self = IsOwnAddress(valid->address);
  if (self) self_.insert(id);
  system_.AddSource(id, {valid->prefer, valid->noselect, valid->truechimer, self}, RefIdForAddress(valid->address));
  return id;
}

Result<uint32_t, std::string> Node::AddSource(const core::assoc::AssociationConfig& source) {
  // A configured association replaces a passive one its peer mobilized (a reload adding `peer`).
  if (auto it = by_address_.find(source.address); it != by_address_.end() && ephemeral_.count(it->second)) {
    RemoveSource(it->second);
  }
  const uint32_t id = next_id_;
  auto r = Mobilize(id, source);
  if (!r) return r;
  ++next_id_;
  if (started_ && !self_.count(id)) {
    Carry(id, assocs_.at(id)->SetSystemPoll(system_poll_, clock_.Mono()));
    Carry(id, assocs_.at(id)->SetStartup(startup_, clock_.Mono()));
    Carry(id, assocs_.at(id)->OnTimer(clock_.Mono(), clock_.Now()));
  }
  return id;
}

bool Node::RemoveSource(uint32_t id) {
  auto it = assocs_.find(id);
  if (it == assocs_.end()) return false;
  by_address_.erase(it->second->config().address);
  ephemeral_.erase(id);
  self_.erase(id);
  deadlines_.erase(id);
  system_.RemoveSource(id);
  refusal_log_.Forget(id);
  assocs_.erase(it);
  // Selection runs again without it (the system peer may have been this source).
  Apply(system_.OnTick(clock_.Mono(), clock_.Now()));
  return true;
}

void Node::SetLeapTable(std::optional<core::LeapTable> table) {
  system_.SetLeapTable(std::move(table));
  Apply(system_.OnTick(clock_.Mono(), clock_.Now()));
}

void Node::SetAccessPolicy(const core::server::AccessPolicy& access) {
  config_.access = access;
  // As at construction: the rate limiter's key is drawn once there are restrict rules.
  uint64_t key = server_.rate_limiter().hash_key();
  if (key == 0 && !access.restricts.empty()) key = random_.NextU64();
  server_.SetAccess(access, key);
}

void Node::SetKeys(std::vector<AuthKey> keys) { keys_ = KeyRing(std::move(keys)); }

void Node::SetSystemTunables(const core::system::SystemConfig& config) {
  config_.system.local_stratum = config.local_stratum;
  config_.system.local_refid = config.local_refid;
  config_.system.local_unit = config.local_unit;
  // A local clock added on reload is shown with a new id; removed and added again, with its old one.
  if (config.local_stratum > 0 && !local_id_) local_id_ = next_id_++;
  const bool reset = system_.SetTunables(config);
  core::system::SystemUpdate update = system_.OnTick(clock_.Mono(), clock_.Now());
  update.snapshot_changed |= reset;  // a fallback turned off: publish the unsynchronized snapshot
  Apply(update);
}

void Node::Log(const std::string& message) const {
  if (log_) log_(message);
}

void Node::Start() {
  started_ = true;
  for (const auto& c : system_.InitialCommands()) (void)clock_.Apply(c);
  const core::MonoTime now = clock_.Mono();
  next_tick_ = now;
  for (auto& [id, a] : assocs_) {
    if (!self_.count(id)) Carry(id, a->OnTimer(now, clock_.Now()));
  }
  OnTimer();
}

core::MonoTime Node::NextDeadline() const {
  core::MonoTime next = next_tick_;
  for (const auto& [id, t] : deadlines_) next = std::min(next, t);
  return next;
}

void Node::OnTimer() {
  const core::MonoTime now = clock_.Mono();
  // Collect first: carrying actions may change deadlines_.
  std::vector<uint32_t> due;
  for (const auto& [id, t] : deadlines_) {
    if (t <= now) due.push_back(id);
  }
  for (uint32_t id : due) {
    auto it = assocs_.find(id);
    if (it == assocs_.end()) continue;
    deadlines_.erase(id);
    Carry(id, it->second->OnTimer(now, clock_.Now()));
    UpdateQuiet(id);
  }
  if (now >= next_tick_) {
    next_tick_ = now + config_.tick;
    Apply(system_.OnTick(now, clock_.Now()));
    LogRefusals(/*always=*/true);
  }
  ReapRetired();
}

void Node::OnDatagram(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                      const std::optional<core::NetAddress>& local) {
  if (bytes.empty()) return;
  CountReceived(bytes);
  const core::Mode mode = core::PeekMode(bytes);
  if (mode == core::Mode::kControl) {
    HandleControl(bytes, from, local);
    return;
  }
  if (mode == core::Mode::kSymmetricActive || mode == core::Mode::kSymmetricPassive) {
    OnSymmetric(bytes, from, rx_realtime, local);
    ReapRetired();
    return;
  }
  if (mode == core::Mode::kServer) {
    auto it = by_address_.find(from);
    if (it == by_address_.end() || !assocs_.count(it->second)) return;  // not one of our sources
    const core::UnixTime t4 = clock_.FromKernelRealtime(rx_realtime);
    core::assoc::Association& assoc = *assocs_.at(it->second);
    // Test 5 (RFC 5905 §8): the MAC is checked here, the core acts on the verdict.
    const std::optional<uint32_t> key = assoc.config().key_id;
    const core::AuthVerdict auth = key ? keys_.Check(bytes, key) : core::AuthVerdict::kNone;
    if (key && auth != core::AuthVerdict::kOk) ++counters_.bad_auth;
    Carry(it->second, assoc.OnPacket(bytes, t4, clock_.Mono(), auth));
    UpdateQuiet(it->second);
    return;
  }
  if (!config_.serve) return;
  if (auto reply = server_.Handle(bytes, from, rx_realtime)) Reply(*reply, from, local);
}

void Node::ReapRetired() {
  std::vector<uint32_t> retired;
  retired.swap(retired_);
  for (uint32_t id : retired) RemoveSource(id);
}

void Node::UpdateQuiet(uint32_t id) {
  auto it = assocs_.find(id);
  if (it == assocs_.end()) return;
  Apply(system_.SetQuiet(id, it->second->reach() != 0 && it->second->quiet(), clock_.Mono(), clock_.Now()));
  Apply(system_.SetAssociationRefusal(id, it->second->refusal(), clock_.Mono(), clock_.Now()));
}

void Node::CountReceived(std::span<const uint8_t> bytes) { counters_.CountDatagram(bytes); }

void Node::HandleControl(std::span<const uint8_t> bytes, const core::NetAddress& from,
                         const std::optional<core::NetAddress>& local) {
  // The view is built only for a request that passed access and rate limits.
  const auto action =
      control_.Handle(bytes, from, clock_.Mono(), server_.core().restricts(), [this] { return ControlView(); });
  if (const auto* respond = std::get_if<core::control::Respond>(&action)) {
    for (const auto& datagram : respond->datagrams) Reply(datagram, from, local);
  }
}

core::control::NodeView Node::ControlView() const {
  core::control::NodeView v;
  v.system = system_.Snapshot();
  v.discipline = system_.discipline_state();
  v.system_offset = system_.offset();
  v.system_jitter = system_.jitter();
  v.refusal = system_.refusal();
  v.panic_offset = system_.panic_offset();
  if (last_peer_ && *last_peer_ <= 0xffff) v.system_peer = static_cast<uint16_t>(*last_peer_);
  const std::vector<core::system::SourceView> sources = system_.Sources();
  uint64_t accepted = 0;
  for (const auto& [id, a] : assocs_) {
    if (id > 0xffff) break;
    core::control::PeerView p = PeerViewOf(id, *a, sources);
    accepted += p.association.stats.accepted;
    v.peers.push_back(std::move(p));
  }
  if (local_id_ && *local_id_ <= 0xffff && config_.system.local_stratum > 0) {
    const auto id = static_cast<uint16_t>(*local_id_);
    const bool peer = system_.local_clock_peer();
    if (peer) v.system_peer = id;
    const core::control::LocalClockInput local{id, config_.system.local_unit, config_.system.local_stratum, peer,
                                               system_.Snapshot().precision, start_, clock_.Mono()};
    auto at = std::find_if(v.peers.begin(), v.peers.end(), [id](const auto& p) { return p.association_id > id; });
    v.peers.insert(at, core::control::LocalClockPeerView(local));
  }
  v.counters = core::control::SysStats(counters_, server_.stats(), control_.stats(), accepted);
  v.start = start_;
  v.now = clock_.Mono();
  const core::UnixTime clock_now = clock_.Now();
  v.clock_now = clock_now.ToNtp();
  if (const auto& table = system_.leap_table(); table && !table->entries.empty()) {
    v.leap_table = core::control::LeapView{core::LeapStatusAt(*table, core::NtpSecondsOf(clock_now)).tai_utc,
                                     table->entries.back().ntp_seconds, table->expires};
  }
  v.system_clock_offset = clock_.SystemClockOffset();
  v.local_address = config_.self_address;
  v.version = config_.version;
  return v;
}

core::control::PeerView Node::PeerViewOf(uint32_t id, const core::assoc::Association& a,
                                         const std::vector<core::system::SourceView>& sources) const {
  core::control::PeerView p;
  p.association_id = static_cast<uint16_t>(id);
  p.association = a.Snapshot();
  for (const auto& s : sources) {
    if (s.id == id) p.source = s;
  }
  return p;
}

void Node::ReportSamples(const core::system::SystemUpdate& update) {
  if (!stats_observer_ || update.peer_samples.empty()) return;
  // Stamped before the update's clock commands, when the sample was taken (as ntpd's
  // clock_filter() records it before local_clock() runs).
  const core::UnixTime now = clock_.Now();
  const std::vector<core::system::SourceView> sources = system_.Sources();
  for (const core::system::PeerSampleEvent& e : update.peer_samples) {
    auto it = assocs_.find(e.id);
    if (it == assocs_.end()) continue;
    const core::control::PeerView view = PeerViewOf(e.id, *it->second, sources);
    const uint16_t status = core::control::PeerStatusWord(view, system_.system_peer() == e.id);
    stats_observer_(PeerStatsRecord{now, it->second->config().address, status, e.output.offset, e.output.delay,
                                    e.output.dispersion, e.output.jitter});
  }
}

void Node::ReportLoop(const core::system::SystemUpdate& update) {
  if (!stats_observer_ || !update.loop) return;
  const core::system::LoopEvent& l = *update.loop;
  stats_observer_(LoopStatsRecord{clock_.Now(), l.offset, l.frequency_ppm, l.jitter, l.wander_ppm, l.poll.log2()});
}

void Node::Carry(uint32_t id, const core::assoc::AssocActions& actions) {
  for (const core::assoc::AssocAction& action : actions) {
    if (const auto* send = std::get_if<core::assoc::SendRequest>(&action)) {
      const core::assoc::AssociationConfig& ac = assocs_.at(id)->config();
      std::array<uint8_t, core::kHeaderSize + kMaxMacSize> request{};
      std::copy(send->bytes.begin(), send->bytes.end(), request.begin());
      size_t size = core::kHeaderSize;
      if (ac.key_id) {
        if (auto signed_size = keys_.Sign(*ac.key_id, request, size)) {
          size = *signed_size;
          ++auth_stats_.requests_signed;
        } else {
          ++auth_stats_.unsigned_requests;
        }
      }
      transport_.Send(std::span<const uint8_t>(request).first(size), ac.address);
      ++packets_sent_;
    } else if (const auto* timer = std::get_if<core::assoc::SetTimer>(&action)) {
      // The association's own deadline, not the action's: carrying an earlier action of the same
      // list (a measurement -> System -> SetStartup/SetSystemPoll) may have re-armed it since, and
      // this older SetTimer would put the poll back on the old schedule (a peer that began to
      // settle kept its 64 s poll for one more interval).
      deadlines_[id] = assocs_.at(id)->NextWake().value_or(timer->deadline);
    } else if (const auto* m = std::get_if<core::assoc::NewMeasurement>(&action)) {
      const core::MonoTime now = clock_.Mono();
      Apply(system_.OnMeasurement(id, m->measurement, m->received, assocs_.at(id)->hpoll(), now, clock_.Now()));
    } else if (std::holds_alternative<core::assoc::BecameReachable>(action)) {
      Log(fmt::format("source {} reachable", assocs_.at(id)->config().address.ToStringWithPort()));
      Apply(system_.SetReachable(id, true, clock_.Mono(), clock_.Now()));
    } else if (std::holds_alternative<core::assoc::BecameUnreachable>(action)) {
      Log(fmt::format("source {} unreachable", assocs_.at(id)->config().address.ToStringWithPort()));
      Apply(system_.SetReachable(id, false, clock_.Mono(), clock_.Now()));
    } else if (const auto* d = std::get_if<core::assoc::Demobilize>(&action);
               d != nullptr && d->reason == core::KissCode::kNone) {
      Log(fmt::format("passive peer {} unreachable: demobilized", assocs_.at(id)->config().address.ToStringWithPort()));
      system_.RemoveSource(id);
      deadlines_.erase(id);
      retired_.push_back(id);
    } else if (d != nullptr) {
      Log(fmt::format("source {} sent kiss-o'-death {}: dropped", assocs_.at(id)->config().address.ToStringWithPort(),
                      core::RefIdOf(d->reason).AsCode()));
      system_.RemoveSource(id);
      deadlines_.erase(id);
    }
  }
}

void Node::Apply(const core::system::SystemUpdate& update) {
  ReportSamples(update);
  for (const core::discipline::ClockCommand& c : update.commands) {
    if (auto r = clock_.Apply(c); !r) {
      Log("clock: " + r.error().ToString());
      continue;
    }
    if (const auto* step = std::get_if<core::discipline::StepClock>(&c)) {
      for (auto& [id, a] : assocs_) a->OnClockStep(step->offset);
      Log(StepMessage(step->offset));
    }
  }
  if (update.stepped) ++steps_;
  if (update.snapshot_changed) {
    server_.Publish(system_.Snapshot());
    for (auto& [id, a] : assocs_) {
      if (a->symmetric()) a->SetSystemSnapshot(system_.Snapshot());
    }
  }
  ReportLoop(update);
  LogNewLoops(update.new_loops);
  if (system_.system_peer() != last_peer_ || system_.local_clock_peer() != last_local_) {
    last_peer_ = system_.system_peer();
    last_local_ = system_.local_clock_peer();
    if (last_peer_ && assocs_.count(*last_peer_)) {
      Log(fmt::format("system peer {}", assocs_.at(*last_peer_)->config().address.ToStringWithPort()));
    } else if (last_local_) {
      Log(fmt::format("system peer {} (the local clock; serving stratum {})", LocalClockName(), config_.system.local_stratum));
    } else if (!last_peer_) {
      Log(system_.orphan_parent() ? "no system peer: orphan parent" : "no system peer");
    }
  }
  LogRefusals(/*always=*/false);
  PropagatePoll();
}

void Node::PropagatePoll() {
  const bool startup = system_.Settling();
  if (startup != startup_) {
    startup_ = startup;
    for (auto& [id, a] : assocs_) Carry(id, a->SetStartup(startup, clock_.Mono()));
  }
  const core::PollExp poll = system_.RecommendedPoll();
  if (poll == system_poll_) return;
  system_poll_ = poll;
  const core::MonoTime now = clock_.Mono();
  for (auto& [id, a] : assocs_) Carry(id, a->SetSystemPoll(poll, now));
}

}  // namespace tempus::engine

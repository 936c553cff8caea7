#include "engine/node.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/wire/codec.h"
#include "engine/node_log.h"
#include "engine/refid.h"

namespace tempus::engine {
namespace {

core::node::NodeConfig CoreConfig(const NodeConfig& config) {
  core::node::NodeConfig c = config;  // the core's part (slices off the keys)
  c.ipv6_refid = &RefIdForAddress;
  return c;
}

// The rate limiter's hash key is drawn only when there are restrict rules, so that runs without
// access control replay the same random sequence as before.
uint64_t LimiterKey(const NodeConfig& config, Random& random) {
  return config.access.restricts.empty() ? 0 : random.NextU64();
}

}  // namespace

Node::Node(const NodeConfig& config, Clock& clock, Transport& transport, Random& random, NodeLog log)
    : config_(config),
      clock_(clock),
      transport_(transport),
      random_(random),
      log_(std::move(log)),
      keys_(config.keys),
      server_(clock, config.access, LimiterKey(config, random)),
      core_(CoreConfig(config), random, &keys_, clock.PrecisionLog2(), clock.Mono()),
      control_limiter_(config.control_limit, server_.rate_limiter().hash_key()) {
  config_.keys.clear();  // the KeyRing holds them; no second copy of the secrets
  server_.SetKeys(&keys_);
  for (const core::node::SourceError& e : core_.rejected()) Log(DescribeSourceError(e));
  for (const auto& source : config_.sources) WarnUnusableKey(source);
  server_.Publish(core_.system().Snapshot());
}

void Node::Log(const std::string& message) const {
  if (log_) log_(message);
}

void Node::WarnUnusableKey(const core::assoc::AssociationConfig& source) const {
  if (!source.key_id || keys_.FindTrusted(*source.key_id) != nullptr) return;
  // ntpd goes on too; every reply will then fail test 5 and be counted as auth_failed.
  Log(fmt::format("source {}: key {} is {}: requests go unsigned and no reply can authenticate",
                  source.address.ToStringWithPort(), *source.key_id,
                  keys_.Find(*source.key_id) ? "not trusted (trustedkey)" : "not in the keys file"));
}

void Node::SetStatsObserver(StatsObserver observer) {
  stats_observer_ = std::move(observer);
  core_.SetStatsWanted(static_cast<bool>(stats_observer_));
}

void Node::Start() {
  started_ = true;
  Carry(core_.Start(clock_.Read()));
}

void Node::OnTimer() { Carry(core_.OnTimer(clock_.Read())); }

void Node::OnDatagram(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                      const std::optional<core::NetAddress>& local) {
  if (bytes.empty()) return;
  const core::Instant now = clock_.Read();
  core_.CountReceived(bytes);
  const core::Mode mode = core::PeekMode(bytes);
  if (mode == core::Mode::kControl) {
    HandleControl(bytes, from, local, now);
    return;
  }
  if (mode == core::Mode::kServer) {
    Carry(core_.OnPacket(bytes, from, clock_.FromKernelRealtime(rx_realtime), now));
    return;
  }
  if (mode == core::Mode::kSymmetricActive || mode == core::Mode::kSymmetricPassive) {
    switch (core_.RouteSymmetric(from)) {
      case core::node::Node::SymmetricRoute::kAssociation:
        Carry(core_.OnPacket(bytes, from, clock_.FromKernelRealtime(rx_realtime), now));
        return;
      case core::node::Node::SymmetricRoute::kNotSymmetric:
        (void)server_.Handle(bytes, from, rx_realtime);  // a client association's server: dropped, counted
        return;
      case core::node::Node::SymmetricRoute::kNewPeer:
        if (config_.serve && started_) OnNewPeer(bytes, from, rx_realtime, local, now);
        return;
    }
  }
  if (!config_.serve) return;
  if (auto reply = server_.Handle(bytes, from, rx_realtime)) Reply(*reply, from, local);
}

// ntpd's AM_NEWPASS: only an authenticated peer mobilizes a passive association (with
// `enable auth`); an unauthenticated one gets our time in a mode 2 reply at most, so that it can
// follow us, while we never follow it.
void Node::OnNewPeer(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                     const std::optional<core::NetAddress>& local, core::Instant now) {
  const ServerPath::NewPeer peer = server_.HandleNewPeer(bytes, from, rx_realtime, config_.authenticate_peers,
                                                         core_.ephemeral_count(), config_.max_ephemeral);
  if (peer.admission.reason == core::server::DropReason::kUnauthenticatedPeer) {
    Carry(core_.OnUnauthenticatedPeer(from, peer.reply.has_value(), now));
  }
  if (peer.reply) Reply(*peer.reply, from, local);
  if (peer.admission.action != core::server::PassiveAdmission::Action::kMobilize) return;
  Carry(core_.MobilizePassive(bytes, core::assoc::PassiveConfig(peer.admission.peer, from, peer.admission.key_id),
                              clock_.FromKernelRealtime(rx_realtime), now));
}

void Node::Reply(std::span<const uint8_t> bytes, const core::NetAddress& to,
                 const std::optional<core::NetAddress>& local) {
  if (local) {
    transport_.SendFrom(bytes, to, *local);
  } else {
    transport_.Send(bytes, to);
  }
}

Result<uint32_t, std::string> Node::AddSource(const core::assoc::AssociationConfig& source) {
  auto r = core_.AddSource(source, clock_.Read());
  if (!r) return Unexpected(DescribeSourceError(r.error()));
  WarnUnusableKey(source);
  Carry(core_.actions());
  return *r;
}

bool Node::RemoveSource(uint32_t id) {
  const bool removed = core_.RemoveSource(id, clock_.Read());
  Carry(core_.actions());
  return removed;
}

void Node::SetLeapTable(std::optional<core::LeapTable> table) {
  core_.SetLeapTable(std::move(table), clock_.Read());
  Carry(core_.actions());
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
  core_.SetSystemTunables(config, clock_.Read());
  Carry(core_.actions());
}

void Node::Carry(const core::node::NodeActions& actions) {
  for (const core::node::NodeAction& action : actions) {
    std::visit(
        [this](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, core::node::SendPacket>) {
            Send(a);
          } else if constexpr (std::is_same_v<T, core::node::ApplyClock>) {
            if (auto r = clock_.Apply(a.command); !r) Log("clock: " + r.error().ToString());
          } else if constexpr (std::is_same_v<T, core::node::PeerStatsRecord> ||
                               std::is_same_v<T, core::node::LoopStatsRecord>) {
            if (stats_observer_) stats_observer_(a);
          } else {
            static_assert(std::is_same_v<T, core::node::NodeEvent>);
            Log(Describe(a));
          }
        },
        action);
  }
  if (core_.snapshot_serial() != snapshot_serial_) {
    snapshot_serial_ = core_.snapshot_serial();
    server_.Publish(core_.system().Snapshot());
  }
}

void Node::Send(const core::node::SendPacket& send) {
  std::array<uint8_t, core::kHeaderSize + kMaxMacSize> request{};
  std::copy(send.bytes.begin(), send.bytes.end(), request.begin());
  size_t size = core::kHeaderSize;
  if (send.sign_key) {
    if (auto signed_size = keys_.Sign(*send.sign_key, request, size)) {
      size = *signed_size;
      ++auth_stats_.requests_signed;
    } else {
      ++auth_stats_.unsigned_requests;
    }
  }
  transport_.Send(std::span<const uint8_t>(request).first(size), send.to);
  ++packets_sent_;
}

}  // namespace tempus::engine

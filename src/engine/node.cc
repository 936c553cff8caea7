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

}  // namespace

Node::Node(const NodeConfig& config, Clock& clock, Transport& transport, Random& random, NodeLog log)
    : config_(config),
      clock_(clock),
      transport_(transport),
      log_(std::move(log)),
      keys_(config.keys),
      core_(CoreConfig(config), random, &keys_, clock.PrecisionLog2(), clock.Mono()) {
  config_.keys.clear();  // the KeyRing holds them; no second copy of the secrets
  for (const core::node::SourceError& e : core_.rejected()) Log(DescribeSourceError(e));
  for (const auto& source : config_.sources) WarnUnusableKey(source);
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

void Node::Start() { Carry(core_.Start(clock_.Read())); }

void Node::OnTimer() { Carry(core_.OnTimer(clock_.Read())); }

void Node::Dispatch(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                    const std::optional<core::NetAddress>& local) {
  if (bytes.empty()) return;
  deadline_may_have_moved_ = true;  // the core may arm or cancel timers for what follows
  // An NTS association's replies reach the core only once NTS authenticated them (RFC 8915 §5.7).
  if (nts_client_ != nullptr && core::PeekMode(bytes) == core::Mode::kServer && !nts_client_->AdmitReply(from, bytes)) {
    return;
  }
  const core::Instant now = batch_ ? batch_->now : clock_.Read();
  // Mode 6 is answered from a snapshot: its sysclk_offset and the host's NTS server counts are
  // read only for such a request, not for every packet.
  std::optional<core::NtpDuration> system_clock_offset;
  if (core::PeekMode(bytes) == core::Mode::kControl) {
    system_clock_offset = clock_.SystemClockOffset();
    if (nts_server_counts_) core_.SetNtsServerCounts(nts_server_counts_());
  }
  const core::UnixTime rx = batch_ ? clock_.MapKernelRealtime(rx_realtime, *batch_)
                                   : clock_.FromKernelRealtime(rx_realtime);
  Carry(core_.OnDatagram({bytes, from, rx, local, system_clock_offset}, now));
}

core::report::NodeSnapshot Node::Snapshot() {
  if (nts_server_counts_) core_.SetNtsServerCounts(nts_server_counts_());
  const core::Instant now = clock_.Read();
  return core_.Snapshot(now, clock_.SystemClockOffset());
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
  core_.SetAccess(access);
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
          } else if constexpr (std::is_same_v<T, core::node::Reply>) {
            SendReply(a);
          } else if constexpr (std::is_same_v<T, core::node::ApplyClock>) {
            ApplyClock(a.command);
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
}

bool Node::ServeInBatch(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                        const std::optional<core::NetAddress>& local, uint64_t route) {
  if (waiting_count_ == kMaxWaiting) FlushReplies();
  Waiting& w = waiting_[waiting_count_];
  const core::server::TimeAnswer answer =
      core_.TryServe(bytes, from, clock_.MapKernelRealtime(rx_realtime, *batch_), batch_->now.mono, w.bytes);
  if (answer == core::server::TimeAnswer::kNone) return false;
  if (answer != core::server::TimeAnswer::kDropped) {
    w.size = core::kHeaderSize;
    w.to = from;
    w.local = local;
    w.restamp = answer == core::server::TimeAnswer::kReply;  // not a kiss-o'-death
    w.sign_key.reset();
    w.route = route;
    ++waiting_count_;
  }
  return true;
}

void Node::SendReply(const core::node::Reply& reply) {
  if (batch_ && reply.bytes.size() <= core::kHeaderSize + 4) {
    if (waiting_count_ == kMaxWaiting) FlushReplies();
    Waiting& w = waiting_[waiting_count_++];
    std::copy(reply.bytes.begin(), reply.bytes.end(), w.bytes.begin());
    w.size = reply.bytes.size();
    w.to = reply.to;
    w.local = reply.local;
    w.restamp = reply.restamp;
    w.sign_key = reply.sign_key;
    w.route = 0;
    return;
  }
  FlushReplies();  // in order
  std::array<uint8_t, core::server::kReplyCapacity> buffer{};
  const std::span<const uint8_t> bytes = FinishReply(reply, buffer, clock_, keys_);
  if (reply.local) {
    transport_.SendFrom(bytes, reply.to, *reply.local);
  } else {
    transport_.Send(bytes, reply.to);
  }
}

void Node::Send(const core::node::SendPacket& send) {
  if (const auto a = core_.associations().find(send.source);
      a != core_.associations().end() && a->second->config().nts) {
    SendNts(send);
    return;
  }
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

void Node::SendNts(const core::node::SendPacket& send) {
  if (nts_client_ == nullptr) return;  // never in the clear
  std::array<uint8_t, kNtsRequestCapacity> request{};
  const auto size = nts_client_->WrapRequest(send.source, send.bytes, request);
  if (!size) return;  // no session yet: counted by the NtsClient
  transport_.Send(std::span<const uint8_t>(request).first(*size), send.to);
  ++packets_sent_;
}

}  // namespace tempus::engine

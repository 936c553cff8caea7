// engine::Node: symmetric packets, new peers and the node's own addresses (RFC 5905 §9.2).
#include <fmt/format.h>

#include <algorithm>

#include "engine/node.h"

namespace tempus::engine {

// A symmetric packet goes to the symmetric association of its source address; a mode 1 from an
// address without one is a new peer (OnNewPeer); anything else is the server path's to drop and
// count.
void Node::OnSymmetric(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                       const std::optional<core::NetAddress>& local) {
  if (auto it = by_address_.find(from); it != by_address_.end()) {
    const uint32_t id = it->second;
    auto a = assocs_.find(id);
    if (a != assocs_.end() && a->second->symmetric()) {
      const std::optional<uint32_t> key = a->second->config().key_id;
      const core::AuthVerdict auth = key ? keys_.Check(bytes, key) : core::AuthVerdict::kNone;
      if (key && auth != core::AuthVerdict::kOk) ++counters_.bad_auth;
      Carry(id, a->second->OnPacket(bytes, clock_.FromKernelRealtime(rx_realtime), clock_.Mono(), auth));
      UpdateQuiet(id);
      return;
    }
    (void)server_.Handle(bytes, from, rx_realtime);  // a client association's server: dropped, counted
    return;
  }
  if (!config_.serve || !started_) return;
  OnNewPeer(bytes, from, rx_realtime, local);
}

// ntpd's AM_NEWPASS: only an authenticated peer mobilizes a passive association (with
// `enable auth`); an unauthenticated one gets our time in a mode 2 reply at most, so that it can
// follow us, while we never follow it.
void Node::OnNewPeer(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                     const std::optional<core::NetAddress>& local) {
  const ServerPath::NewPeer peer = server_.HandleNewPeer(
      bytes, from, rx_realtime, {config_.authenticate_peers, ephemeral_.size(), config_.max_ephemeral});
  if (peer.verdict.reason == core::server::DropReason::kUnauthenticatedPeer) {
    if (const OncePerSource::Verdict v = unauthenticated_logged_.Check(from, clock_.Mono()); v.log) {
      Log(fmt::format("peer {}: symmetric active packet without a valid MAC by a trusted key: no association{}"
                      " (see unauthenticated_peer drops){}",
                      from.ToStringWithPort(), peer.reply ? ", answered in mode 2" : "",
                      v.suppressed ? fmt::format("; {} more source(s) not logged", v.suppressed) : ""));
    }
  }
  if (peer.reply) Reply(*peer.reply, from, local);
  if (peer.verdict.action != core::server::NewPeerAction::kMobilize) return;
  const core::server::NewPeerVerdict& v = peer.verdict;
  MobilizePassive(bytes, core::assoc::PassiveAssociationConfig(from, v.version, v.poll, v.key_id),
                  clock_.FromKernelRealtime(rx_realtime));
}

void Node::MobilizePassive(std::span<const uint8_t> bytes, const core::assoc::AssociationConfig& config,
                           core::UnixTime t4) {
  const uint32_t id = next_id_;
  if (auto r = Mobilize(id, config); !r) return;  // not logged: the sender may be a flood
  ++next_id_;
  ephemeral_.insert(id);
  ++ephemeral_mobilized_;
  Log(fmt::format("passive peer {} mobilized{}", config.address.ToStringWithPort(),
                  config.key_id ? fmt::format(" (key {})", *config.key_id) : ""));
  core::assoc::Association& a = *assocs_.at(id);
  const core::MonoTime now = clock_.Mono();
  Carry(id, a.SetSystemPoll(system_poll_, now));
  Carry(id, a.SetStartup(startup_, now));
  // The server path verified the MAC of the mobilizing packet with the association's key.
  Carry(id, a.OnPacket(bytes, t4, now, config.key_id ? core::AuthVerdict::kOk : core::AuthVerdict::kNone));
  // The first poll goes out now: it answers the mobilizing packet (org = its transmit time), so
  // the active side has a sample without waiting for our poll interval.
  Carry(id, a.OnTimer(now, clock_.Now()));
}

void Node::Reply(std::span<const uint8_t> bytes, const core::NetAddress& to,
                 const std::optional<core::NetAddress>& local) {
  if (local) {
    transport_.SendFrom(bytes, to, *local);
  } else {
    transport_.Send(bytes, to);
  }
}

bool Node::IsOwnAddress(const core::NetAddress& address) const {
  if (config_.self_address && *config_.self_address == address) return true;
  const auto& own = config_.own_addresses;
  return std::find(own.begin(), own.end(), address) != own.end();
}

void Node::LogNewLoops(const std::vector<uint32_t>& ids) const {
  for (uint32_t id : ids) {
    auto it = assocs_.find(id);
    if (it == assocs_.end()) continue;
    Log(fmt::format("source {}: {}; never selected (a timing loop, RFC 5905 fit(), ntpd's TEST12)",
                    it->second->config().address.ToStringWithPort(),
                    self_.count(id) ? "this node's own address, not polled" : "synchronized to this node or to its system peer"));
  }
}

std::string Node::LocalClockName() const { return fmt::format("LOCAL({})", config_.system.local_unit); }

}  // namespace tempus::engine

// engine::Node: the mode 6 control path (RFC 9327): access, rate limit, the view it answers from.
#include "engine/node.h"

namespace tempus::engine {

void Node::HandleControl(std::span<const uint8_t> bytes, const core::NetAddress& from,
                         const std::optional<core::NetAddress>& local, core::Instant now) {
  core::control::Counters& counters = core_.counters();
  ++counters.control_requests;
  ++control_stats_.requests;
  control_stats_.bytes_in += bytes.size();
  // `restrict ... noquery` decides once there are restrict lines; without any, loopback only.
  const bool allowed = config_.access.restricts.empty() ? (config_.control_from_any || from.IsLoopback())
                                                         : server_.AllowQuery(from);
  if (!config_.control || !allowed) {
    ++counters.restricted;
    ++control_stats_.restricted;
    return;
  }
  // Rate limited before any work: a flood costs a table lookup per datagram.
  switch (control_limiter_.Check(from, now.mono)) {
    case core::control::ControlVerdict::kAllow: break;
    case core::control::ControlVerdict::kClientLimited:
      ++counters.limited;
      ++control_stats_.client_limited;
      return;
    case core::control::ControlVerdict::kGlobalLimited:
      ++counters.limited;
      ++control_stats_.global_limited;
      return;
  }
  auto answer = core::control::HandleControl(bytes, ControlView(now));
  if (!answer) {
    ++counters.bad_format;
    ++control_stats_.malformed;
    return;
  }
  ++control_stats_.answered;
  for (const auto& datagram : *answer) {
    ++control_stats_.datagrams_sent;
    control_stats_.bytes_out += datagram.size();
    Reply(datagram, from, local);
  }
}

core::control::NodeView Node::ControlView(core::Instant now) {
  core::control::NodeView v = core_.View(now);
  uint64_t accepted = 0;
  for (const core::control::PeerView& p : v.peers) {
    if (p.clock_name.empty()) accepted += p.association.stats.accepted;  // the local clock serves no packets
  }
  const core::server::ServerStats& st = server_.stats();
  using core::server::DropReason;
  for (DropReason r : {DropReason::kTooShort, DropReason::kBadVersion, DropReason::kBadExtensionLength,
                       DropReason::kBadTrailer}) {
    v.counters.bad_format += st.dropped[static_cast<size_t>(r)];
  }
  // ntpd counts a mode 1 packet that may not mobilize an association in sys_declined.
  for (DropReason r : {DropReason::kBroadcastMode, DropReason::kSymmetricMode, DropReason::kPrivateMode,
                       DropReason::kReservedMode, DropReason::kUnauthenticatedPeer}) {
    v.counters.declined += st.dropped[static_cast<size_t>(r)];
  }
  // ntpd counts limited packets (KoD or not) in ss_limited and refused ones in ss_restricted,
  // whichever path they came by; mode 6's own drops are already in the core's counters.
  v.counters.restricted += st.dropped[static_cast<size_t>(DropReason::kRestricted)] +
                           st.dropped[static_cast<size_t>(DropReason::kNotAuthenticated)];
  v.counters.bad_auth += st.dropped[static_cast<size_t>(DropReason::kCryptoNakSent)];
  v.counters.limited +=
      st.dropped[static_cast<size_t>(DropReason::kRateLimited)] + st.dropped[static_cast<size_t>(DropReason::kKodSent)];
  v.counters.kod_sent += st.dropped[static_cast<size_t>(DropReason::kKodSent)];
  v.counters.processed = st.replied + accepted;
  v.system_clock_offset = clock_.SystemClockOffset();
  return v;
}

}  // namespace tempus::engine

#include "core/report/counters.h"

#include "core/wire/packet.h"

namespace tempus::core::report {

void Counters::CountDatagram(std::span<const uint8_t> datagram) {
  ++received;
  const int version = (datagram[0] >> 3) & 0x7;
  const int mode = datagram[0] & 0x7;
  if (version == kNtpVersion) ++this_version;
  if (version >= 1 && version < kNtpVersion) ++old_version;
  if (version == 1) {
    ++version1;
    if (mode == 3) ++version1_client;
    if (mode == 0) ++version1_zero;
    if (mode == 1) ++version1_symmetric;
  }
}

void Counters::Add(const Counters& o) {
  received += o.received;
  this_version += o.this_version;
  old_version += o.old_version;
  version1 += o.version1;
  version1_client += o.version1_client;
  version1_zero += o.version1_zero;
  version1_symmetric += o.version1_symmetric;
  bad_format += o.bad_format;
  bad_auth += o.bad_auth;
  declined += o.declined;
  restricted += o.restricted;
  limited += o.limited;
  kod_sent += o.kod_sent;
  processed += o.processed;
  control_requests += o.control_requests;
  forward_drops += o.forward_drops;
}

std::string_view ControlDropName(ControlDrop drop) {
  switch (drop) {
    case ControlDrop::kRestricted: return "restricted";
    case ControlDrop::kClientRate: return "client_rate";
    case ControlDrop::kGlobalRate: return "global_rate";
    case ControlDrop::kMalformed: return "malformed";
  }
  return "unknown";
}

Counters SysStats(Counters node, const server::ServerStats& server, const ControlStats& control, uint64_t accepted) {
  using server::DropReason;
  Counters& c = node;  // the node's own counts, then everyone else's
  c.control_requests += control.requests;
  c.bad_format += control.Dropped(ControlDrop::kMalformed);
  for (DropReason r : {DropReason::kTooShort, DropReason::kBadVersion, DropReason::kBadExtensionLength,
                       DropReason::kBadTrailer, DropReason::kNtsMalformed}) {
    c.bad_format += server.Dropped(r);
  }
  // ntpd counts a mode 1 packet that may not mobilize an association in sys_declined.
  for (DropReason r : {DropReason::kBroadcastMode, DropReason::kSymmetricMode, DropReason::kPrivateMode,
                       DropReason::kReservedMode, DropReason::kUnauthenticatedPeer, DropReason::kNtsDisabled}) {
    c.declined += server.Dropped(r);
  }
  // ntpd counts limited packets (KoD or not) in ss_limited and refused ones in ss_restricted,
  // whichever path (time or mode 6) they came by.
  c.restricted += control.Dropped(ControlDrop::kRestricted) + server.Dropped(DropReason::kRestricted) +
                  server.Dropped(DropReason::kNotAuthenticated);
  c.limited += control.Dropped(ControlDrop::kClientRate) + control.Dropped(ControlDrop::kGlobalRate) +
               server.Dropped(DropReason::kRateLimited) + server.Dropped(DropReason::kKodSent);
  c.kod_sent += server.Dropped(DropReason::kKodSent);
  // An NTS cookie that does not open (NAK) or an authenticator that does not verify fail
  // authentication as a bad MAC does (ntpd's sys_badauth).
  c.bad_auth += server.Dropped(DropReason::kCryptoNakSent) + server.Dropped(DropReason::kNtsNakSent) +
                server.Dropped(DropReason::kNtsBadAuth);
  c.processed += server.replied + accepted;
  return c;
}

}  // namespace tempus::core::report

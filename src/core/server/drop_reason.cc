#include "core/server/drop_reason.h"

namespace tempus::core::server {

std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kTooShort: return "too_short";
    case DropReason::kBadVersion: return "bad_version";
    case DropReason::kBadExtensionLength: return "bad_extension_length";
    case DropReason::kBadTrailer: return "bad_trailer";
    case DropReason::kServerMode: return "server_mode";
    case DropReason::kBroadcastMode: return "broadcast_mode";
    case DropReason::kSymmetricMode: return "symmetric_mode";
    case DropReason::kControlMode: return "control_mode";
    case DropReason::kPrivateMode: return "private_mode";
    case DropReason::kReservedMode: return "reserved_mode";
    case DropReason::kReplyBufferTooSmall: return "reply_buffer_too_small";
    case DropReason::kRestricted: return "restricted";
    case DropReason::kRateLimited: return "rate_limited";
    case DropReason::kKodSent: return "kod_sent";
    case DropReason::kPeerLimit: return "peer_limit";
    case DropReason::kCryptoNakSent: return "crypto_nak_sent";
    case DropReason::kNotAuthenticated: return "not_authenticated";
    case DropReason::kUnauthenticatedPeer: return "unauthenticated_peer";
    case DropReason::kNtsDisabled: return "nts_disabled";
    case DropReason::kNtsMalformed: return "nts_malformed";
    case DropReason::kNtsBadAuth: return "nts_bad_auth";
    case DropReason::kNtsNakSent: return "nts_nak_sent";
  }
  return "unknown";
}

DropReason DropReasonOf(DecodeError e) {
  switch (e) {
    case DecodeError::kTooShort: return DropReason::kTooShort;
    case DecodeError::kBadVersion: return DropReason::kBadVersion;
    case DecodeError::kBadExtensionLength: return DropReason::kBadExtensionLength;
    case DecodeError::kBadTrailer: return DropReason::kBadTrailer;
  }
  return DropReason::kTooShort;
}

uint64_t ServerStats::TotalDropped() const {
  uint64_t total = 0;
  for (uint64_t n : dropped) total += n;
  return total;
}

void ServerStats::Add(const ServerStats& other) {
  received += other.received;
  replied += other.replied;
  nts_answered += other.nts_answered;
  nts_replayed += other.nts_replayed;
  for (size_t i = 0; i < dropped.size(); ++i) dropped[i] += other.dropped[i];
}

}  // namespace tempus::core::server

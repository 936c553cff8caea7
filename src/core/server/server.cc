#include "core/server/server.h"

#include "core/wire/codec.h"

namespace tempus::core::server {

using system::SystemSnapshot;

namespace {

// Which modes get a server reply; the rest are dropped with their reason (RFC 5905 §9.2,
// Table: a server answers only clients).
Result<void, DropReason> CheckMode(Mode mode, uint8_t version) {
  switch (mode) {
    case Mode::kClient: return {};
    case Mode::kReserved:
      if (version == 1) return {};  // NTPv1 had no mode field: a v1 request is a client request
      return Unexpected(DropReason::kReservedMode);
    case Mode::kServer: return Unexpected(DropReason::kServerMode);
    case Mode::kBroadcast: return Unexpected(DropReason::kBroadcastMode);
    case Mode::kSymmetricActive:
    case Mode::kSymmetricPassive: return Unexpected(DropReason::kSymmetricMode);
    case Mode::kControl: return Unexpected(DropReason::kControlMode);
    case Mode::kPrivate: return Unexpected(DropReason::kPrivateMode);
  }
  return Unexpected(DropReason::kReservedMode);
}

}  // namespace

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

namespace {

// The header of a request the server answers, or why it does not.
Result<Header, DropReason> DecodeRequest(std::span<const uint8_t> request, std::span<uint8_t> reply) {
  // Route on the first byte before decoding: modes 6 and 7 have formats of their own.
  if (request.size() < kHeaderSize) return Unexpected(DropReason::kTooShort);
  const Mode mode = PeekMode(request);
  if (mode == Mode::kControl) return Unexpected(DropReason::kControlMode);
  if (mode == Mode::kPrivate) return Unexpected(DropReason::kPrivateMode);
  auto decoded = Decode(request);
  if (!decoded) return Unexpected(DropReasonOf(decoded.error()));
  const Header& req = decoded->header;
  if (auto ok = CheckMode(req.mode, req.version); !ok) return Unexpected(ok.error());
  if (reply.size() < kHeaderSize) return Unexpected(DropReason::kReplyBufferTooSmall);
  return req;
}

}  // namespace

Result<void, DropReason> CheckRequest(std::span<const uint8_t> request) {
  std::array<uint8_t, kHeaderSize> scratch{};
  auto req = DecodeRequest(request, scratch);
  if (!req) return Unexpected(req.error());
  return {};
}

Result<size_t, DropReason> BuildKissOfDeath(std::span<const uint8_t> request, KissCode code,
                                            std::span<uint8_t> reply) {
  auto req = DecodeRequest(request, reply);
  if (!req) return Unexpected(req.error());
  Header h;
  h.leap = Leap::kUnsynchronized;
  h.version = req->version;
  h.mode = Mode::kServer;
  h.stratum = 0;
  h.poll = req->poll;
  h.refid = RefIdOf(code);
  h.reference_time = req->transmit_time;
  h.origin_time = req->transmit_time;
  h.receive_time = req->transmit_time;
  h.transmit_time = req->transmit_time;
  EncodeHeader(h, reply);
  return kHeaderSize;
}

namespace {

// The reply fields RFC 5905 §9.2 (fast_xmit) sets from the system variables, in `mode`.
void EncodeReply(const Header& req, Mode mode, NtpTimestamp receive_time, const SystemSnapshot& system,
                 std::span<uint8_t> reply) {
  const bool synced = system.synchronized();
  Header h;
  h.leap = synced ? system.leap : Leap::kUnsynchronized;
  h.version = req.version;  // answer in the client's version (RFC 5905 §9.2)
  h.mode = mode;
  h.stratum = synced ? system.stratum : 0;  // MAXSTRAT is sent as 0 (RFC 5905 §7.3)
  h.poll = req.poll;
  h.precision = system.precision;
  h.root_delay = NtpShort::FromDuration(system.root_delay);
  h.root_dispersion = NtpShort::FromDuration(system::RootDispersionAt(system, receive_time));
  h.refid = system.refid;
  h.reference_time = system.reference_time;
  h.origin_time = req.transmit_time;  // T1 echoed, the client's replay/bogus check
  h.receive_time = receive_time;      // T2
  h.transmit_time = receive_time;     // T3, restamped by the caller right before sending
  EncodeHeader(h, reply);
}

}  // namespace

Result<size_t, DropReason> HandleRequest(std::span<const uint8_t> request, NtpTimestamp receive_time,
                                         const SystemSnapshot& system, std::span<uint8_t> reply) {
  auto req = DecodeRequest(request, reply);
  if (!req) return Unexpected(req.error());
  EncodeReply(*req, Mode::kServer, receive_time, system, reply);
  return kHeaderSize;
}

Result<size_t, DropReason> BuildPassiveReply(std::span<const uint8_t> request, NtpTimestamp receive_time,
                                             const SystemSnapshot& system, std::span<uint8_t> reply) {
  if (request.size() < kHeaderSize) return Unexpected(DropReason::kTooShort);
  auto decoded = Decode(request);
  if (!decoded) return Unexpected(DropReasonOf(decoded.error()));
  if (decoded->header.mode != Mode::kSymmetricActive) return Unexpected(DropReason::kSymmetricMode);
  if (reply.size() < kHeaderSize) return Unexpected(DropReason::kReplyBufferTooSmall);
  EncodeReply(decoded->header, Mode::kSymmetricPassive, receive_time, system, reply);
  return kHeaderSize;
}

}  // namespace tempus::core::server

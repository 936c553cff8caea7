#include "core/server/reply.h"

#include <bit>
#include <cstring>
#include <limits>

#include "base/check.h"

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

Result<void, DropReason> CheckTimeRequest(std::span<const uint8_t> request,
                                          const Result<DecodedPacket, DecodeError>& decoded) {
  // Route on the first byte before the decode's verdict: modes 6 and 7 have formats of their own.
  if (request.size() < kHeaderSize) return Unexpected(DropReason::kTooShort);
  const Mode mode = PeekMode(request);
  if (mode == Mode::kControl) return Unexpected(DropReason::kControlMode);
  if (mode == Mode::kPrivate) return Unexpected(DropReason::kPrivateMode);
  if (!decoded) return Unexpected(DropReasonOf(decoded.error()));
  return CheckMode(decoded->header.mode, decoded->header.version);
}

void EncodeKissOfDeath(const Header& req, KissCode code, std::span<uint8_t> out) {
  Header h;
  h.leap = Leap::kUnsynchronized;
  h.version = req.version;
  h.mode = Mode::kServer;
  h.stratum = 0;
  h.poll = req.poll;
  h.refid = RefIdOf(code);
  h.reference_time = req.transmit_time;
  h.origin_time = req.transmit_time;
  h.receive_time = req.transmit_time;
  h.transmit_time = req.transmit_time;
  EncodeHeader(h, out);
}

// The reply fields RFC 5905 §9.2 (fast_xmit) sets from the system variables, in `mode`.
void EncodeReply(const Header& req, Mode mode, NtpTimestamp receive_time, const SystemSnapshot& system,
                 std::span<uint8_t> out) {
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
  h.transmit_time = receive_time;     // T3, restamped by the host right before sending
  EncodeHeader(h, out);
}

ReplyTemplate MakeReplyTemplate(const SystemSnapshot& system) {
  // EncodeReply's fields from the snapshot, through the same encoder; the per-request ones zero.
  ReplyTemplate t;
  Header req;
  req.version = 0;
  EncodeReply(req, Mode::kServer, NtpTimestamp(), system, t.bytes);
  t.bytes[0] &= 0xc0;                     // the leap indicator; version and mode are the request's
  std::memset(t.bytes.data() + 8, 0, 4);  // the root dispersion grows per request
  t.root_dispersion = system.root_dispersion;
  t.reference_time = system.reference_time;
  return t;
}

namespace {

uint32_t RootDispersionField(const ReplyTemplate& t, NtpTimestamp receive_time) {
  return NtpShort::FromDuration(system::RootDispersionAt(t.root_dispersion, t.reference_time, receive_time)).raw();
}

// The span a memo covers from a miss on: 1/16 s of age, so a server answering more than a few
// dozen requests per second computes the field about once per 1/16 s, and a span that straddles
// one of the field's steps (one in 16 near each) is only this age.
constexpr int64_t kMemoSpan = int64_t{1} << 28;

uint32_t RootDispersionField(const ReplyTemplate& t, NtpTimestamp receive_time, RootDispersionMemo& memo) {
  const int64_t age = (receive_time - t.reference_time).raw();
  if (age >= memo.lo && age <= memo.hi) return memo.field;
  const uint32_t field = RootDispersionField(t, receive_time);
  memo = RootDispersionMemo{age, age, field};
  // The field at the span's far end: equal, so equal between (it never falls as the age grows).
  const NtpTimestamp far = receive_time + NtpDuration::FromRaw(kMemoSpan);
  if (age <= std::numeric_limits<int64_t>::max() - kMemoSpan && (far - t.reference_time).raw() == age + kMemoSpan &&
      RootDispersionField(t, far) == field) {
    memo.hi = age + kMemoSpan;
  }
  return field;
}

// Put32/Put64 at a place the caller checked, inline: network order by one byte swap and one store
// (the template reply writes three fields per request; the codec's are calls with a bounds check).
template <typename T>
[[gnu::always_inline]] inline void StoreBigEndian(uint8_t* at, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 8) {
      v = __builtin_bswap64(v);
    } else {
      v = __builtin_bswap32(v);
    }
  }
  std::memcpy(at, &v, sizeof v);
}

}  // namespace

void EncodeReplyFromTemplate(const ReplyTemplate& t, std::span<const uint8_t> request, NtpTimestamp receive_time,
                             std::span<uint8_t> out, RootDispersionMemo* memo) {
  TEMPUS_CHECK(request.size() >= kHeaderSize && out.size() >= kHeaderSize);
  std::memcpy(out.data(), t.bytes.data(), kHeaderSize);
  out[0] = static_cast<uint8_t>(t.bytes[0] | (request[0] & 0x38) | static_cast<uint8_t>(Mode::kServer));
  out[2] = request[2];                                   // poll, as EncodeReply
  std::memcpy(out.data() + 24, request.data() + 40, 8);  // T1 echoed in origin
  StoreBigEndian<uint32_t>(out.data() + 8, memo != nullptr ? RootDispersionField(t, receive_time, *memo)
                                                           : RootDispersionField(t, receive_time));
  StoreBigEndian<uint64_t>(out.data() + 32, receive_time.raw());  // T2
  StoreBigEndian<uint64_t>(out.data() + 40, receive_time.raw());  // T3, restamped by the host right before sending
}

Result<size_t, DropReason> HandleRequest(std::span<const uint8_t> request, NtpTimestamp receive_time,
                                         const SystemSnapshot& system, std::span<uint8_t> reply) {
  const auto decoded = Decode(request);
  if (auto ok = CheckTimeRequest(request, decoded); !ok) return Unexpected(ok.error());
  if (reply.size() < kHeaderSize) return Unexpected(DropReason::kReplyBufferTooSmall);
  EncodeReply(decoded->header, Mode::kServer, receive_time, system, reply);
  return kHeaderSize;
}

}  // namespace tempus::core::server

#include "core/wire/exchange.h"

#include <algorithm>

#include "core/time/int128.h"

namespace tempus::core {

std::string_view ReplyErrorName(ReplyError error) {
  switch (error) {
    case ReplyError::kMalformed: return "malformed";
    case ReplyError::kNotServerMode: return "not_server_mode";
    case ReplyError::kBogusOrigin: return "bogus_origin";
    case ReplyError::kZeroTimestamps: return "zero_timestamps";
    case ReplyError::kKissOfDeath: return "kiss_of_death";
    case ReplyError::kUnsynchronized: return "unsynchronized";
    case ReplyError::kBadRootDistance: return "bad_root_distance";
  }
  return "unknown";
}

NtpDuration PrecisionToDuration(int log2) {
  const int e = std::clamp(log2, -32, 8);
  return NtpDuration::FromRaw(e >= 0 ? (NtpDuration::kUnitsPerSecond << e) : (NtpDuration::kUnitsPerSecond >> -e));
}

NtpDuration Offset(NtpTimestamp t1, NtpTimestamp t2, NtpTimestamp t3, NtpTimestamp t4) {
  // Sum in 128 bits: two spans near ±68 years must not wrap before halving.
  const Int128 sum = static_cast<Int128>((t2 - t1).raw()) + (t3 - t4).raw();
  return NtpDuration::FromRaw(static_cast<int64_t>(sum >> 1));
}

NtpDuration Delay(NtpTimestamp t1, NtpTimestamp t2, NtpTimestamp t3, NtpTimestamp t4) { return (t4 - t1) - (t3 - t2); }

NtpDuration Measurement::RootDistance() const {
  return delay.Half() + dispersion + server.root_delay.ToDuration().Half() + server.root_dispersion.ToDuration();
}

size_t BuildClientRequest(NtpTimestamp transmit_cookie, int8_t poll, std::span<uint8_t> out, uint8_t version) {
  TEMPUS_CHECK(version >= 1 && version <= kNtpVersion);
  Header h;
  h.leap = Leap::kNoWarning;
  h.version = version;
  h.mode = Mode::kClient;
  h.poll = poll;
  h.transmit_time = transmit_cookie;
  EncodeHeader(h, out);
  return kHeaderSize;
}

Result<Measurement, ReplyRejection> ProcessReply(std::span<const uint8_t> reply, NtpTimestamp transmit_cookie,
                                                 NtpTimestamp t1, NtpTimestamp t4, int local_precision_log2) {
  auto decoded = Decode(reply);
  if (!decoded) return Unexpected(ReplyRejection{ReplyError::kMalformed, KissCode::kNone, decoded.error()});
  const Header& h = decoded->header;
  if (h.mode != Mode::kServer) return Unexpected(ReplyRejection{ReplyError::kNotServerMode});
  // Test 2: the origin timestamp must be the transmit timestamp we sent (bogus/replayed packet).
  if (h.origin_time != transmit_cookie) return Unexpected(ReplyRejection{ReplyError::kBogusOrigin});
  if (auto ok = CheckReplyHeader(h); !ok) return Unexpected(ok.error());
  return MeasureReply(h, t1, t4, local_precision_log2);
}

Result<void, ReplyRejection> CheckReplyHeader(const Header& reply) {
  // Kiss-o'-death (RFC 5905 §7.4) before the synchronization tests: it is a message, not time.
  if (reply.stratum == 0) return Unexpected(ReplyRejection{ReplyError::kKissOfDeath, KissCodeOf(reply.refid)});
  // Test 3: a server that never received or never sent has no time for us.
  if (reply.receive_time.IsZero() || reply.transmit_time.IsZero()) {
    return Unexpected(ReplyRejection{ReplyError::kZeroTimestamps});
  }
  // Test 6: the server must be synchronized.
  if (reply.leap == Leap::kUnsynchronized || reply.stratum >= kMaxStratum) {
    return Unexpected(ReplyRejection{ReplyError::kUnsynchronized});
  }
  // Test 7: root distance of the server itself below MAXDIST.
  if (reply.root_delay.ToDuration().Half() + reply.root_dispersion.ToDuration() >= kMaxDistance) {
    return Unexpected(ReplyRejection{ReplyError::kBadRootDistance});
  }
  return {};
}

Measurement MeasureReply(const Header& reply, NtpTimestamp t1, NtpTimestamp t4, int local_precision_log2) {
  Measurement m;
  m.server = reply;
  m.offset = Offset(t1, reply.receive_time, reply.transmit_time, t4);
  const NtpDuration local_precision = PrecisionToDuration(local_precision_log2);
  m.delay = std::max(Delay(t1, reply.receive_time, reply.transmit_time, t4), local_precision);
  const NtpDuration elapsed = std::max(t4 - t1, NtpDuration::Zero());
  m.dispersion = local_precision + PrecisionToDuration(reply.precision) + elapsed.Scaled(kPhi);
  return m;
}

}  // namespace tempus::core

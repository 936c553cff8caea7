// One client/server exchange (RFC 5905 §8): build a mode 3 request, check the mode 4 reply
// against it (the on-wire tests of §8 and the packet tests 1-7 of ntpd/chrony), and turn the four
// timestamps into a Measurement: offset θ, delay δ, dispersion ε.
//
// The request's transmit timestamp is a random cookie chosen by the caller (as chrony does): it
// keeps the client's clock private and makes spoofed replies fail the origin check. The caller
// records the local send time T1 and receive time T4 from its own clock. Pure and stateless.
#ifndef TEMPUS_CORE_WIRE_EXCHANGE_H_
#define TEMPUS_CORE_WIRE_EXCHANGE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"
#include "core/time/constants.h"
#include "core/time/ntp_duration.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/codec.h"
#include "core/wire/packet.h"

namespace tempus::core {

// Why a reply is not usable. The names follow RFC 5905 §8 and chrony's tests.
enum class ReplyError : uint8_t {
  kMalformed,        // does not decode
  kNotServerMode,    // not mode 4
  kBogusOrigin,      // origin != our transmit cookie: stale, duplicate or spoofed (test 2)
  kZeroTimestamps,   // receive or transmit timestamp zero (test 3)
  kKissOfDeath,      // stratum 0: ReplyRejection::kiss holds the code (RFC 5905 §7.4)
  kUnsynchronized,   // LI = 3 or stratum >= 16 (test 6)
  kBadRootDistance,  // root delay/2 + root dispersion >= MAXDIST (test 7)
};
std::string_view ReplyErrorName(ReplyError error);

// The result of a good exchange, in the client's terms. θ > 0 means the server is ahead.
struct Measurement {
  NtpDuration offset;      // θ = ((T2 - T1) + (T3 - T4)) / 2
  NtpDuration delay;       // δ = (T4 - T1) - (T3 - T2), at least the local precision
  NtpDuration dispersion;  // ε = ρ_local + ρ_server + PHI·(T4 - T1)
  Header server;           // the reply's header: stratum, refid, leap, root delay/dispersion, ...

  // λ = δ/2 + ε + root delay/2 + root dispersion: the bound on the offset error (RFC 5905 §11.2).
  NtpDuration RootDistance() const;
};

// A rejected reply, with the kiss code when it was a kiss-o'-death.
struct ReplyRejection {
  ReplyError error = ReplyError::kMalformed;
  KissCode kiss = KissCode::kNone;
  DecodeError decode_error = DecodeError::kTooShort;  // when error == kMalformed
};

// Writes a 48-byte client request (mode 3, version `version`, NTPv4 by default) with
// `transmit_cookie` as transmit timestamp, all other timestamps zero.
// REQUIRES: out.size() >= kHeaderSize; 1 <= version <= 4. Returns kHeaderSize.
size_t BuildClientRequest(NtpTimestamp transmit_cookie, int8_t poll, std::span<uint8_t> out,
                          uint8_t version = kNtpVersion);

// Checks `reply` against the request sent with `transmit_cookie` at local time `t1`, received at
// local time `t4`, and computes the measurement. `local_precision_log2` is this clock's precision.
[[nodiscard]] Result<Measurement, ReplyRejection> ProcessReply(std::span<const uint8_t> reply,
                                                               NtpTimestamp transmit_cookie, NtpTimestamp t1,
                                                               NtpTimestamp t4, int local_precision_log2);

// The checks of a reply's header that do not depend on the exchange (a server's or a symmetric
// peer's): kiss-o'-death (§7.4), test 3 (zero receive or transmit timestamp), test 6
// (unsynchronized) and test 7 (root distance). ProcessReply runs them after its mode and origin
// checks; symmetric associations after theirs.
[[nodiscard]] Result<void, ReplyRejection> CheckReplyHeader(const Header& reply);

// The measurement of a reply's timestamps without the synchronization tests (6, 7, KoD): what a
// monitoring tool shows for a server that is up but unsynchronized. Same formulas as ProcessReply.
Measurement MeasureReply(const Header& reply, NtpTimestamp t1, NtpTimestamp t4, int local_precision_log2);

// The formulas of RFC 5905 §8, on the four timestamps.
NtpDuration Offset(NtpTimestamp t1, NtpTimestamp t2, NtpTimestamp t3, NtpTimestamp t4);
NtpDuration Delay(NtpTimestamp t1, NtpTimestamp t2, NtpTimestamp t3, NtpTimestamp t4);

// 2^log2 seconds as a duration, for precision fields; clamped to [-32, 8].
NtpDuration PrecisionToDuration(int log2);

}  // namespace tempus::core

#endif  // TEMPUS_CORE_WIRE_EXCHANGE_H_

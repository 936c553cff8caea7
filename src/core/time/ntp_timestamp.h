// NtpTimestamp (64-bit, 32.32) and NtpShort (32-bit, 16.16): the NTP wire formats of RFC 5905 §6.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                            Seconds                            |  NtpTimestamp
//   |                            Fraction                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Seconds              |           Fraction            |  NtpShort
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A timestamp does not say its era (136 years each, era 1 starts 2036-02-07T06:28:16Z), so it has
// no ordering; only differences (wrapping, exact within ±68 years) and equality are meaningful. To
// place one in absolute time, see UnixTime::FromNtp, which picks the era nearest a reference.
// Value types; thread-compatible.
#ifndef TEMPUS_CORE_TIME_NTP_TIMESTAMP_H_
#define TEMPUS_CORE_TIME_NTP_TIMESTAMP_H_

#include <cstdint>

#include "core/time/ntp_duration.h"

namespace tempus::core {

class NtpTimestamp {
 public:
  constexpr NtpTimestamp() = default;
  static constexpr NtpTimestamp FromRaw(uint64_t raw) { return NtpTimestamp(raw); }
  static constexpr NtpTimestamp FromParts(uint32_t seconds, uint32_t fraction) {
    return NtpTimestamp((uint64_t{seconds} << 32) | fraction);
  }

  constexpr uint64_t raw() const { return raw_; }
  constexpr uint32_t seconds() const { return static_cast<uint32_t>(raw_ >> 32); }
  constexpr uint32_t fraction() const { return static_cast<uint32_t>(raw_); }
  // The all-zero timestamp means "unknown" on the wire (RFC 5905 §6).
  constexpr bool IsZero() const { return raw_ == 0; }

  // a - b as a signed span, exact when the two are within 68 years of each other.
  friend constexpr NtpDuration operator-(NtpTimestamp a, NtpTimestamp b) {
    return NtpDuration::FromRaw(static_cast<int64_t>(a.raw_ - b.raw_));
  }
  friend constexpr NtpTimestamp operator+(NtpTimestamp t, NtpDuration d) {
    return NtpTimestamp(t.raw_ + static_cast<uint64_t>(d.raw()));
  }
  friend constexpr NtpTimestamp operator-(NtpTimestamp t, NtpDuration d) {
    return NtpTimestamp(t.raw_ - static_cast<uint64_t>(d.raw()));
  }
  friend constexpr bool operator==(NtpTimestamp, NtpTimestamp) = default;

 private:
  constexpr explicit NtpTimestamp(uint64_t raw) : raw_(raw) {}
  uint64_t raw_ = 0;
};

// Unsigned 16.16 seconds: root delay and root dispersion on the wire.
class NtpShort {
 public:
  constexpr NtpShort() = default;
  static constexpr NtpShort FromRaw(uint32_t raw) { return NtpShort(raw); }
  // Rounds to nearest; negative spans become 0, spans of 65536 s or more saturate.
  static constexpr NtpShort FromDuration(NtpDuration d) {
    if (d.raw() <= 0) return NtpShort(0);
    if (d.raw() >= kSaturatesAt) return NtpShort(UINT32_MAX);  // also keeps the rounding add below in range
    return NtpShort(static_cast<uint32_t>((d.raw() + (int64_t{1} << 15)) >> 16));
  }
  constexpr uint32_t raw() const { return raw_; }
  constexpr NtpDuration ToDuration() const { return NtpDuration::FromRaw(int64_t{raw_} << 16); }
  friend constexpr bool operator==(NtpShort, NtpShort) = default;

 private:
  constexpr explicit NtpShort(uint32_t raw) : raw_(raw) {}
  // The first raw duration that rounds to 2^32 units of 2^-16 s.
  static constexpr int64_t kSaturatesAt = (int64_t{UINT32_MAX} << 16) + (int64_t{1} << 15);
  uint32_t raw_ = 0;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_NTP_TIMESTAMP_H_

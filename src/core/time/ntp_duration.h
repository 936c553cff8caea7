// NtpDuration: a signed span of time in units of 2^-32 s (about 233 ps), range about ±68 years.
//
// The difference of two NTP timestamps (RFC 5905 §6: "the 64-bit ... difference ... preserves the
// full 64 bits") is an NtpDuration, and so are offsets θ, delays δ and dispersions ε. Conversions
// from floating point round to nearest and saturate; NaN becomes zero, so no NaN ever enters the
// core from a conversion. Arithmetic on raw values wraps like the NTP timestamps it derives from.
// A value type; thread-compatible.
#ifndef TEMPUS_CORE_TIME_NTP_DURATION_H_
#define TEMPUS_CORE_TIME_NTP_DURATION_H_

#include <compare>
#include <cstdint>

namespace tempus::core {

class NtpDuration {
 public:
  static constexpr int64_t kUnitsPerSecond = int64_t{1} << 32;

  constexpr NtpDuration() = default;
  static constexpr NtpDuration FromRaw(int64_t raw) { return NtpDuration(raw); }
  // Rounds to the nearest unit; saturates at the range; NaN gives zero.
  static NtpDuration FromSeconds(double seconds);
  // Exact to the nearest unit for any int64 count of nanoseconds within range; saturates beyond.
  static NtpDuration FromNanos(int64_t nanos);
  static NtpDuration FromMicros(int64_t micros) { return FromNanos(micros * 1000); }
  static NtpDuration FromMillis(int64_t millis) { return FromNanos(millis * 1000000); }
  static constexpr NtpDuration FromWholeSeconds(int64_t s) { return NtpDuration(s * kUnitsPerSecond); }
  static constexpr NtpDuration Zero() { return NtpDuration(0); }
  static constexpr NtpDuration Max() { return NtpDuration(INT64_MAX); }
  static constexpr NtpDuration Min() { return NtpDuration(INT64_MIN); }

  constexpr int64_t raw() const { return raw_; }
  constexpr double Seconds() const { return static_cast<double>(raw_) / static_cast<double>(kUnitsPerSecond); }
  // Rounded to the nearest nanosecond (ties away from zero).
  int64_t Nanos() const;

  // Wrapping arithmetic, as on the 64-bit NTP timestamps these spans come from.
  friend constexpr NtpDuration operator+(NtpDuration a, NtpDuration b) {
    return NtpDuration(static_cast<int64_t>(static_cast<uint64_t>(a.raw_) + static_cast<uint64_t>(b.raw_)));
  }
  friend constexpr NtpDuration operator-(NtpDuration a, NtpDuration b) {
    return NtpDuration(static_cast<int64_t>(static_cast<uint64_t>(a.raw_) - static_cast<uint64_t>(b.raw_)));
  }
  constexpr NtpDuration operator-() const { return NtpDuration(0) - *this; }
  NtpDuration& operator+=(NtpDuration o) { return *this = *this + o; }
  NtpDuration& operator-=(NtpDuration o) { return *this = *this - o; }
  // Halves, rounding toward negative infinity (exact for the offset/delay formulas' /2).
  constexpr NtpDuration Half() const { return NtpDuration(raw_ >> 1); }
  // Multiplies by a factor; rounds to nearest and saturates.
  NtpDuration Scaled(double factor) const;
  // |d|, saturating at Max() for Min().
  constexpr NtpDuration Abs() const { return raw_ < 0 ? (raw_ == INT64_MIN ? Max() : NtpDuration(-raw_)) : *this; }

  friend constexpr auto operator<=>(NtpDuration, NtpDuration) = default;

 private:
  constexpr explicit NtpDuration(int64_t raw) : raw_(raw) {}
  int64_t raw_ = 0;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_NTP_DURATION_H_

#include "core/time/ntp_duration.h"

#include <cmath>

#include "core/time/int128.h"

namespace tempus::core {
namespace {
constexpr double kMaxSeconds = 2147483647.0;  // INT64_MAX units, rounded down to whole seconds
}  // namespace

NtpDuration NtpDuration::FromSeconds(double seconds) {
  if (std::isnan(seconds)) return Zero();
  if (seconds >= kMaxSeconds + 1.0) return Max();
  if (seconds <= -kMaxSeconds - 1.0) return Min();
  const double units = std::nearbyint(seconds * static_cast<double>(kUnitsPerSecond));
  if (units >= 9223372036854775807.0) return Max();
  if (units <= -9223372036854775808.0) return Min();
  return NtpDuration(static_cast<int64_t>(units));
}

NtpDuration NtpDuration::FromNanos(int64_t nanos) {
  // units = round(nanos * 2^32 / 1e9), half away from zero, without a 128-bit division (this runs
  // for every clock reading and receive stamp): whole seconds shift, and the sub-second rest times
  // 2^32 (< 4.3e18) fits in 64 bits, so its division by the constant 1e9 is a multiplication.
  const uint64_t magnitude = nanos < 0 ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  const uint64_t seconds = magnitude / 1000000000;
  const uint64_t rest = magnitude % 1000000000;
  if (seconds >= (uint64_t{1} << 31)) return nanos < 0 ? Min() : Max();  // beyond +-2^63 units
  const uint64_t units = (seconds << 32) + (rest * kUnitsPerSecond + 500000000) / 1000000000;
  return NtpDuration(nanos < 0 ? -static_cast<int64_t>(units) : static_cast<int64_t>(units));
}

int64_t NtpDuration::Nanos() const {
  const Int128 scaled = static_cast<Int128>(raw_) * 1000000000;
  const Int128 half = kUnitsPerSecond / 2;
  const Int128 ns = scaled >= 0 ? (scaled + half) / kUnitsPerSecond : (scaled - half) / kUnitsPerSecond;
  return static_cast<int64_t>(ns);  // |raw_| < 2^63 units is < 2^63 ns: always fits
}

NtpDuration NtpDuration::Scaled(double factor) const {
  if (std::isnan(factor)) return Zero();
  const long double units = static_cast<long double>(raw_) * factor;
  if (units >= 9223372036854775807.0L) return Max();
  if (units <= -9223372036854775808.0L) return Min();
  return NtpDuration(static_cast<int64_t>(std::llround(units)));
}

}  // namespace tempus::core

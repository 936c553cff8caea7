// KernelTimeSource reads CLOCK_MONOTONIC and CLOCK_REALTIME (the only clocks the edge may read,
// ARCHITECTURE.md "I/O rules"); MeasurePrecisionLog2 follows ntpd's default_get_precision.
#include "clock/time_source.h"

#include <time.h>

#include <algorithm>

#include "base/check.h"

namespace tempus::clock {
namespace {

timespec ReadClock(clockid_t id) {
  timespec ts{};
  // clock_gettime cannot fail for these clock ids and a valid pointer.
  TEMPUS_CHECK(clock_gettime(id, &ts) == 0);
  return ts;
}

}  // namespace

core::MonoTime KernelTimeSource::Monotonic() {
  const timespec ts = ReadClock(CLOCK_MONOTONIC);
  // MonoTime::FromNanos(tv_sec * 1e9 + tv_nsec) to the bit (whole seconds are whole units),
  // without its divisions: every batch of requests reads it.
  const core::UnixTime t = core::UnixTime::FromTimespec(ts.tv_sec, ts.tv_nsec);
  return core::MonoTime::FromSinceOrigin(core::NtpDuration::FromRaw(t.seconds() * (int64_t{1} << 32) + t.fraction()));
}

core::UnixTime KernelTimeSource::Realtime() {
  const timespec ts = ReadClock(CLOCK_REALTIME);
  return core::UnixTime::FromTimespec(ts.tv_sec, ts.tv_nsec);
}

void ManualTimeSource::Advance(core::NtpDuration d) {
  TEMPUS_CHECK(d >= core::NtpDuration::Zero());
  realtime_ = realtime_ + d;
  monotonic_ += d;
}

int MeasurePrecisionLog2(TimeSource& source) {
  constexpr int kMaxReads = 100000;
  constexpr int kMinChanges = 20;
  const core::NtpDuration min_step = core::NtpDuration::FromNanos(20);
  const core::NtpDuration one_second = core::NtpDuration::FromWholeSeconds(1);
  core::NtpDuration tick = one_second;
  int changes = 0;
  core::UnixTime last = source.Realtime();
  for (int i = 0; i < kMaxReads && changes < kMinChanges; ++i) {
    const core::UnixTime now = source.Realtime();
    const core::NtpDuration step = now - last;
    last = now;
    if (step > min_step && step < one_second) {
      tick = std::min(tick, step);
      ++changes;
    }
  }
  if (changes == 0) return kDefaultPrecisionLog2;
  // The smallest p with tick <= 2^p.
  const int64_t raw = tick.raw();
  int log2 = 0;
  while (log2 > -31 && raw <= (int64_t{1} << (31 + log2))) --log2;
  return std::clamp(log2, -30, -6);
}

}  // namespace tempus::clock

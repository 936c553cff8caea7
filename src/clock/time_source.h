// TimeSource: where the clocks of src/clock read the kernel's CLOCK_MONOTONIC and CLOCK_REALTIME.
//
// A small interface so that VirtualClock and ObserveClock can be driven by hand in tests
// (ManualTimeSource) while the daemon uses KernelTimeSource. Mono readings use the same origin
// as every other CLOCK_MONOTONIC reading at the edge (MonoTime::FromNanos of the raw nanoseconds),
// so timers computed from one are valid for the other. Implementations here are not thread-safe.
#ifndef TEMPUS_CLOCK_TIME_SOURCE_H_
#define TEMPUS_CLOCK_TIME_SOURCE_H_

#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"
#include "core/time/unix_time.h"

namespace tempus::clock {

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // CLOCK_MONOTONIC (or its stand-in): never stepped.
  virtual core::MonoTime Monotonic() = 0;
  // CLOCK_REALTIME (or its stand-in): the kernel's notion of UTC.
  virtual core::UnixTime Realtime() = 0;
};

// The real kernel clocks, read with clock_gettime. Stateless.
class KernelTimeSource final : public TimeSource {
 public:
  core::MonoTime Monotonic() override;
  core::UnixTime Realtime() override;
};

// A source that moves only when told to (abseil's SimulatedClock): for tests.
class ManualTimeSource final : public TimeSource {
 public:
  ManualTimeSource(core::UnixTime realtime, core::MonoTime monotonic) : realtime_(realtime), monotonic_(monotonic) {}
  core::MonoTime Monotonic() override { return monotonic_; }
  core::UnixTime Realtime() override { return realtime_; }
  // Lets `d` of real time pass: both clocks advance by `d`. REQUIRES: d >= 0.
  void Advance(core::NtpDuration d);
  // Steps the kernel realtime clock alone by `d` (as if someone set the system clock).
  void StepRealtime(core::NtpDuration d) { realtime_ = realtime_ + d; }

 private:
  core::UnixTime realtime_;
  core::MonoTime monotonic_;
};

// log2 of the smallest step (> 20 ns, ntpd's MINSTEP) between successive Realtime() reads, as
// ntpd's default_get_precision measures it; clamped to [-30, -6]. Bounded to 100000 reads; a
// source that never advances (ManualTimeSource) yields kDefaultPrecisionLog2.
int MeasurePrecisionLog2(TimeSource& source);
inline constexpr int kDefaultPrecisionLog2 = -20;  // about 1 µs

}  // namespace tempus::clock

#endif  // TEMPUS_CLOCK_TIME_SOURCE_H_

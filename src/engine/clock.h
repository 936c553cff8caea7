// engine::Clock: the only way the engine reads or steers time.
//
// Implementations: clock::SystemClock (the kernel clock; the only code allowed to change it),
// clock::ObserveClock (the kernel clock plus a correction in software; never steers it),
// clock::VirtualClock (a software clock over CLOCK_MONOTONIC with its own offset and frequency,
// for tests, the demo and benchmarks), and the simulator's clock. Every timestamp the daemon sends or compares comes
// from its Clock. Not thread-safe: owned and used by the engine's single timing thread.
#ifndef TEMPUS_ENGINE_CLOCK_H_
#define TEMPUS_ENGINE_CLOCK_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "base/sys_error.h"
#include "core/discipline/clock_command.h"
#include "core/time/instant.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"
#include "core/time/unix_time.h"

namespace tempus::engine {

class Clock {
 public:
  virtual ~Clock() = default;

  // The time this clock says now.
  virtual core::UnixTime Now() = 0;
  // A monotonic reading for timers and intervals; never stepped or slewed.
  virtual core::MonoTime Mono() = 0;
  // Both at once: the one reading the engine takes at the start of each event (core/time/instant.h).
  virtual core::Instant Read() { return {Mono(), Now()}; }
  // Maps a kernel software receive timestamp (CLOCK_REALTIME, from SO_TIMESTAMPING) to this
  // clock's time scale. Identity for clocks that are the kernel clock.
  virtual core::UnixTime FromKernelRealtime(core::UnixTime kernel_stamp) = 0;

  // One reading for a batch of received datagrams: the Instant (as Read), the kernel's
  // CLOCK_REALTIME at the same moment, and this clock's rate against it, from which
  // MapKernelRealtime maps each receive stamp of the batch without reading a clock again.
  struct BatchReading {
    core::Instant now;
    core::UnixTime kernel;
    // This clock's rate against the kernel's over `steady`, minus one, in 2^-64 (1 ppm: 2^64/1e6).
    int64_t excess_rate = 0;
    core::NtpDuration steady = core::NtpDuration::Max();  // how long before `now` the rate held
  };
  virtual BatchReading ReadBatch() {
    const core::Instant now = Read();
    return {now, now.local, 0, core::NtpDuration::Max()};
  }
  // FromKernelRealtime(kernel_stamp) as of `at`, to a rounding error far below a nanosecond. The
  // default reads again (FromKernelRealtime).
  virtual core::UnixTime MapKernelRealtime(core::UnixTime kernel_stamp, const BatchReading& /*at*/) {
    return FromKernelRealtime(kernel_stamp);
  }
  // The clock as a straight line over CLOCK_MONOTONIC, for threads that answer time requests
  // without this object (tempusd's workers, which must not touch it): from `at` the clock runs at
  // 1 + excess_rate (2^-64) times the monotonic rate for `holds_for` (until a slew ends); with
  // `kernel`, the clock is CLOCK_REALTIME itself. Valid until the next Apply (the owner publishes
  // a new one). nullopt: the clock has no such form (the simulator's).
  struct Line {
    bool kernel = false;
    core::Instant at;
    int64_t excess_rate = 0;
    core::NtpDuration holds_for = core::NtpDuration::Max();
  };
  virtual std::optional<Line> LinearForm() { return std::nullopt; }
  // Carries out a command of the discipline (observe: on its software correction).
  [[nodiscard]] virtual Result<void, SysError> Apply(const core::discipline::ClockCommand& command) = 0;
  // The frequency correction in effect, in ppm (what SetFrequency last set).
  virtual double FrequencyPpm() const = 0;
  // "system", "observe", "virtual" or "sim".
  virtual std::string_view Kind() const = 0;
  // log2 of the clock's reading resolution in seconds (the packet's precision field).
  virtual int PrecisionLog2() const = 0;
  // How far the system (kernel) clock is behind the time this clock serves, for a clock that
  // serves a corrected kernel time without steering it (observe): what an operator reads as "how
  // far off is my system clock". nullopt for the others (system is the kernel clock; virtual and
  // the simulator's keep their own time).
  virtual std::optional<core::NtpDuration> SystemClockOffset() { return std::nullopt; }
};

// The time `line` gives at monotonic `mono`, `realtime` being CLOCK_REALTIME at that moment (the
// answer for a `kernel` line). Thread-safe: a pure function of its arguments.
core::UnixTime LineAt(const Clock::Line& line, core::MonoTime mono, core::UnixTime realtime);

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_CLOCK_H_

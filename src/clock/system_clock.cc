// SystemClock: the only code in tempus that steers the machine's clock (clock_adjtime on
// CLOCK_REALTIME). Never executed by a test.
#include "clock/system_clock.h"

#include <sys/timex.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <string>

namespace tempus::clock {
namespace {

std::string FormatSeconds(core::NtpDuration d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.9f s", d.Seconds());
  return buf;
}

// Runs clock_adjtime on CLOCK_REALTIME; `what` names the attempt for the error.
Result<void, SysError> Adjust(timex* tx, const std::string& what) {
  if (clock_adjtime(CLOCK_REALTIME, tx) >= 0) return {};  // TIME_OK..TIME_ERROR are all success
  const int err = errno;
  std::string op = what + " with clock_adjtime";
  if (err == EPERM) op += " (needs CAP_SYS_TIME; use the observe or virtual clock without it)";
  return Unexpected(SysError{std::move(op), err});
}

// Microseconds, saturated to a kernel long field's sensible range.
long Micros(core::NtpDuration d, long limit) {
  const int64_t us = d.Nanos() / 1000;
  return static_cast<long>(std::clamp<int64_t>(us, -limit, limit));
}

}  // namespace

SystemClock::SystemClock() : precision_log2_(MeasurePrecisionLog2(kernel_)) {}

Result<void, SysError> SystemClock::Apply(const core::discipline::ClockCommand& command) {
  return std::visit(
      [this](const auto& c) -> Result<void, SysError> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, core::discipline::StepClock>) return Step(c);
        if constexpr (std::is_same_v<T, core::discipline::SlewClock>) return Slew(c);
        if constexpr (std::is_same_v<T, core::discipline::SetFrequency>) return SetFrequency(c);
        if constexpr (std::is_same_v<T, core::discipline::SetSyncStatus>) return SetStatus(c);
      },
      command);
}

Result<void, SysError> SystemClock::Step(const core::discipline::StepClock& c) {
  // ADJ_SETOFFSET adds tx.time to the clock; with ADJ_NANO tv_usec holds nanoseconds, 0..1e9-1.
  const int64_t ns = c.offset.Nanos();
  int64_t sec = ns / 1000000000;
  int64_t nsec = ns % 1000000000;
  if (nsec < 0) {
    nsec += 1000000000;
    --sec;
  }
  timex tx{};
  tx.modes = ADJ_SETOFFSET | ADJ_NANO;
  tx.time.tv_sec = static_cast<time_t>(sec);
  tx.time.tv_usec = static_cast<suseconds_t>(nsec);
  return Adjust(&tx, "step the system clock by " + FormatSeconds(c.offset));
}

Result<void, SysError> SystemClock::Slew(const core::discipline::SlewClock& c) {
  const std::string what = "slew the system clock by " + FormatSeconds(c.offset);
  if (std::fabs(c.offset.Seconds()) > kMaxSlewSeconds) {
    return Unexpected(SysError{what + ": more than the kernel slews at once (2145 s)", EINVAL});
  }
  // adjtime() semantics: the kernel slews at 500 ppm and a new offset replaces the remainder.
  timex tx{};
  tx.modes = ADJ_OFFSET_SINGLESHOT;
  tx.offset = static_cast<long>(c.offset.Nanos() / 1000);
  return Adjust(&tx, what);
}

Result<void, SysError> SystemClock::SetFrequency(const core::discipline::SetFrequency& c) {
  // The kernel runs at the estimate plus the discipline's temporary slew; it is the discipline
  // that takes the slew back (a second SetFrequency), as chrony's sys_generic does with a timer.
  const double ppm = std::isnan(c.freq_ppm) ? 0.0 : std::clamp(c.freq_ppm, -kMaxFreqPpm, kMaxFreqPpm);
  const double slew = std::isnan(c.slew_ppm) ? 0.0 : c.slew_ppm;
  const double total = std::clamp(ppm + slew, -kMaxFreqPpm, kMaxFreqPpm);
  timex tx{};
  tx.modes = ADJ_FREQUENCY;
  tx.freq = std::lround(total * 65536.0);  // ppm with a 16-bit binary fraction
  char what[96];
  std::snprintf(what, sizeof what, "set the system clock frequency to %+.3f ppm (slewing %+.3f ppm)", ppm, total - ppm);
  auto result = Adjust(&tx, what);
  if (result) freq_ppm_ = ppm;
  return result;
}

Result<void, SysError> SystemClock::SetStatus(const core::discipline::SetSyncStatus& c) {
  // Read the status (modes 0 changes nothing), then set only the bits tempus owns.
  timex tx{};
  if (clock_adjtime(CLOCK_REALTIME, &tx) < 0) return Unexpected(SysError{"read the kernel clock status", errno});
  int status = tx.status & ~(STA_UNSYNC | STA_INS | STA_DEL | STA_PLL | STA_FLL);
  if (!c.synchronized || c.leap == core::Leap::kUnsynchronized) status |= STA_UNSYNC;
  if (c.leap == core::Leap::kInsertSecond) status |= STA_INS;
  if (c.leap == core::Leap::kDeleteSecond) status |= STA_DEL;
  constexpr long kPhaseLimitUs = 16000000;  // NTP_PHASE_LIMIT: the kernel caps maxerror at 16 s
  tx = timex{};
  tx.modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR;
  tx.status = status;
  tx.maxerror = Micros(c.max_error, kPhaseLimitUs);
  tx.esterror = Micros(c.est_error, kPhaseLimitUs);
  return Adjust(&tx, std::string("set the kernel clock status (leap ") + std::string(core::LeapName(c.leap)) + ")");
}

}  // namespace tempus::clock

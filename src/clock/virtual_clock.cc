// VirtualClock: piecewise-linear virtual time over a monotonic source, in 2^-64 s fixed point.
#include "clock/virtual_clock.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "base/check.h"

namespace tempus::clock {
namespace {

using core::Int128;
using core::NtpDuration;

constexpr int64_t kMillion = 1000000;

// A rate in ppm as a count of 2^-32 ppm (exact to 2e-10 ppm).
int64_t PpmToQ32(double ppm) { return std::llround(ppm * 4294967296.0); }

// 2^-64 s since the Unix epoch.
Int128 ToFine(core::UnixTime t) { return ((static_cast<Int128>(t.seconds()) << 32) + t.fraction()) << 32; }
Int128 ToFine(NtpDuration d) { return static_cast<Int128>(d.raw()) << 32; }

// Rounds to the nearest 2^-32 s.
core::UnixTime FromFine(Int128 fine) {
  const Int128 units = (fine + (Int128{1} << 31)) >> 32;
  return core::UnixTime::FromParts(static_cast<int64_t>(units >> 32),
                                   static_cast<uint32_t>(static_cast<core::UInt128>(units) & 0xffffffffu));
}

NtpDuration FineToDuration(Int128 fine) {
  return NtpDuration::FromRaw(static_cast<int64_t>((fine + (Int128{1} << 31)) >> 32));
}

// `elapsed` (2^-32 s) times a rate in 2^-32 ppm, in 2^-64 s: the 128-bit product divided by a
// million, truncated toward zero, without a 128-bit division (a call into libgcc, twice per batch
// of requests). With ppm = q 1e6 + r and elapsed = e1 1e6 + e0 (each remainder with its
// dividend's sign), elapsed ppm / 1e6 = elapsed q + e1 r + e0 r / 1e6, whose terms all have one
// sign, so truncating the last one alone truncates the sum; |e1 r| < 2^63 and |e0 r| < 1e12.
Int128 ScaleByPpm(int64_t elapsed_raw, int64_t ppm_q32) {
  const int64_t q = ppm_q32 / kMillion;
  const int64_t r = ppm_q32 % kMillion;
  const int64_t e1 = elapsed_raw / kMillion;
  const int64_t e0 = elapsed_raw % kMillion;
  return static_cast<Int128>(elapsed_raw) * q + e1 * r + e0 * r / kMillion;
}

}  // namespace

VirtualClock::VirtualClock(std::shared_ptr<TimeSource> source, const Options& options)
    : source_(std::move(source)), options_(options), precision_log2_(kDefaultPrecisionLog2) {
  TEMPUS_CHECK(source_ != nullptr);
  TEMPUS_CHECK(options_.slew_rate_ppm > 0 && options_.max_freq_ppm >= 0);
  precision_log2_ = MeasurePrecisionLog2(*source_);
  anchor_mono_ = source_->Monotonic();
  anchor_value_ = ToFine(source_->Realtime()) + ToFine(options_.initial_offset);
  rate_ppm_q32_ = PpmToQ32(options_.freq_error_ppm);
  slew_rate_ppm_q32_ = PpmToQ32(options_.slew_rate_ppm);
  slew_start_ = anchor_mono_;
  CacheRates();
}

void VirtualClock::CacheRates() {
  slew_end_ = SlewEnd();
  // ppm in 2^-32 ppm to a fraction in 2^-64: times 2^32 / 1e6 (at most 1000 ppm: ~2^54).
  excess_rate_ = static_cast<int64_t>(ScaleByPpm(int64_t{1} << 32, rate_ppm_q32_));
  const int64_t slewing = rate_ppm_q32_ + (slew_total_ < 0 ? -slew_rate_ppm_q32_ : slew_rate_ppm_q32_);
  slewing_excess_rate_ = static_cast<int64_t>(ScaleByPpm(int64_t{1} << 32, slewing));
}

Int128 VirtualClock::BaseAt(core::MonoTime m) const {
  const int64_t elapsed = (m - anchor_mono_).raw();
  return anchor_value_ + (static_cast<Int128>(elapsed) << 32) + ScaleByPpm(elapsed, rate_ppm_q32_);
}

Int128 VirtualClock::SlewProgressAt(core::MonoTime m) const {
  if (slew_total_ == 0 || m <= slew_start_) return 0;
  const Int128 possible = ScaleByPpm((m - slew_start_).raw(), slew_rate_ppm_q32_);
  const Int128 magnitude = slew_total_ < 0 ? -slew_total_ : slew_total_;
  const Int128 done = std::min(possible, magnitude);
  return slew_total_ < 0 ? -done : done;
}

core::UnixTime VirtualClock::Now() { return FromFine(At(source_->Monotonic())); }

core::UnixTime VirtualClock::FromKernelRealtime(core::UnixTime kernel_stamp) {
  const core::MonoTime mono_now = source_->Monotonic();
  const core::UnixTime real_now = source_->Realtime();
  return FromFine(At(mono_now - (real_now - kernel_stamp)));
}

engine::Clock::BatchReading VirtualClock::ReadBatch() {
  const core::MonoTime mono = source_->Monotonic();
  const core::UnixTime kernel = source_->Realtime();
  // The rate holds since the last frequency change, step or slew start, and the end of a slew
  // (the rates and the end cached at each change: CacheRates).
  int64_t excess_rate = excess_rate_;
  NtpDuration steady = std::min(mono - anchor_mono_, mono - slew_start_);
  if (slew_end_) {
    if (mono < *slew_end_) {
      excess_rate = slewing_excess_rate_;
    } else {
      steady = std::min(steady, mono - *slew_end_);
    }
  }
  return {{mono, FromFine(At(mono))}, kernel, excess_rate, steady};
}

std::optional<core::MonoTime> VirtualClock::SlewEnd() const {
  if (slew_total_ == 0) return std::nullopt;
  const Int128 magnitude = slew_total_ < 0 ? -slew_total_ : slew_total_;
  const double seconds = static_cast<double>(magnitude) / 18446744073709551616.0 / (options_.slew_rate_ppm * 1e-6);
  return slew_start_ + NtpDuration::FromSeconds(seconds);
}

std::optional<engine::Clock::Line> VirtualClock::LinearForm() {
  const BatchReading r = ReadBatch();
  Line line{false, r.now, r.excess_rate, NtpDuration::Max()};
  if (slew_end_ && r.now.mono < *slew_end_) line.holds_for = *slew_end_ - r.now.mono;
  return line;
}

core::UnixTime VirtualClock::MapKernelRealtime(core::UnixTime kernel_stamp, const BatchReading& at) {
  // Within a second, and while the rate held, the clock is linear: the age scaled by the rate (a
  // multiplication, no division), exact to the unit (2^-32 s) but for the rounding of the rate to
  // 2^-64 and of the slew's end to a unit. In units from the seconds and fractions as they are
  // (the seconds at most one apart: no overflow, no 128-bit or out-of-line UnixTime arithmetic;
  // this runs for every datagram of a batch).
  const uint64_t second_apart =
      static_cast<uint64_t>(at.kernel.seconds()) - static_cast<uint64_t>(kernel_stamp.seconds()) + 1;
  if (second_apart <= 2) {
    const int64_t age = (static_cast<int64_t>(second_apart) - 1) * NtpDuration::kUnitsPerSecond +
                        (int64_t{at.kernel.fraction()} - int64_t{kernel_stamp.fraction()});
    if (age <= NtpDuration::kUnitsPerSecond && age >= -NtpDuration::kUnitsPerSecond && age <= at.steady.raw()) {
      const int64_t back = age + static_cast<int64_t>((static_cast<Int128>(age) * at.excess_rate) >> 64);
      // at.now.local - back, as UnixTime's operator- adds: the low word to the fraction, the
      // rest (floored) to the seconds.
      const uint64_t fraction = uint64_t{at.now.local.fraction()} + (static_cast<uint64_t>(-back) & 0xffffffffu);
      return core::UnixTime::FromParts(at.now.local.seconds() + ((-back) >> 32) + static_cast<int64_t>(fraction >> 32),
                                       static_cast<uint32_t>(fraction));
    }
  }
  // Beyond a second, or across a change of rate: the exact path (one 128-bit evaluation).
  const NtpDuration age = at.kernel - kernel_stamp;
  return FromFine(At(at.now.mono - age));
}

NtpDuration VirtualClock::TrueOffset() {
  const core::MonoTime mono_now = source_->Monotonic();
  const core::UnixTime real_now = source_->Realtime();
  return FineToDuration(At(mono_now) - ToFine(real_now));
}

NtpDuration VirtualClock::SlewRemaining() { return FineToDuration(slew_total_ - SlewProgressAt(source_->Monotonic())); }

void VirtualClock::SetCorrection(double ppm, double slew_ppm) {
  // Close the interval at the old rate, then run at the new one: the estimate plus the temporary
  // slew, clamped as a whole as the kernel clamps ADJ_FREQUENCY.
  const core::MonoTime now = source_->Monotonic();
  anchor_value_ = BaseAt(now);
  anchor_mono_ = now;
  ppm = std::isnan(ppm) ? 0.0 : ppm;
  slew_ppm = std::isnan(slew_ppm) ? 0.0 : slew_ppm;
  correction_ppm_ = std::clamp(ppm, -options_.max_freq_ppm, options_.max_freq_ppm);
  const double total = std::clamp(ppm + slew_ppm, -options_.max_freq_ppm, options_.max_freq_ppm);
  rate_ppm_q32_ = PpmToQ32(options_.freq_error_ppm + total);
  CacheRates();
}

void VirtualClock::StartSlew(NtpDuration offset) {
  // adjtime(): what was slewed so far stays; the unfinished remainder is replaced.
  const core::MonoTime now = source_->Monotonic();
  anchor_value_ += SlewProgressAt(now);
  slew_start_ = now;
  slew_total_ = ToFine(offset);
  CacheRates();
}

void VirtualClock::Step(NtpDuration offset) {
  const core::MonoTime now = source_->Monotonic();
  anchor_value_ += SlewProgressAt(now) + ToFine(offset);
  slew_start_ = now;
  slew_total_ = 0;
  CacheRates();
}

Result<void, SysError> VirtualClock::Apply(const core::discipline::ClockCommand& command) {
  std::visit(
      [this](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, core::discipline::StepClock>) {
          Step(c.offset);
        } else if constexpr (std::is_same_v<T, core::discipline::SlewClock>) {
          StartSlew(c.offset);
        } else if constexpr (std::is_same_v<T, core::discipline::SetFrequency>) {
          SetCorrection(c.freq_ppm, c.slew_ppm);
        } else {
          sync_status_ = c;
        }
      },
      command);
  return {};
}

}  // namespace tempus::clock

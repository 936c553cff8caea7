// FakeClock: an engine::Clock advanced by hand, for tests (like abseil's SimulatedClock).
#ifndef TEMPUS_TESTS_ENGINE_FAKE_CLOCK_H_
#define TEMPUS_TESTS_ENGINE_FAKE_CLOCK_H_

#include <vector>

#include "engine/clock.h"

namespace tempus::engine {

class FakeClock : public Clock {
 public:
  explicit FakeClock(core::UnixTime start) : now_(start) {}

  // Each Now() call advances the clock by `step_per_read` after reading (0 by default).
  void set_step_per_read(core::NtpDuration d) { step_per_read_ = d; }
  void Advance(core::NtpDuration d) {
    now_ = now_ + d;
    mono_ += d;
  }
  // Offset of this clock from the kernel clock, used by FromKernelRealtime.
  void set_kernel_offset(core::NtpDuration d) { kernel_offset_ = d; }
  const std::vector<core::discipline::ClockCommand>& applied() const { return applied_; }

  core::UnixTime Now() override {
    ++now_reads_;
    return NowUncounted();
  }
  core::MonoTime Mono() override {
    ++mono_reads_;
    return mono_;
  }
  core::Instant Read() override {
    ++instant_reads_;
    const core::MonoTime mono = mono_;
    return {mono, NowUncounted()};
  }
  // How often each reading was taken (the engine reads once per event: Read()).
  struct Reads {
    uint64_t instant = 0, now = 0, mono = 0;
  };
  Reads reads() const { return {instant_reads_, now_reads_, mono_reads_}; }
  core::UnixTime FromKernelRealtime(core::UnixTime k) override { return k + kernel_offset_; }
  Result<void, SysError> Apply(const core::discipline::ClockCommand& c) override {
    applied_.push_back(c);
    if (const auto* step = std::get_if<core::discipline::StepClock>(&c)) now_ = now_ + step->offset;
    if (const auto* f = std::get_if<core::discipline::SetFrequency>(&c)) freq_ppm_ = f->freq_ppm;
    return {};
  }
  double FrequencyPpm() const override { return freq_ppm_; }
  std::string_view Kind() const override { return "fake"; }
  int PrecisionLog2() const override { return -24; }

 private:
  core::UnixTime NowUncounted() {
    const core::UnixTime t = now_;
    Advance(step_per_read_);
    return t;
  }

  uint64_t instant_reads_ = 0, now_reads_ = 0, mono_reads_ = 0;
  core::UnixTime now_;
  core::MonoTime mono_;
  core::NtpDuration step_per_read_;
  core::NtpDuration kernel_offset_;
  double freq_ppm_ = 0;
  std::vector<core::discipline::ClockCommand> applied_;
};

}  // namespace tempus::engine

#endif  // TEMPUS_TESTS_ENGINE_FAKE_CLOCK_H_

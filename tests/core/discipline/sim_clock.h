// A tiny simulated clock and network path for the discipline tests (test-only; randomness lives
// here, never in src/core).
//
// The clock's error x = clock − true time grows at its natural frequency error y (a random walk
// of `wander` per √s) plus the commanded frequency correction, and moves by SlewClock at a fixed
// slew rate (replacing any slew in progress) and by StepClock at once. A measurement against a
// perfect server sees θ = −x + (d1 − d2)/2 and δ = d1 + d2 with one-way delays d = base + Exp.
#ifndef TEMPUS_TESTS_CORE_DISCIPLINE_SIM_CLOCK_H_
#define TEMPUS_TESTS_CORE_DISCIPLINE_SIM_CLOCK_H_

#include <cmath>
#include <random>
#include <type_traits>
#include <variant>

#include "core/discipline/clock_command.h"

namespace tempus::core::discipline::testing {

struct SimClockParams {
  double initial_error_s = -0.1;  // clock − true: −0.1 s means a measured offset of +0.1 s
  double freq_error = 100e-6;     // natural frequency error, s/s (runs fast)
  double wander = 1e-9;           // frequency random walk, (s/s)/√s
  double slew_rate = 500e-6;      // s/s: adjtime()'s rate, as VirtualClock and SystemClock
  double base_delay_s = 50e-6;    // one way
  double mean_queue_s = 100e-6;   // one way, exponential
};

class SimClock {
 public:
  SimClock(SimClockParams p, uint64_t seed) : p_(p), x_(p.initial_error_s), y_(p.freq_error), rng_(seed) {}

  // Advances true time by dt seconds.
  void Advance(double dt) {
    x_ += (y_ + f_) * dt;
    const double step = std::min(std::fabs(slew_left_), p_.slew_rate * dt);
    const double s = slew_left_ >= 0 ? step : -step;
    x_ += s;
    slew_left_ -= s;
    y_ += p_.wander * std::sqrt(dt) * normal_(rng_);
    t_ += dt;
  }
  void Apply(const ClockCommand& c) {
    std::visit(
        [&](const auto& cmd) {
          using T = std::decay_t<decltype(cmd)>;
          if constexpr (std::is_same_v<T, StepClock>) x_ += cmd.offset.Seconds();
          if constexpr (std::is_same_v<T, SlewClock>) slew_left_ = cmd.offset.Seconds();
          if constexpr (std::is_same_v<T, SetFrequency>) f_ = (cmd.freq_ppm + cmd.slew_ppm) * 1e-6;
        },
        c);
  }
  struct Measurement {
    double offset_s;
    double delay_s;
  };
  Measurement Measure() {
    const double d1 = p_.base_delay_s + exp_(rng_) * p_.mean_queue_s;
    const double d2 = p_.base_delay_s + exp_(rng_) * p_.mean_queue_s;
    return {-x_ + (d1 - d2) / 2, d1 + d2};
  }
  double error() const { return x_; }  // clock − true time, s
  double time() const { return t_; }
  // The frequency error left after correction, s/s.
  double residual_frequency() const { return y_ + f_; }
  void JumpFrequency(double dy) { y_ += dy; }

 private:
  SimClockParams p_;
  double x_;
  double y_;
  double f_ = 0.0;
  double slew_left_ = 0.0;
  double t_ = 0.0;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::exponential_distribution<double> exp_{1.0};
};

}  // namespace tempus::core::discipline::testing

#endif  // TEMPUS_TESTS_CORE_DISCIPLINE_SIM_CLOCK_H_

// Closed-loop tests: Discipline steering a simulated clock (sim_clock.h). They print the figures
// that docs/discipline.md reports and fail when convergence or accuracy fall behind the project's
// bar (chrony 4.3 in a simulator on the same scenario: poll 16 s: RMS 10.5 µs and 34 s to
// |offset| < 1 ms; default polling: RMS 125 µs and 131 s).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/discipline/discipline.h"
#include "core/filter/clock_filter.h"
#include "tests/core/discipline/sim_clock.h"

namespace tempus::core::discipline {
namespace {

using testing::SimClock;
using testing::SimClockParams;

constexpr double kTick = 0.25;  // simulation step, s

MonoTime Mono(double t) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(t)); }

struct Scenario {
  int poll_log2 = 4;  // fixed poll; −1: follow the discipline's recommendation
  double hours = 8.0;
  double settle_s = 3600.0;  // RMS and max are taken after this
  uint64_t seed = 1;
  DisciplineConfig config;
  SimClockParams clock;
  double jump_at_s = -1.0;  // when ≥ 0: the natural frequency jumps by jump then
  double jump = 0.0;
  // How samples reach the discipline: each with its delay (the design), each without a delay
  // (equal weights), or only what the RFC 5905 clock filter passes on.
  enum class Feed { kWeighted, kUnweighted, kClockFilter } feed = Feed::kWeighted;
  // Servers polled in turn at the poll interval, each on a path alike (SimClockParams'): the
  // discipline gets one sample per interval / sources.
  int sources = 1;
};

Scenario At(int poll_log2, uint64_t seed, double hours = 8.0) {
  Scenario s;
  s.poll_log2 = poll_log2;
  s.seed = seed;
  s.hours = hours;
  return s;
}

struct RunResult {
  double converged_s = 0;      // first time after which |error| < 1 ms until the end
  double rms_s = 0;            // RMS of the true error after settle_s, sampled every second
  double max_s = 0;            // max |error| after settle_s
  double max_rate = 0;         // largest change of the error over one second after settle_s, s/s
  double mean_interval_s = 0;  // simulated time per update
  int poll_before_jump = 0;
  int min_poll_after_jump = 99;
  int final_poll = 0;
  int steps = 0;
  double max_frequency_error_ppm = 0;  // the largest frequency error the discipline reports after settle_s
};

RunResult Simulate(const Scenario& s) {
  SimClock clock(s.clock, s.seed);
  Discipline d(s.config);
  filter::ClockFilter filter;
  for (const ClockCommand& c : d.InitialCommands()) clock.Apply(c);
  const double end = s.hours * 3600;
  double next_poll = 1.0, next_check = 0.0, jump_at = s.jump_at_s;
  double last_bad = 0.0, sum_sq = 0.0, last_error = clock.error();
  long checks = 0, updates = 0;
  int poll = s.poll_log2 >= 0 ? s.poll_log2 : s.config.min_poll.log2();
  RunResult r;
  while (clock.time() < end) {
    if (clock.time() >= next_poll) {
      const auto m = clock.Measure();
      const MonoTime now = Mono(clock.time());
      DisciplineInput in{NtpDuration::FromSeconds(m.offset_s), NtpDuration::FromSeconds(m.delay_s), NtpDuration::Zero(),
                         now, now};
      in.source = static_cast<uint32_t>(updates % s.sources);
      if (s.feed == Scenario::Feed::kUnweighted) {
        in.delay = NtpDuration::Zero();
        in.jitter = NtpDuration::FromMicros(100);
      } else if (s.feed == Scenario::Feed::kClockFilter) {
        const auto out = filter.Add({in.offset, in.delay, NtpDuration::Zero(), now}, PollExp(poll));
        if (!out.has_value()) in.when = MonoTime();  // nothing new: the discipline ignores it
        if (out.has_value()) {
          in.offset = out->offset;
          in.delay = out->delay;
          in.when = out->when;
        }
      }
      const DisciplineUpdate u = d.Update(in);
      if (u.kind == UpdateKind::kStepped) {
        filter.Reset();
        ++r.steps;
      }
      for (const ClockCommand& c : u.commands) clock.Apply(c);
      ++updates;
      if (s.poll_log2 < 0) poll = u.state.poll.log2();
      if (jump_at >= 0) r.poll_before_jump = u.state.poll.log2();
      if (s.jump_at_s >= 0 && jump_at < 0) r.min_poll_after_jump = std::min(r.min_poll_after_jump, u.state.poll.log2());
      r.final_poll = u.state.poll.log2();
      if (clock.time() >= s.settle_s) {
        r.max_frequency_error_ppm = std::max(r.max_frequency_error_ppm, u.state.frequency_error_ppm);
      }
      next_poll += std::ldexp(1.0, poll) / s.sources;
    }
    // The correction's timer (core::Node arms it at CorrectionEnd()).
    if (const auto e = d.CorrectionEnd(); e && *e <= Mono(clock.time())) {
      for (const ClockCommand& c : d.EndCorrection(Mono(clock.time()))) clock.Apply(c);
    }
    if (jump_at >= 0 && clock.time() >= jump_at) {
      clock.JumpFrequency(s.jump);
      jump_at = -1.0;
    }
    clock.Advance(kTick);
    if (clock.time() >= next_check) {
      next_check += 1.0;
      const double e = std::fabs(clock.error());
      if (e >= 1e-3) last_bad = clock.time();
      if (clock.time() >= s.settle_s) {
        sum_sq += e * e;
        r.max_s = std::max(r.max_s, e);
        r.max_rate = std::max(r.max_rate, std::fabs(clock.error() - last_error));
        ++checks;
      }
      last_error = clock.error();
    }
  }
  r.converged_s = last_bad;
  r.rms_s = checks > 0 ? std::sqrt(sum_sq / static_cast<double>(checks)) : 0.0;
  r.mean_interval_s = end / static_cast<double>(std::max(updates, 1L));
  return r;
}

void Print(const char* label, const RunResult& r) {
  std::printf(
      "[discipline] %-26s |offset|<1ms after %5.0f s, RMS %7.2f us, max %7.2f us, mean poll %5.0f s, 1-s rate %5.2f ppm\n",
      label, r.converged_s, r.rms_s * 1e6, r.max_s * 1e6, r.mean_interval_s, r.max_rate * 1e6);
}

// The project's scenario (SimClockParams defaults): +0.1 s offset, +100 ppm, 1 ppb/√s wander,
// exponential queueing of 100 µs mean each way.
TEST(DisciplineSim, ConvergesAndHoldsAtPoll16) {
  const RunResult r = Simulate(At(4, 1));
  Print("poll 16 s", r);
  EXPECT_LT(r.converged_s, 34.0);
  EXPECT_LT(r.rms_s, 10.5e-6);
  // Corrected through the frequency (issue 13 item 5): a 500 ppm adjtime() slew per update made
  // this 30 ppm in clknetsim's lan16 (chrony: 2.6 ppm).
  EXPECT_LT(r.max_rate, 5e-6);
}

TEST(DisciplineSim, AFastSlewingClockSlewsInsteadOfStepping) {
  // A clock that slews at 83333 ppm (chrony's maxslewrate) removes 0.1 s in 1.2 s without a step.
  Scenario s = At(4, 1);
  s.clock.slew_rate = 83333e-6;
  s.config.max_slew_ppm = 83333;
  const RunResult r = Simulate(s);
  Print("poll 16 s, slewed start", r);
  EXPECT_EQ(r.steps, 0);
  EXPECT_LT(r.converged_s, 34.0);
  EXPECT_LT(r.rms_s, 10.5e-6);
}

TEST(DisciplineSim, ConvergesAndHoldsAtPoll64) {
  const RunResult r = Simulate(At(6, 2));
  Print("poll 64 s", r);
  EXPECT_LT(r.converged_s, 131.0);  // the first two updates are 64 s apart
  EXPECT_LT(r.rms_s, 40e-6);
}

TEST(DisciplineSim, DefaultPollRangeBeatsChronyDefaultPolling) {
  Scenario s = At(-1, 3, 24.0);
  s.config.min_poll = PollExp(6);  // ntp.conf defaults: minpoll 6, maxpoll 10
  s.config.max_poll = PollExp(10);
  const RunResult r = Simulate(s);
  Print("adaptive poll 64..1024 s", r);
  EXPECT_LT(r.converged_s, 131.0);
  EXPECT_LT(r.rms_s, 125e-6);
  // chrony's packet budget (issue 13 item 2): the poll climbs to 1024 s within the first hours
  // (before, the Allan-intercept rule kept the mean at 280 s).
  EXPECT_GT(r.mean_interval_s, 500.0);
  EXPECT_LT(r.max_rate, 3e-6);
}

// A WAN path at 1024 s polls (clknetsim's wan: 10 ms each way plus 1 ms of exponential
// queueing, one exchange per poll) and a clock walking at 4 ppb/√s (four times clknetsim's). The
// offset and frequency come from a Kalman filter (branch kf12), whose frequency error also holds
// the walk since the samples; the error the discipline reports is the window's line's, what
// System::Settling waits for (below kSettledPpm, 0.5 ppm). With the filter's (0.67 ppm here),
// clknetsim wan's sources went back to 16 s polls for minutes and the clock was corrected at
// 10 ppm (seed 21).
TEST(DisciplineSim, AWanPathAt1024sPollsStaysSettled) {
  std::vector<double> rms;
  double worst_error_ppm = 0.0;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    Scenario s = At(10, seed, 48.0);
    s.settle_s = 12 * 3600.0;
    s.clock.base_delay_s = 10e-3;
    s.clock.mean_queue_s = 1e-3;
    s.clock.wander = 4e-9;
    const RunResult r = Simulate(s);
    rms.push_back(r.rms_s);
    worst_error_ppm = std::max(worst_error_ppm, r.max_frequency_error_ppm);
  }
  std::sort(rms.begin(), rms.end());
  const double median = (rms[3] + rms[4]) / 2.0;
  std::printf(
      "[discipline] wan at 1024 s polls, seeds 1-8: median RMS %.1f us, worst %.1f us, frequency error reported up to %.3f ppm\n",
      median * 1e6, rms.back() * 1e6, worst_error_ppm);
  EXPECT_LT(worst_error_ppm, 0.5);  // System::kSettledPpm
}

TEST(DisciplineSim, SeveralSeedsAtPoll16) {
  double worst_rms = 0, worst_conv = 0;
  for (uint64_t seed = 10; seed < 16; ++seed) {
    const RunResult r = Simulate(At(4, seed, 4.0));
    worst_rms = std::max(worst_rms, r.rms_s);
    worst_conv = std::max(worst_conv, r.converged_s);
  }
  std::printf("[discipline] poll 16 s, 6 seeds: worst RMS %.2f us, worst convergence %.0f s\n", worst_rms * 1e6,
              worst_conv);
  EXPECT_LT(worst_rms, 12e-6);
  EXPECT_LT(worst_conv, 34.0);
}

// Two servers on paths alike, polled in turn at 16 s, give the discipline a sample every 8 s,
// as one server polled at 8 s does, and are worth as much only if each one's samples are judged
// against the quickest exchanges of both: a delay floor per source, from half the samples,
// trusts its quickest exchange less and weighs the samples more evenly.
TEST(DisciplineSim, TwoServersOnPathsAlikeAreWorthOneAtTwiceTheRate) {
  double one = 0, two = 0;
  for (uint64_t seed = 60; seed < 68; ++seed) {
    Scenario s = At(3, seed, 6.0);
    one += Simulate(s).rms_s / 8;
    s = At(4, seed, 6.0);
    s.sources = 2;
    two += Simulate(s).rms_s / 8;
  }
  std::printf("[discipline] mean RMS of 8 seeds: one server at 8 s %.2f us, two at 16 s %.2f us\n", one * 1e6,
              two * 1e6);
  // A floor per source: 1.019 (1.027 with the correction time of branch rate3); pooled: 1.000
  // (1.012 with it). With the wander models scored over hours (branch mem10) one server at 8 s
  // gains more (5.78 -> 5.30 us) than two at 16 s (5.78 -> 5.42): pooled 1.023, a floor per
  // source 1.036. Deterministic; the margin is what pooling is worth here.
  EXPECT_LT(two, 1.03 * one);
}

// Why the discipline wants every sample with its delay (docs/discipline.md): the same scenario
// with equal weights, and with only the samples the RFC 5905 clock filter passes on.
TEST(DisciplineSim, DelayWeightingBeatsEqualWeightsAndTheClockFilter) {
  const Scenario::Feed feeds[3] = {Scenario::Feed::kWeighted, Scenario::Feed::kUnweighted,
                                   Scenario::Feed::kClockFilter};
  for (int poll : {4, 6}) {
    double rms[3] = {0, 0, 0};
    for (int f = 0; f < 3; ++f) {
      for (uint64_t seed = 40; seed < 48; ++seed) {
        Scenario s = At(poll, seed, 6.0);
        s.feed = feeds[f];
        rms[f] += Simulate(s).rms_s / 8;
      }
    }
    std::printf(
        "[discipline] poll %4.0f s, mean RMS of 8 seeds: delay-weighted %.2f us, equal weights %.2f us, "
        "via RFC clock filter %.2f us\n",
        std::ldexp(1.0, poll), rms[0] * 1e6, rms[1] * 1e6, rms[2] * 1e6);
    EXPECT_LT(rms[0], 0.8 * rms[1]);
    EXPECT_LT(rms[0], rms[2]);
  }
}

TEST(DisciplineSim, PollGrowsToMaxpollOnAStableClock) {
  Scenario s = At(-1, 4, 24.0);
  s.config.min_poll = PollExp(6);
  s.config.max_poll = PollExp(10);
  s.clock.wander = 0.0;
  const RunResult r = Simulate(s);
  Print("adaptive, no wander", r);
  EXPECT_EQ(r.final_poll, 10);
  EXPECT_LT(r.rms_s, 30e-6);
}

TEST(DisciplineSim, RecoversFromAFrequencyJump) {
  // A 2 ppm frequency jump (a temperature change) after four hours.
  Scenario jump = At(4, 5);
  jump.settle_s = 4 * 3600.0;
  jump.jump_at_s = 4 * 3600.0 + 7;
  jump.jump = 2e-6;
  const RunResult fixed = Simulate(jump);
  Print("poll 16 s, 2 ppm jump", fixed);
  EXPECT_LT(fixed.max_s, 300e-6);
  EXPECT_LT(fixed.rms_s, 25e-6);

  Scenario s = jump;
  s.poll_log2 = -1;
  s.config.min_poll = PollExp(4);
  const RunResult adaptive = Simulate(s);
  Print("adaptive 16..1024, jump", adaptive);
  std::printf("[discipline] poll before the jump 2^%d, lowest after 2^%d\n", adaptive.poll_before_jump,
              adaptive.min_poll_after_jump);
  EXPECT_LT(adaptive.min_poll_after_jump, adaptive.poll_before_jump);  // residuals rose: poll shrank
  EXPECT_LT(adaptive.max_s, 2e-3);
}

}  // namespace
}  // namespace tempus::core::discipline

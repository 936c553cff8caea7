// Benchmarks of the synchronization hot paths: one clock filter update, one selection over ten
// sources, one discipline update with a full 128-sample history.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "core/discipline/discipline.h"
#include "core/filter/clock_filter.h"
#include "core/select/select.h"

namespace tempus::core {

using filter::Sample;

namespace {

MonoTime Mono(double t) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(t)); }

// Deterministic pseudo-noise in [−1, 1) without <random>.
double Noise(uint64_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<double>(x >> 11) / static_cast<double>(1ull << 52) - 1.0;
}

void BM_ClockFilterAdd(benchmark::State& state) {
  filter::ClockFilter f;
  uint64_t i = 0;
  for (auto _ : state) {
    const Sample s{NtpDuration::FromSeconds(1e-4 * Noise(i)), NtpDuration::FromSeconds(3e-4 + 1e-4 * Noise(i + 7)),
                   NtpDuration::FromMicros(10), Mono(16.0 * static_cast<double>(i))};
    benchmark::DoNotOptimize(f.Add(s, PollExp(4)));
    ++i;
  }
}
BENCHMARK(BM_ClockFilterAdd);

void BM_SelectTenSources(benchmark::State& state) {
  std::vector<select::Candidate> cands;
  for (uint32_t id = 1; id <= 10; ++id) {
    select::Candidate c;
    c.id = id;
    c.offset = NtpDuration::FromSeconds(1e-3 * Noise(id));
    c.root_distance = NtpDuration::FromSeconds(5e-3 + 1e-3 * Noise(id + 100));
    c.jitter = NtpDuration::FromMicros(100);
    c.stratum = 2;
    c.reachable = true;
    cands.push_back(c);
  }
  for (auto _ : state) benchmark::DoNotOptimize(select::Select(cands, {}, 1u));
}
BENCHMARK(BM_SelectTenSources);

void BM_DisciplineUpdate(benchmark::State& state) {
  discipline::Discipline d;
  double t = 0;
  uint64_t i = 0;
  const auto next = [&] {
    t += 16.0;
    ++i;
    return discipline::DisciplineInput{NtpDuration::FromSeconds(5e-5 * Noise(i)),
                                       NtpDuration::FromSeconds(3e-4 + 1e-4 * Noise(i + 3)), NtpDuration::Zero(),
                                       Mono(t), Mono(t)};
  };
  for (int k = 0; k < 200; ++k) (void)d.Update(next());  // fill the history
  for (auto _ : state) benchmark::DoNotOptimize(d.Update(next()));
}
BENCHMARK(BM_DisciplineUpdate);

}  // namespace
}  // namespace tempus::core

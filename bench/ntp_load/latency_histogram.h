// LatencyHistogram: request-to-reply times in nanoseconds, kept in log-linear buckets (64 per
// power of two, so a percentile is within 1.6 % of the true value) with the exact maximum.
//
// Fixed memory (about 2,300 counters), O(1) to add, so the load generator can record every reply
// at half a million replies per second. Values above about 18 minutes are clamped. Not
// thread-safe.
#ifndef TEMPUS_BENCH_NTP_LOAD_LATENCY_HISTOGRAM_H_
#define TEMPUS_BENCH_NTP_LOAD_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace tempus::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Add(int64_t ns);
  uint64_t count() const { return count_; }
  int64_t max_ns() const { return max_ns_; }
  double mean_ns() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_ns_) / static_cast<double>(count_); }
  // The value below which a fraction `q` (0..1) of the samples lie: the middle of the bucket
  // holding that rank, never above the maximum. 0 when empty.
  int64_t Quantile(double q) const;

 private:
  static int BucketOf(uint64_t ns);
  static uint64_t BucketLow(int bucket);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t sum_ns_ = 0;
  int64_t max_ns_ = 0;
};

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_LATENCY_HISTOGRAM_H_

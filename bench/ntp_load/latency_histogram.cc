#include "ntp_load/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tempus::bench {
namespace {

constexpr int kSubBits = 6;  // 64 buckets per power of two
constexpr uint64_t kSub = 1u << kSubBits;
constexpr uint64_t kMaxNs = uint64_t{1} << 40;  // about 18 minutes
// Buckets 0..63 hold 0..63 ns exactly; then 64 per power of two up to 2^40.
constexpr int kBuckets = static_cast<int>((40 - kSubBits + 1) * kSub);

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

int LatencyHistogram::BucketOf(uint64_t ns) {
  if (ns < kSub) return static_cast<int>(ns);
  const int msb = std::bit_width(ns) - 1;
  const int shift = msb - kSubBits;
  return static_cast<int>((static_cast<uint64_t>(shift) + 1) * kSub + ((ns >> shift) - kSub));
}

uint64_t LatencyHistogram::BucketLow(int bucket) {
  const auto b = static_cast<uint64_t>(bucket);
  if (b < kSub) return b;
  const uint64_t shift = b / kSub - 1;
  return (b % kSub + kSub) << shift;
}

void LatencyHistogram::Add(int64_t ns) {
  const uint64_t v = std::min<uint64_t>(ns < 0 ? 0 : static_cast<uint64_t>(ns), kMaxNs - 1);
  ++buckets_[static_cast<size_t>(BucketOf(v))];
  ++count_;
  sum_ns_ += v;
  max_ns_ = std::max(max_ns_, static_cast<int64_t>(v));
}

int64_t LatencyHistogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the sample wanted, 1-based: the smallest r with r >= q * count.
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[static_cast<size_t>(b)];
    if (seen >= rank) {
      const uint64_t low = BucketLow(b);
      const uint64_t width = BucketLow(b + 1) - low;
      return std::min<int64_t>(static_cast<int64_t>(low + width / 2), max_ns_);
    }
  }
  return max_ns_;
}

}  // namespace tempus::bench

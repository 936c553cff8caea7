#include "core/select/intersection.h"

#include <algorithm>
#include <vector>

namespace tempus::core::select {
namespace {

struct Edge {
  NtpDuration value;
  int type;  // +1: lower edge (an interval begins), −1: upper edge (one ends)
};

// a + b without wrapping: offsets near ±68 years must not turn into their opposites.
NtpDuration SaturatingAdd(NtpDuration a, NtpDuration b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a.raw(), b.raw(), &sum)) return b.raw() > 0 ? NtpDuration::Max() : NtpDuration::Min();
  return NtpDuration::FromRaw(sum);
}

}  // namespace

std::optional<Intersection> Intersect(std::span<const Correctness> intervals) {
  const int n = static_cast<int>(intervals.size());
  std::vector<Edge> edges;
  edges.reserve(2 * intervals.size());
  for (const Correctness& c : intervals) {
    edges.push_back({SaturatingAdd(c.offset, -c.distance), +1});
    edges.push_back({SaturatingAdd(c.offset, c.distance), -1});
  }
  // Ascending by value; at equal values a lower edge comes first, so the intervals are closed.
  std::sort(edges.begin(), edges.end(),
            [](const Edge& a, const Edge& b) { return a.value != b.value ? a.value < b.value : a.type > b.type; });
  for (int allow = 0; 2 * allow < n; ++allow) {
    const int need = n - allow;
    // Lowest point covered by `need` intervals, scanning up; highest, scanning down.
    std::optional<NtpDuration> low, high;
    int count = 0;
    for (const Edge& e : edges) {
      count += e.type;
      if (count >= need) {
        low = e.value;
        break;
      }
    }
    count = 0;
    for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
      count -= it->type;
      if (count >= need) {
        high = it->value;
        break;
      }
    }
    if (low && high && *high > *low) return Intersection{*low, *high, allow};
  }
  return std::nullopt;
}

}  // namespace tempus::core::select

#include "core/node/once_per_source.h"

#include <algorithm>

namespace tempus::core::node {

OncePerSource::Verdict OncePerSource::Check(const NetAddress& source, MonoTime now) {
  auto* const end = seen_.begin() + static_cast<std::ptrdiff_t>(count_);
  if (std::find(seen_.begin(), end, source) != end) return {};
  if (!started_) {
    started_ = true;
    last_refill_ = now;
  }
  if (now > last_refill_) {
    tokens_ = std::min(kBurst, tokens_ + (now - last_refill_).Seconds() / kRefill.Seconds());
    last_refill_ = now;
  }
  if (tokens_ < 1) {
    ++suppressed_;
    return {};
  }
  tokens_ -= 1;
  seen_[next_] = source;
  next_ = (next_ + 1) % kRemembered;
  count_ = std::min(count_ + 1, kRemembered);
  Verdict v{true, suppressed_};
  suppressed_ = 0;
  return v;
}

}  // namespace tempus::core::node

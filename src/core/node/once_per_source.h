// OncePerSource: decides when a line about a packet's source is worth logging: once per source
// address, in bounded memory and at a bounded rate, so that a flood of packets with spoofed
// source addresses can neither grow memory nor fill the log.
//
// It remembers the last kRemembered distinct sources logged (the oldest is forgotten first) and
// allows at most kBurst new lines in a row, refilled at one per kRefill; a source refused for the
// rate is not remembered (its next packet may be logged) and is counted in the next line's
// `suppressed`. Time is passed in. Not thread-safe.
#ifndef TEMPUS_CORE_NODE_ONCE_PER_SOURCE_H_
#define TEMPUS_CORE_NODE_ONCE_PER_SOURCE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/net/net_address.h"
#include "core/time/mono_time.h"

namespace tempus::core::node {

class OncePerSource {
 public:
  static constexpr size_t kRemembered = 64;
  static constexpr double kBurst = 8;
  static constexpr NtpDuration kRefill = NtpDuration::FromWholeSeconds(60);

  struct Verdict {
    bool log = false;         // log a line about this source now
    uint64_t suppressed = 0;  // new sources not logged (rate) since the last line
  };

  // A packet from `source` at `now`: whether to log about it.
  Verdict Check(const NetAddress& source, MonoTime now);

 private:
  std::array<NetAddress, kRemembered> seen_{};
  size_t next_ = 0;
  size_t count_ = 0;
  double tokens_ = kBurst;
  MonoTime last_refill_;
  bool started_ = false;
  uint64_t suppressed_ = 0;
};

}  // namespace tempus::core::node

#endif  // TEMPUS_CORE_NODE_ONCE_PER_SOURCE_H_

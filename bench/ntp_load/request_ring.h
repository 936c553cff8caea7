// RequestRing: the requests in flight, in the order they were sent, matched to replies by cookie.
//
// Each request carries a cookie as its transmit timestamp (RFC 5905 §7.3: a server copies the
// request's transmit timestamp into the reply's origin timestamp): 32 random bits, then the
// request's sequence number. The low bits of the sequence number index a power-of-two ring, so
// matching a reply is one load and one compare, and a reply whose origin does not match (late,
// duplicated or forged) is refused. Requests are expired from the oldest end once older than the
// timeout, or when the ring is full (then they are older than capacity / send rate). O(1)
// amortized per request, fixed memory (16 bytes per slot). Not thread-safe.
#ifndef TEMPUS_BENCH_NTP_LOAD_REQUEST_RING_H_
#define TEMPUS_BENCH_NTP_LOAD_REQUEST_RING_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "base/random.h"

namespace tempus::bench {

class RequestRing {
 public:
  // `capacity` is rounded up to a power of two (at least 2). `random` supplies the cookies and
  // must outlive the ring.
  RequestRing(uint64_t capacity, Random* random);

  // Records a request sent at `now_ns` (>= 0) and returns its cookie. When the ring is full the
  // oldest slot is reused: if its request is still pending, on_lost(sent_ns) is called for it.
  template <typename F>
  uint64_t Issue(int64_t now_ns, F on_lost);
  // The send time of the request whose cookie is `origin`, which is then done; nullopt when no
  // request in flight has that cookie.
  std::optional<int64_t> Complete(uint64_t origin);
  // Expires the requests sent before `deadline_ns`, oldest first; calls on_lost(sent_ns) for
  // each and returns how many there were.
  template <typename F>
  uint64_t ExpireBefore(int64_t deadline_ns, F on_lost);

  uint64_t pending() const { return pending_; }
  uint64_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    uint64_t cookie = 0;
    int64_t sent_ns = kDone;
  };
  static constexpr int64_t kDone = -1;

  Slot& At(uint64_t seq) { return slots_[seq & mask_]; }
  uint64_t NextCookie();

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  uint64_t head_ = 0;  // next sequence number
  uint64_t tail_ = 0;  // oldest sequence number that may still be pending
  uint64_t pending_ = 0;
  Random* random_;
};

template <typename F>
uint64_t RequestRing::Issue(int64_t now_ns, F on_lost) {
  if (head_ - tail_ == slots_.size()) {
    Slot& oldest = At(tail_);
    if (oldest.sent_ns != kDone) {
      on_lost(oldest.sent_ns);
      oldest.sent_ns = kDone;
      --pending_;
    }
    ++tail_;
  }
  Slot& s = At(head_);
  s.cookie = NextCookie();
  s.sent_ns = now_ns;
  ++head_;
  ++pending_;
  return s.cookie;
}

template <typename F>
uint64_t RequestRing::ExpireBefore(int64_t deadline_ns, F on_lost) {
  uint64_t lost = 0;
  while (tail_ != head_) {
    Slot& s = At(tail_);
    if (s.sent_ns != kDone) {
      if (s.sent_ns >= deadline_ns) break;
      on_lost(s.sent_ns);
      s.sent_ns = kDone;
      --pending_;
      ++lost;
    }
    ++tail_;
  }
  return lost;
}

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_REQUEST_RING_H_

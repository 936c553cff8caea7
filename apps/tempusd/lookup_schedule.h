// LookupSchedule: when a server or pool line looks its name up again, and which of a pool's
// addresses were given up: the replacement policy Sources (plain lines) and NtsSources (`nts`
// lines) share. A lookup that failed, or left a pool short of addresses, is retried after a
// back-off (kFirstRetry doubling up to kMaxRetry; reset once the line has all it wants). A
// pool's address that was given up (Unreachable, or an NTS-KE failed kKeFailures times in a
// row, or a kiss-o'-death) is retired and the name looked up again at once for a replacement;
// a lookup that brings no new address gives the retired ones another chance. Plain data, not
// thread-safe.
#ifndef TEMPUS_APPS_TEMPUSD_LOOKUP_SCHEDULE_H_
#define TEMPUS_APPS_TEMPUSD_LOOKUP_SCHEDULE_H_

#include <algorithm>
#include <cstdint>
#include <set>

#include "core/net/net_address.h"
#include "core/time/mono_time.h"

namespace tempus::daemon {

struct LookupSchedule {
  static constexpr core::NtpDuration kFirstRetry = core::NtpDuration::FromWholeSeconds(4);
  static constexpr core::NtpDuration kMaxRetry = core::NtpDuration::FromWholeSeconds(3600);
  // A pool's association is given up when nothing answered its last kUnreachablePolls requests.
  static constexpr uint64_t kUnreachablePolls = 8;
  // A pool's NTS association is given up after this many NTS-KE failures in a row (after about
  // 48 s with core::nts::KeBackoff's 16 s, 32 s).
  static constexpr uint32_t kKeFailures = 3;

  // Whether an association with reach register `reach` that sent `sent` requests is given up.
  static bool Unreachable(uint8_t reach, uint64_t sent) { return reach == 0 && sent >= kUnreachablePolls; }

  bool Due(core::MonoTime now) const { return want && now >= next; }
  // A lookup failed or left the line short: the next one after the back-off, which doubles.
  void RetryLater(core::MonoTime now) {
    want = true;
    next = now + backoff;
    backoff = std::min(backoff + backoff, kMaxRetry);
  }
  // The line has all the addresses it wants: no lookup until one is retired; back-off reset.
  void Satisfied() {
    want = false;
    backoff = kFirstRetry;
  }
  // A pool still short after adding `added` addresses: RetryLater; with none added, the retired
  // addresses may be taken again.
  void Short(size_t added, core::MonoTime now) {
    if (added == 0) retired.clear();
    RetryLater(now);
  }
  // `address` was given up: not taken again while others are found; a lookup is due now.
  void Retire(const core::NetAddress& address, core::MonoTime now) {
    retired.insert(address);
    LookUpNow(now);
  }
  // An association went without its address being retired (demobilized): a lookup is due now.
  void LookUpNow(core::MonoTime now) {
    want = true;
    next = std::min(next, now);
  }
  bool Retired(const core::NetAddress& address) const { return retired.count(address) != 0; }

  bool want = true;     // a lookup is wanted (at `next`)
  core::MonoTime next;  // when
  core::NtpDuration backoff = kFirstRetry;
  std::set<core::NetAddress> retired;  // a pool's addresses given up
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_LOOKUP_SCHEDULE_H_

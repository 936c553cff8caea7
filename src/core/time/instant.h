// Instant: one reading of a node's clocks, taken once by the host at the start of an event (a
// datagram, a timer) and passed to the core: the monotonic time for timers and intervals, and
// the node's clock (the time it serves) at the same moment. Value type.
#ifndef TEMPUS_CORE_TIME_INSTANT_H_
#define TEMPUS_CORE_TIME_INSTANT_H_

#include "core/time/mono_time.h"
#include "core/time/unix_time.h"

namespace tempus::core {

struct Instant {
  MonoTime mono;
  UnixTime local;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_INSTANT_H_

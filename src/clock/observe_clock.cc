// ObserveClock: the kernel clock plus a software correction (a VirtualClock without error).
#include "clock/observe_clock.h"

namespace tempus::clock {

ObserveClock::ObserveClock() : ObserveClock(std::make_shared<KernelTimeSource>()) {}

// No offset or rate error of its own: the layer starts at the kernel's time and rate.
ObserveClock::ObserveClock(std::shared_ptr<TimeSource> source)
    : corrected_(std::move(source), VirtualClock::Options{}) {}

}  // namespace tempus::clock

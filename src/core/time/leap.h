// Leap indicator (RFC 5905 §7.3, "LI"): a leap second announced for the end of the day, or the
// clock not synchronized. A time-scale fact (leap tables, the discipline, the kernel status) that
// the packet carries in its two top bits (core/wire/packet.h).
#ifndef TEMPUS_CORE_TIME_LEAP_H_
#define TEMPUS_CORE_TIME_LEAP_H_

#include <cstdint>
#include <string_view>

namespace tempus::core {

enum class Leap : uint8_t {
  kNoWarning = 0,      // no leap second pending
  kInsertSecond = 1,   // last minute of the day has 61 seconds
  kDeleteSecond = 2,   // last minute of the day has 59 seconds
  kUnsynchronized = 3  // clock not synchronized (alarm)
};

constexpr std::string_view LeapName(Leap leap) {
  switch (leap) {
    case Leap::kNoWarning: return "none";
    case Leap::kInsertSecond: return "add";
    case Leap::kDeleteSecond: return "del";
    case Leap::kUnsynchronized: return "unsync";
  }
  return "?";
}

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_LEAP_H_

// EventQueue: the simulator's agenda, events ordered by time and, for equal times, by the order in
// which they were pushed (so a run is deterministic). Events are small values; a datagram's bytes
// travel inside its event (NTP packets without extension fields fit), so the per-packet path does
// not allocate once the heap has grown. Not thread-safe.
#ifndef TEMPUS_SIM_EVENT_QUEUE_H_
#define TEMPUS_SIM_EVENT_QUEUE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/time/ntp_duration.h"

namespace tempus::sim {

// Simulated true time: the span since the start of the run.
using SimTime = core::NtpDuration;

enum class EventKind : uint8_t {
  kTimer,     // a node's NextDeadline came (valid while `generation` matches)
  kDeliver,   // a datagram arrives at `node` from `peer`
  kSample,    // record every node's true offset
  kStep,      // a scheduled step of a node's clock by `value_s`
  kKill,      // the node dies: no more packets or timers
  kKillPeer,  // the node's system peer (if any) dies
  kStart,     // the node starts
};

inline constexpr std::size_t kMaxDatagram = 96;  // larger datagrams are dropped by the network

struct Event {
  SimTime at;
  uint64_t seq = 0;  // push order, the tie-break
  EventKind kind = EventKind::kTimer;
  uint32_t node = 0;
  uint32_t peer = 0;        // kDeliver: the sender
  uint64_t generation = 0;  // kTimer
  double value_s = 0.0;     // kStep
  uint16_t size = 0;        // kDeliver: bytes used in `data`
  std::array<uint8_t, kMaxDatagram> data;
};

class EventQueue {
 public:
  // Adds `event` (its seq is assigned here).
  void Push(Event event);
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // The earliest event. REQUIRES: !empty().
  const Event& Top() const { return heap_.front(); }
  // Removes and returns the earliest event. REQUIRES: !empty().
  Event Pop();

 private:
  static bool Later(const Event& a, const Event& b) { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  std::vector<Event> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_EVENT_QUEUE_H_

// EventQueue: a binary heap over a vector (std::push_heap/pop_heap with a "later" comparison).
#include "sim/event_queue.h"

#include <algorithm>

#include "base/check.h"

namespace tempus::sim {

void EventQueue::Push(Event event) {
  event.seq = next_seq_++;
  heap_.push_back(event);
  std::push_heap(heap_.begin(), heap_.end(), Later);
}

Event EventQueue::Pop() {
  TEMPUS_CHECK(!heap_.empty());
  std::pop_heap(heap_.begin(), heap_.end(), Later);
  Event e = heap_.back();
  heap_.pop_back();
  return e;
}

}  // namespace tempus::sim

#include "core/node/refusal_log.h"

#include <algorithm>

namespace tempus::core::node {

using system::Refusal;
namespace {

// Told by other lines already (see the file comment of refusal_log.h).
bool ToldElsewhere(uint32_t key, Refusal r) {
  if (r == Refusal::kUnreachable || r == Refusal::kKissDeny || r == Refusal::kKissRstr) return true;
  return key != RefusalLog::kSystemKey && (r == Refusal::kPanic || r == Refusal::kTooFewSources);
}

// Events rather than states: told at once.
bool Immediate(Refusal r) {
  return r == Refusal::kKissRate || r == Refusal::kKissDeny || r == Refusal::kKissRstr || r == Refusal::kPanic;
}

}  // namespace

bool RefusalLog::Changed(uint32_t key, Refusal refusal, MonoTime now) {
  if (ToldElsewhere(key, refusal)) return false;
  Entry& e = entries_[key];
  if (refusal == e.last) {
    e.pending_since.reset();
    return false;
  }
  if (key == kSystemKey && refusal == Refusal::kNone) {
    e.last = refusal;  // the "system peer X" line tells it
    e.pending_since.reset();
    return false;
  }
  if (!e.pending_since || e.pending != refusal) {
    e.pending = refusal;
    e.pending_since = now;
  }
  std::optional<MonoTime>& at = e.logged_at[static_cast<size_t>(refusal)];
  if ((!Immediate(refusal) && now - *e.pending_since < kSettle) || (at && now - *at < kRepeatAfter)) {
    ++waiting_;  // settling, or flapping: held back for now
    MonoTime due = Immediate(refusal) ? now : *e.pending_since + kSettle;
    if (at) due = std::max(due, *at + kRepeatAfter);
    if (!next_due_ || due < *next_due_) next_due_ = due;
    return false;
  }
  e.last = refusal;
  e.pending_since.reset();
  at = now;
  return true;
}

}  // namespace tempus::core::node

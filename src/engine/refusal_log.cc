#include "engine/refusal_log.h"

namespace tempus::engine {
namespace {

using core::system::Refusal;

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

bool RefusalLog::Changed(uint32_t key, Refusal refusal, core::MonoTime now) {
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
  std::optional<core::MonoTime>& at = e.logged_at[static_cast<size_t>(refusal)];
  if ((!Immediate(refusal) && now - *e.pending_since < kSettle) || (at && now - *at < kRepeatAfter)) {
    ++waiting_;  // settling, or flapping: held back for now
    return false;
  }
  e.last = refusal;
  e.pending_since.reset();
  at = now;
  return true;
}

std::string_view SourceRefusalText(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone: return "usable again";
    case Refusal::kBogusOrigin:
      return "not used: its replies do not answer our requests (bad origin timestamp, RFC 5905 test 2)";
    case Refusal::kZeroTimestamps: return "not used: its packets carry a zero timestamp (RFC 5905 test 3)";
    case Refusal::kKissRate: return "sent kiss-o'-death RATE: polling it less often";
    case Refusal::kKissDeny: return "sent kiss-o'-death DENY";
    case Refusal::kKissRstr: return "sent kiss-o'-death RSTR";
    case Refusal::kAuthFailed: return "not used: its replies fail authentication (RFC 5905 test 5)";
    case Refusal::kUnsynchronized: return "not used: it is not synchronized (leap indicator 3)";
    case Refusal::kBadStratum: return "not used: it reports stratum 0 or 16 (not synchronized)";
    case Refusal::kServerDistance:
      return "not used: its own root distance is 1.5 s or more (RFC 5905 test 7)";
    case Refusal::kUnreachable: return "not used: no reply";
    case Refusal::kNoSelect: return "not used: configured noselect";
    case Refusal::kDistance: return "not used: root distance above tos maxdist";
    case Refusal::kLoop: return "not used: it is synchronized to this node (timing loop)";
    case Refusal::kFalseticker: return "not used: falseticker, it disagrees with the other sources";
    case Refusal::kTooFewSources: return "not used: fewer sources agree than tos minsane";
    case Refusal::kPanic: return "not used: its offset is beyond the panic threshold";
  }
  return "not used";
}

std::string_view SystemRefusalText(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone: return "it follows a source";
    case Refusal::kPanic: return "the offset is beyond the panic threshold, refused";
    case Refusal::kTooFewSources: return "fewer sources agree than tos minsane";
    case Refusal::kFalseticker: return "the sources disagree: no majority (falsetickers)";
    case Refusal::kUnreachable: return "no source is reachable";
    case Refusal::kNoSelect: return "every source is noselect";
    case Refusal::kUnsynchronized:
    case Refusal::kBadStratum: return "no source is synchronized";
    case Refusal::kDistance:
    case Refusal::kServerDistance: return "every source's root distance is too large";
    case Refusal::kLoop: return "every source is synchronized to this node (timing loop)";
    case Refusal::kAuthFailed: return "no source's replies authenticate";
    case Refusal::kBogusOrigin: return "no source's replies answer our requests";
    case Refusal::kZeroTimestamps: return "every source sends zero timestamps";
    case Refusal::kKissRate:
    case Refusal::kKissDeny:
    case Refusal::kKissRstr: return "every source sent a kiss-o'-death";
  }
  return "no usable source";
}

}  // namespace tempus::engine

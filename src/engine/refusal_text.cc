#include "engine/refusal_text.h"

namespace tempus::engine {

using core::system::Refusal;

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
    case Refusal::kServerDistance: return "not used: its own root distance is 1.5 s or more (RFC 5905 test 7)";
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

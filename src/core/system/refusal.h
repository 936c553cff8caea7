// Refusal: why a source is not used to discipline the clock now, one value per source (and one
// for the system: see System::refusal()). The association sets the packet-test values, the System
// the peer-test, selection and panic ones; the engine logs a change once, mode 6 shows it as
// ntpd's `flash` bits and as `reason=`, Prometheus as a label. kNone: the source is used, or
// nothing is wrong with it (no sample yet, a backup, an excess source). It lives with the System,
// which gives the final verdict, so that assoc/ depends on system/ and never the reverse. Value type.
#ifndef TEMPUS_CORE_SYSTEM_REFUSAL_H_
#define TEMPUS_CORE_SYSTEM_REFUSAL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tempus::core::system {

enum class Refusal : uint8_t {
  kNone,
  // RFC 5905 §8 packet tests on the server's replies (ntpd's TEST2..TEST7).
  kBogusOrigin,     // test 2: replies do not answer our requests (for a whole poll)
  kZeroTimestamps,  // test 3: a receive or transmit timestamp is zero
  kKissRate,        // kiss-o'-death RATE (TEST4 "rate quench"): the poll was raised
  kKissDeny,        // kiss-o'-death DENY (TEST4): demobilized
  kKissRstr,        // kiss-o'-death RSTR (TEST4): demobilized
  kAuthFailed,      // test 5: MAC missing or wrong, or a crypto-NAK (for a whole poll)
  kUnsynchronized,  // test 6: LI = 3 (the server is not synchronized)
  kBadStratum,      // test 6: stratum 0 without a kiss code we act on, or 16 and above
  kServerDistance,  // test 7: the server's root delay/2 + root dispersion >= MAXDIST
  // RFC 5905 §11.2 peer tests and selection (ntpd's TEST11..TEST13, tally codes).
  kUnreachable,    // TEST13: no reply to the recent polls
  kNoSelect,       // TEST13: configured `noselect`
  kDistance,       // TEST11: root distance λ above `tos maxdist`
  kLoop,           // TEST12: synchronized to this node (its refid is ours, or our peer's)
  kFalseticker,    // outside the intersection of the others ('x')
  kTooFewSources,  // fewer truechimers than `tos minsane`
  // The discipline: the offset the sources agree on is beyond `tinker panic` (after the start).
  kPanic,
};
inline constexpr size_t kRefusalCount = 17;

// The snake_case label of a refusal (mode 6 `reason=`, Prometheus `reason="..."`).
std::string_view RefusalName(Refusal refusal);
// The refusal named `name` (RefusalName's inverse), for readers of mode 6 and metrics.
std::optional<Refusal> RefusalFromName(std::string_view name);

// ntpd's flash bits for a refusal (ntp_proto.c TEST1..TEST13, what ntpq decodes as pkt_bogus,
// peer_dist, ...); 0 where ntpd has no bit (falseticker, minsane, panic).
uint16_t RefusalFlash(Refusal refusal);

}  // namespace tempus::core::system

#endif  // TEMPUS_CORE_SYSTEM_REFUSAL_H_

// What an Association reports about itself: why replies were rejected (one counter each) and a
// plain snapshot for ntpq (`peers`, `rv`), Prometheus and logs. Value types; thread-compatible.
#ifndef TEMPUS_CORE_ASSOC_ASSOCIATION_SNAPSHOT_H_
#define TEMPUS_CORE_ASSOC_ASSOCIATION_SNAPSHOT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/assoc/association_config.h"
#include "core/system/refusal.h"
#include "core/time/mono_time.h"
#include "core/time/poll_exp.h"
#include "core/wire/exchange.h"

namespace tempus::core::assoc {

// Why a datagram from the server was not turned into a measurement. Each is a counter.
enum class AssocReject : uint8_t {
  kMalformed,        // does not decode
  kWrongMode,        // not mode 4 for a client association; not mode 1/2 (1 for passive) for a peer
  kDuplicate,        // test 1: same transmit timestamp as the last reply taken
  kBogusOrigin,      // test 2: origin is not a cookie we sent (spoofed, or no request out)
  kStale,            // origin is an earlier request (or peer transmit) that a newer one replaced
  kAlreadyAnswered,  // a second reply to a request whose cookie was already consumed
  kZeroTimestamps,   // test 3: receive or transmit timestamp zero; a peer's origin zero (not heard us)
  kUnsynchronized,   // test 6: LI = 3 (alarm), also with stratum 0 and a code such as INIT
  kBadStratum,       // test 6: stratum >= 16
  kBadRootDistance,  // test 7: server root delay/2 + root dispersion >= MAXDIST
  kKissRate,         // KoD RATE: poll raised
  kKissDeny,         // KoD DENY: demobilized
  kKissRstr,         // KoD RSTR: demobilized
  kKissOther,        // any other kiss code with LI != 3: no measurement (RFC 5905 §7.4)
  kAuthFailed,       // test 5: the association has a key and the reply's MAC is missing or fails
  kCryptoNak,        // test 5: the server answered with a crypto-NAK (it refused our MAC)
};
inline constexpr size_t kAssocRejectCount = 16;
std::string_view AssocRejectName(AssocReject reason);

struct AssociationStats {
  uint64_t sent = 0;      // requests
  uint64_t received = 0;  // datagrams handed to OnPacket
  uint64_t accepted = 0;  // measurements produced
  std::array<uint64_t, kAssocRejectCount> rejected{};

  void Count(AssocReject reason) { ++rejected[static_cast<size_t>(reason)]; }
  uint64_t Rejected(AssocReject reason) const { return rejected[static_cast<size_t>(reason)]; }
};

struct AssociationSnapshot {
  AssociationConfig config;   // address, mode, minpoll/maxpoll, flags
  uint8_t reach = 0;          // the reach shift register, newest poll in bit 0 (§13)
  bool reachable = false;     // reach != 0
  PollExp hpoll;              // host poll: our poll exponent now
  PollExp ppoll;              // peer poll: the poll field of the last reply taken
  PollExp poll_floor;         // minpoll, or higher after a KoD RATE
  int missed_polls = 0;       // consecutive completed polls without a reply (ntpd "unreach")
  bool in_burst = false;      // a burst (iburst or burst) is being sent
  bool rate_limited = false;  // a KoD RATE was received: bursts are off for good
  bool demobilized = false;
  KissCode demobilize_reason = KissCode::kNone;
  std::optional<MonoTime> last_received;  // when the last reply was taken
  std::optional<MonoTime> next_poll;      // the armed deadline
  std::optional<Measurement> last_measurement;
  double jitter_s = 0;  // RMS of successive offset differences (seconds)
  // Why the server's replies are not used now (packet tests, kiss codes); kNone after a reply
  // that gave a measurement. See Association::refusal().
  system::Refusal refusal = system::Refusal::kNone;
  AssociationStats stats;
};

}  // namespace tempus::core::assoc

#endif  // TEMPUS_CORE_ASSOC_ASSOCIATION_SNAPSHOT_H_

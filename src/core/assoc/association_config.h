// AssociationConfig: what one ntp.conf `server`, `pool` or `peer` line says about one association
// (RFC 5905 §9.1 peer variables set at mobilization; ntpd's ntp.conf options), as plain data.
//
// The config parser (src/config) fills it in and reports syntax errors with file:line:column;
// ValidateAssociationConfig then clamps the poll range as ntpd does and rejects what the
// association cannot run. Value type; thread-compatible.
#ifndef TEMPUS_CORE_ASSOC_ASSOCIATION_CONFIG_H_
#define TEMPUS_CORE_ASSOC_ASSOCIATION_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "core/net/net_address.h"
#include "core/time/poll_exp.h"
#include "core/wire/packet.h"

namespace tempus::core::assoc {

inline constexpr int kDefaultMinPoll = 6;   // 64 s (ntpd and chrony)
inline constexpr int kDefaultMaxPoll = 10;  // 1024 s

struct AssociationConfig {
  NetAddress address;  // the server or peer, with its port (normally 123)
  // kClient (server, pool), kSymmetricActive (peer) or kSymmetricPassive (mobilized by a peer's
  // mode 1 packet, never configured: ephemeral, RFC 5905 §9.2)
  Mode mode = Mode::kClient;
  PollExp minpoll = PollExp(kDefaultMinPoll);  // `minpoll`, log2 s, 3..17
  PollExp maxpoll = PollExp(kDefaultMaxPoll);  // `maxpoll`, log2 s, 3..17
  uint8_t version = kNtpVersion;               // `version`, 1..4, sent in requests
  // `iburst`/`burst`: a burst of 8 requests at each poll while unreachable/reachable. Client
  // mode only (ntpd: server and pool); a symmetric peer answers on its own schedule, so
  // ValidateAssociationConfig clears them for `peer`.
  bool iburst = false;
  bool burst = false;
  bool prefer = false;      // `prefer`: favoured by selection (§11.2); not used by the association
  bool noselect = false;    // `noselect`: polled and shown, never selected
  bool truechimer = false;  // `true`: always survives selection (ntpd's `true`)
  bool pool = false;        // from a `pool` line: may be replaced when it stops answering
  // `key N`: requests carry a MAC by key N (the host appends it) and only replies whose MAC the
  // host found valid for key N (AuthVerdict::kOk) are taken (RFC 5905 §7.3, test 5).
  std::optional<uint32_t> key_id;
  // `nts` (RFC 8915): the host wraps every request in NTS fields and hands on only the replies
  // that NTS authenticated (tempusd's NtsSources); the core shows the association as
  // authenticated (mode 6 status word) and its requests carry no MAC.
  bool nts = false;
};

enum class AssociationConfigError : uint8_t {
  kNoAddress,   // address family kNone
  kNoPort,      // port 0
  kBadVersion,  // version outside 1..4
  kBadMode,     // neither client nor symmetric active/passive
};
std::string_view AssociationConfigErrorName(AssociationConfigError error);

// Clamps minpoll and maxpoll into [3, 17] and raises maxpoll to minpoll when it is smaller (ntpd),
// clears iburst/burst for symmetric modes, then checks the rest. Returns the normalized config.
[[nodiscard]] Result<AssociationConfig, AssociationConfigError> ValidateAssociationConfig(AssociationConfig config);

// The passive association (mode 2) a symmetric active packet from `from` mobilizes (ntpd's
// newpeer for AM_NEWPASS; the server decided it may: core::server::Server::HandleNewPeer): the
// packet's `version`, its `poll` as minpoll but at most the default (6, 64 s), and `key_id`, the
// key its MAC was verified by, if any.
AssociationConfig PassiveAssociationConfig(const NetAddress& from, uint8_t version, int8_t poll,
                                           std::optional<uint32_t> key_id);

}  // namespace tempus::core::assoc

#endif  // TEMPUS_CORE_ASSOC_ASSOCIATION_CONFIG_H_

// Access-control parts of Config: restrict/unrestrict entries and interface rules, as plain data.
//
// Enforcement (matching packets against restrict entries, opening interfaces) is the daemon's
// job. Value types; thread-compatible.
#ifndef TEMPUS_CONFIG_ACCESS_CONFIG_H_
#define TEMPUS_CONFIG_ACCESS_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>

#include "config/diagnostic.h"
#include "core/net/net_address.h"

namespace tempus::config {

// An address family restriction from `-4`/`-6`, or none.
enum class Family : uint8_t { kAny, kIPv4, kIPv6 };

// restrict flags (ntpd 4.2.8 and NTPsec access-control documentation), one bit each.
enum class RestrictFlag : uint32_t {
  kIgnore = 1u << 0,       // deny all packets, including ntpq
  kKod = 1u << 1,          // answer violations with a kiss-o'-death
  kLimited = 1u << 2,      // rate-limit (see discard/limit)
  kLowPrioTrap = 1u << 3,  // traps set by these hosts are low priority (mode 6 traps)
  kMssntp = 1u << 4,       // MS-SNTP authentication
  kNoModify = 1u << 5,     // deny mode 6 state changes
  kNoMruList = 1u << 6,    // deny MRU-list requests
  kNoEpeer = 1u << 7,      // deny ephemeral symmetric associations
  kNoPeer = 1u << 8,       // deny packets that would mobilize an association
  kNoQuery = 1u << 9,      // deny mode 6 queries
  kNoServe = 1u << 10,     // deny time service (queries still answered)
  kNoTrap = 1u << 11,      // deny mode 6 trap service
  kNoTrust = 1u << 12,     // deny unless cryptographically authenticated
  kNtpPort = 1u << 13,     // match only packets from source port 123
  kVersion = 1u << 14,     // deny packets of other NTP versions
  kFlake = 1u << 15,       // drop 10% of packets (testing)
};

// What a restrict line applies to.
enum class RestrictTarget : uint8_t {
  kDefault,  // `restrict default`: every address of `family` (both when kAny)
  kSource,   // `restrict source`: template for addresses of configured servers
  kAddress,  // a numeric address with a mask (host mask when none given)
  kHost,     // a host name, resolved later by the daemon
};

// One `restrict` (or `unrestrict`) line.
struct RestrictEntry {
  RestrictTarget target = RestrictTarget::kDefault;
  Family family = Family::kAny;
  core::NetAddress address;                // kAddress: the network address
  core::NetAddress mask;                   // kAddress: the mask (from `mask M`, a /prefix, or all ones)
  std::string host;                        // kHost: the name as written
  uint32_t flags = 0;                      // RestrictFlag bits
  std::optional<int> ippeerlimit;          // ntpd `ippeerlimit N`
  std::optional<int> serverresponse_fuzz;  // ntpd `serverresponse fuzz`: set to 1
  bool unrestrict = false;                 // NTPsec `unrestrict`: clear these flags instead of setting them
  Location where;

  bool Has(RestrictFlag f) const { return (flags & static_cast<uint32_t>(f)) != 0; }
};

// One `interface` / `nic` rule.
struct InterfaceRule {
  enum class Action : uint8_t { kListen, kIgnore, kDrop };
  enum class Match : uint8_t { kAll, kIPv4, kIPv6, kWildcard, kName, kAddress };
  Action action = Action::kListen;
  Match match = Match::kAll;
  std::string name;          // kName: interface name
  core::NetAddress address;  // kAddress
  int prefix_len = -1;       // kAddress: bits that must match; -1 means the whole address
  Location where;
};

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_ACCESS_CONFIG_H_

// The parts of Config that group several ntp.conf directives: access control (restrict),
// interfaces, monitoring files, keys, tos/tinker/discard knobs and enable/disable flags.
//
// Plain data only; enforcement (matching packets against restrict entries, opening interfaces)
// is the daemon's job. Value types; thread-compatible.
#ifndef TEMPUS_CONFIG_CONFIG_TYPES_H_
#define TEMPUS_CONFIG_CONFIG_TYPES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  core::NetAddress address;  // kAddress: the network address
  core::NetAddress mask;     // kAddress: the mask (from `mask M`, a /prefix, or all ones)
  std::string host;          // kHost: the name as written
  uint32_t flags = 0;        // RestrictFlag bits
  std::optional<int> ippeerlimit;        // ntpd `ippeerlimit N`
  std::optional<int> serverresponse_fuzz;  // ntpd `serverresponse fuzz`: set to 1
  bool unrestrict = false;   // NTPsec `unrestrict`: clear these flags instead of setting them
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

// The statistics files ntpd can write.
enum class StatsKind : uint8_t {
  kClockStats, kCryptoStats, kLoopStats, kPeerStats, kProtoStats, kRawStats, kSysStats,
  kTimingStats, kUseStats,
};

// `filegen NAME [file F] [type T] [link|nolink] [enable|disable]`.
struct FileGen {
  enum class Type : uint8_t { kNone, kPid, kDay, kWeek, kMonth, kYear, kAge };
  StatsKind kind = StatsKind::kLoopStats;
  std::optional<std::string> file;
  std::optional<Type> type;
  std::optional<bool> link;
  std::optional<bool> enable;
  Location where;
};

// statsdir, statistics, filegen.
struct MonitorConfig {
  std::optional<std::string> statsdir;
  std::vector<StatsKind> statistics;  // enabled by `statistics`, without duplicates
  std::vector<FileGen> filegens;
};

// keys, trustedkey, controlkey, requestkey.
struct KeysConfig {
  std::optional<std::string> keys_path;
  std::vector<uint32_t> trusted;  // expanded ranges, in file order, without duplicates
  std::optional<uint32_t> control_key;
  std::optional<uint32_t> request_key;  // mode 7 only; parsed and warned
};

// `tos` knobs (RFC 5905 §11.2 selection parameters and orphan mode, Appendix A.1 names).
struct TosConfig {
  std::optional<int> minclock;      // NMIN (RFC 5905 App. A): survivors clustering keeps
  std::optional<int> maxclock;      // most associations kept (pool stops adding)
  std::optional<int> minsane;       // CMIN: truechimers needed to discipline the clock
  std::optional<double> mindist_s;  // MINDISP: minimum distance for the selection interval
  std::optional<double> maxdist_s;  // MAXDIST: distance threshold (selection)
  std::optional<double> maxdisp_s;  // MAXDISP (NTPsec)
  std::optional<int> ceiling;       // strata above are discarded
  std::optional<int> floor;         // strata below are discarded
  std::optional<int> orphan;        // orphan stratum
  std::optional<double> orphanwait_s;
  std::optional<int> beacon;        // s: manycast/broadcast beacon interval (parsed only)
  std::optional<bool> cohort;
  std::optional<int> bcpollbstep;
  std::optional<std::string> basedate;
};

// `tinker` knobs (ntpd clock discipline parameters).
struct TinkerConfig {
  std::optional<double> step_s;      // step threshold (0.128 s default)
  std::optional<double> stepback_s;
  std::optional<double> stepfwd_s;
  std::optional<double> stepout_s;   // stepout timeout (900 s default; 300 s in ntpd 4.2.8)
  std::optional<double> panic_s;     // panic threshold (1000 s; 0 disables)
  std::optional<double> dispersion;  // PHI, s/s
  std::optional<double> allan;       // Allan intercept, log2 s
  std::optional<double> huffpuff_s;
  std::optional<double> freq_ppm;
  std::optional<double> tick_s;
};

// `discard average N minimum N monitor N` (ntpd rate control) and NTPsec `limit`.
struct DiscardConfig {
  std::optional<int> average_log2;   // minimum average headway, log2 s
  std::optional<int> minimum_s;      // guard time, s
  std::optional<int> monitor;        // probability of recording overflow packets
  std::optional<double> limit_average_pps;  // NTPsec `limit average`
  std::optional<double> limit_burst;        // NTPsec `limit burst`
  std::optional<double> limit_kod_pps;      // NTPsec `limit kod`
};

// Flags for `enable`/`disable`.
enum class SystemFlag : uint8_t {
  kAuth, kBclient, kCalibrate, kKernel, kMode7, kMonitor, kNtp, kStats, kPeerClearDigestEarly,
  kUnpeerCryptoEarly, kUnpeerCryptoNakEarly, kUnpeerDigestEarly, kCount,
};

// What `enable`/`disable` set; unset flags keep the daemon's default.
struct SystemFlags {
  std::array<std::optional<bool>, static_cast<size_t>(SystemFlag::kCount)> values{};
  std::optional<bool> Get(SystemFlag f) const { return values[static_cast<size_t>(f)]; }
  void Set(SystemFlag f, bool on) { values[static_cast<size_t>(f)] = on; }
};

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_CONFIG_TYPES_H_

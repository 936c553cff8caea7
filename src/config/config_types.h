// The parts of Config that group several ntp.conf directives: monitoring files, keys,
// tos/tinker/discard knobs and enable/disable flags (access control is in access_config.h).
// Plain data only. Value types; thread-compatible.
#ifndef TEMPUS_CONFIG_CONFIG_TYPES_H_
#define TEMPUS_CONFIG_CONFIG_TYPES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/access_config.h"
#include "config/diagnostic.h"

namespace tempus::config {

// The statistics files ntpd can write.
enum class StatsKind : uint8_t {
  kClockStats,
  kCryptoStats,
  kLoopStats,
  kPeerStats,
  kProtoStats,
  kRawStats,
  kSysStats,
  kTimingStats,
  kUseStats,
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
  Location keys_where;            // the `keys` line
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
  std::optional<int> beacon;  // s: manycast/broadcast beacon interval (parsed only)
  std::optional<bool> cohort;
  std::optional<int> bcpollbstep;
  std::optional<std::string> basedate;
};

// `tinker` knobs (ntpd clock discipline parameters).
struct TinkerConfig {
  std::optional<double> step_s;  // step threshold (0.128 s default)
  std::optional<double> stepback_s;
  std::optional<double> stepfwd_s;
  std::optional<double> stepout_s;   // stepout timeout (900 s default; 300 s in ntpd 4.2.8)
  std::optional<double> panic_s;     // panic threshold (1000 s; 0 disables)
  std::optional<double> dispersion;  // PHI, s/s
  std::optional<double> allan;       // Allan intercept, log2 s
  std::optional<double> huffpuff_s;
  std::optional<double> freq_ppm;
  std::optional<double> tick_s;
  friend bool operator==(const TinkerConfig&, const TinkerConfig&) = default;
};

// `discard average N minimum N monitor N` (ntpd rate control) and NTPsec `limit`.
struct DiscardConfig {
  std::optional<int> average_log2;          // minimum average headway, log2 s
  std::optional<int> minimum_s;             // guard time, s
  std::optional<int> monitor;               // probability of recording overflow packets
  std::optional<double> limit_average_pps;  // NTPsec `limit average`
  std::optional<double> limit_burst;        // NTPsec `limit burst`
  std::optional<double> limit_kod_pps;      // NTPsec `limit kod`
};

// Flags for `enable`/`disable`.
enum class SystemFlag : uint8_t {
  kAuth,
  kBclient,
  kCalibrate,
  kKernel,
  kMode7,
  kMonitor,
  kNtp,
  kStats,
  kPeerClearDigestEarly,
  kUnpeerCryptoEarly,
  kUnpeerCryptoNakEarly,
  kUnpeerDigestEarly,
  kCount,
};

// What `enable`/`disable` set; unset flags keep the daemon's default.
struct SystemFlags {
  std::array<std::optional<bool>, static_cast<size_t>(SystemFlag::kCount)> values{};
  std::optional<bool> Get(SystemFlag f) const { return values[static_cast<size_t>(f)]; }
  void Set(SystemFlag f, bool on) { values[static_cast<size_t>(f)] = on; }
};

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_CONFIG_TYPES_H_

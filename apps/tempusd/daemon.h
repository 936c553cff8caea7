// The daemon's wiring: clock, UDP sockets and poll loop around one engine::Node. No NTP logic.
#ifndef TEMPUS_APPS_TEMPUSD_DAEMON_H_
#define TEMPUS_APPS_TEMPUSD_DAEMON_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "clock/make_clock.h"
#include "config/config.h"
#include "config/driftfile.h"
#include "config/keys_file.h"
#include "engine/node.h"
#include "obs/stats_files.h"

namespace tempus::daemon {

struct DaemonOptions {
  std::string clock_kind = "observe";
  clock::ClockOptions clock;
  std::vector<core::NetAddress> listen;  // server sockets; requests to sources leave from them too
  engine::NodeConfig node;
  double duration_s = 0.0;                     // 0: until SIGTERM/SIGINT
  std::string driftfile;                       // empty: none; see drift_keeper.h for when it is applied and written
  std::optional<config::DriftEstimate> drift;  // what the driftfile held at start (none: missing, unusable)
  std::string leapfile;                        // empty: none; its table is in node.system.leap_table, reread on SIGHUP
  std::optional<core::NetAddress> metrics;     // Prometheus endpoint (GET /metrics), off by default
  std::string config_path;                     // reread on SIGHUP; empty: no file
  std::vector<config::ServerConfig> lines;     // server/pool lines of the file (sources.h)
  size_t pool_size = 10;                       // associations a pool line keeps (tos maxclock)
  std::string logfile;                         // `logfile PATH`; empty: stderr (or syslog)
  std::string user;                            // -u: switch to this user after binding
  std::string pidfile;                         // `pidfile PATH`; written after binding
  // `workers N` / --workers: threads answering plain time requests (workers.h); none: the number
  // of CPUs up to 4 with clock system or observe, 1 (the timing thread alone) with clock virtual.
  std::optional<int> workers;
  // --seed: the randomness (cookies, poll jitter) replays from this seed; none: from the kernel.
  // For simulation and tests: cookies an off-path attacker can reproduce are no defence.
  std::optional<uint64_t> random_seed;
  std::vector<config::SymmetricKey> keys;  // the `keys` file as read (node.keys holds the usable ones)
  obs::StatsOptions stats;                 // statsdir/statistics/filegen: peerstats, loopstats
  config::Config file;                     // the configuration file as read (reload compares it)
  // What command-line flags set in the system settings over the file's (--stratum, --orphan,
  // ...), applied again after a reload; may be empty.
  std::function<void(core::system::SystemConfig&)> system_overrides;
};

// Runs until SIGTERM/SIGINT or the duration; SIGHUP rereads `config_path` and reopens the log
// (reload.h).
// Returns the process exit status.
int RunDaemon(const DaemonOptions& options);

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_DAEMON_H_

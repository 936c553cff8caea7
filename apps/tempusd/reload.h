// SIGHUP: reread the configuration and apply to the running daemon what can change while it runs,
// keeping every association's state; name in one log line what only a restart applies.
//
// Applied at once: server/pool/peer lines (Sources::Apply; `nts` ones and `nts ca`:
// NtsSources::Apply), restrict/unrestrict and discard/limit
// (the server path and mode 6), the keys file and trustedkey, tos, local and LOCAL fudge (selection
// and orphan knobs), the leapfile, statsdir/statistics/filegen, and the pool size (tos maxclock).
// Only at the next start: clock, listen, interface/nic, control, metrics, logfile, driftfile,
// pidfile, tinker, makestep and the nts line (RestartOnlyChanges). A file with errors (or a keys
// file with errors) changes nothing. The NTS-KE certificate and key files are read again (a
// renewed certificate) even then; when they do not load, the ones in use stay. Runs on the loop's
// thread.
#ifndef TEMPUS_APPS_TEMPUSD_RELOAD_H_
#define TEMPUS_APPS_TEMPUSD_RELOAD_H_

#include <memory>
#include <string>

#include "config/config.h"
#include "core/time/mono_time.h"
#include "daemon.h"
#include "engine/node.h"
#include "obs/stats_files.h"
#include "sources.h"

namespace tempus::daemon {

class NtsKeServer;  // nts_ke.h
class NtsSources;   // nts_sources.h

// What a reload may change, all owned by RunDaemon.
struct Running {
  DaemonOptions& options;  // as started; a reload records what it applied
  Sources& sources;
  engine::Node& node;
  std::unique_ptr<obs::StatsFiles>& stats;  // null while no statistics file is enabled
  NtsKeServer* nts_ke = nullptr;            // null without `nts enable`
  NtsSources* nts_sources = nullptr;        // the `server/pool ... nts` lines
};

// Opens the statistics files `options` enables (or none) in `stats` and has `node` record to them.
void OpenStats(const obs::StatsOptions& options, engine::Node& node, std::unique_ptr<obs::StatsFiles>& stats);

// What a reload did, for systemd's STATUS= line (systemd_status.h).
struct ReloadOutcome {
  bool ok = true;
  std::string error;  // when !ok: the first error with its place, and how many more
};

// Reopens the log, rereads options.config_path and applies it (see above).
[[nodiscard]] ReloadOutcome Reload(Running& running, core::MonoTime now);

// The restart-only settings that differ between two readings of a file, as "clock, listen", or ""
// when none does.
std::string RestartOnlyChanges(const config::Config& before, const config::Config& after);

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_RELOAD_H_

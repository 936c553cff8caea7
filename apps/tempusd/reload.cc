#include "reload.h"

#include <fmt/format.h>

#include <algorithm>

#include "load_config.h"
#include "log.h"
#include "nts_ke.h"
#include "nts_sources.h"

namespace tempus::daemon {
namespace {

// interface/nic rules equal but for where they were written.
bool SameRules(const std::vector<config::InterfaceRule>& a, const std::vector<config::InterfaceRule>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.action == y.action && x.match == y.match && x.name == y.name && x.address == y.address &&
           x.prefix_len == y.prefix_len;
  });
}

std::string Files(const obs::StatsOptions& s) {
  if (!s.any_enabled()) return "none";
  return fmt::format("{}{}{}", s.peerstats.enabled ? "peerstats" : "",
                     s.peerstats.enabled && s.loopstats.enabled ? " " : "", s.loopstats.enabled ? "loopstats" : "");
}

// Applies a successfully reread configuration `next`.
void Apply(Running& r, DaemonOptions& next, core::MonoTime now) {
  DaemonOptions& running = r.options;
  r.sources.SetPoolSize(next.pool_size);  // before Apply: a kept pool short of the new size looks up again
  const Sources::Counts c = r.sources.Apply(next.lines, now);
  Log(fmt::format("reload: {} source line(s) kept, {} removed, {} added", c.kept, c.removed, c.added));
  if (r.nts_sources != nullptr) {
    const Sources::Counts n = r.nts_sources->Apply(next.lines, next.pool_size, next.file.nts.ca.value_or(""));
    Log(fmt::format("reload: {} NTS line(s) kept, {} removed, {} added", n.kept, n.removed, n.added));
  }
  // The leapfile was reread (a new tzdata, or a leapfile line added or removed).
  r.node.SetLeapTable(next.node.system.leap_table);
  r.node.SetAccessPolicy(next.node.access);
  const size_t keys = next.node.keys.size();
  r.node.SetKeys(std::move(next.node.keys));
  // Command-line flags (--stratum, --orphan, ...) still win over the file, as at start.
  if (running.system_overrides) running.system_overrides(next.node.system);
  r.node.SetSystemTunables(next.node.system);
  if (next.stats != running.stats) {
    OpenStats(next.stats, r.node, r.stats);
    running.stats = next.stats;
  }
  running.lines = next.lines;
  running.pool_size = next.pool_size;
  Log(
      fmt::format("reload: applied {} restrict rule(s) and the rate limits, {} key(s), tos/local/fudge settings, "
                  "statistics {}",
                  next.node.access.restricts.size(), keys, Files(running.stats)));
  if (const std::string restart = RestartOnlyChanges(running.file, next.file); !restart.empty()) {
    Log(fmt::format("reload: {} changed: taking effect at the next start (restart tempusd)", restart));
  }
}

}  // namespace

void OpenStats(const obs::StatsOptions& options, engine::Node& node, std::unique_ptr<obs::StatsFiles>& stats) {
  node.SetStatsObserver({});
  stats.reset();
  if (!options.any_enabled()) return;
  stats = std::make_unique<obs::StatsFiles>(options, [](const std::string& m) { Log(m); });
  node.SetStatsObserver([&stats](const engine::StatsRecord& r) { stats->Record(r); });
  Log(fmt::format("statistics in {}: {}", options.dir, Files(options)));
}

// The NTS-KE certificate and key, read again from the files the daemon started with.
void ReloadNtsCertificates(Running& r, ReloadOutcome& outcome) {
  if (r.nts_ke == nullptr) return;
  if (auto done = r.nts_ke->ReloadCertificates(); !done) {
    Log("SIGHUP: " + done.error() + "; keeping the NTS-KE certificate in use");
    if (outcome.ok) outcome = {false, done.error()};
    return;
  }
  Log("SIGHUP: NTS-KE certificate and key reread");
}

ReloadOutcome Reload(Running& r, core::MonoTime now) {
  ReopenLog();
  const DaemonOptions& running = r.options;
  if (running.config_path.empty()) {
    Log("SIGHUP: no configuration file (-c); log reopened");
    ReloadOutcome outcome;
    ReloadNtsCertificates(r, outcome);
    return outcome;
  }
  Log(fmt::format("SIGHUP: rereading {}", running.config_path));
  DaemonOptions next;
  next.listen = running.listen;
  ReloadOutcome outcome;
  if (LoadConfig(running.config_path, &next, /*reload=*/true, &outcome.error)) {
    Apply(r, next, now);
  } else {
    outcome.ok = false;
  }
  ReloadNtsCertificates(r, outcome);
  return outcome;
}

std::string RestartOnlyChanges(const config::Config& before, const config::Config& after) {
  std::string out;
  const auto note = [&out](bool changed, std::string_view what) {
    if (changed) out += fmt::format("{}{}", out.empty() ? "" : ", ", what);
  };
  note(before.clock != after.clock, "clock");
  note(before.listen != after.listen, "listen");
  note(!SameRules(before.interfaces, after.interfaces), "interface/nic");
  note(before.control != after.control, "control");
  note(before.metrics != after.metrics, "metrics");
  note(before.logfile != after.logfile, "logfile");
  note(before.driftfile != after.driftfile, "driftfile");
  note(before.pidfile != after.pidfile, "pidfile");
  note(before.workers != after.workers, "workers");
  note(before.tinker != after.tinker, "tinker");
  note(before.makestep != after.makestep, "makestep");
  // The NTS-KE server starts with the daemon (its certificate and key files are reread on SIGHUP,
  // not their names); where its line is does not matter.
  const auto nts_settings = [](config::NtsServerConfig n) {
    n.where = {};
    n.ca = {};  // the NTS client's CA: applied by a reload (NtsSources::Apply)
    return n;
  };
  note(nts_settings(before.nts) != nts_settings(after.nts), "nts");
  return out;
}

}  // namespace tempus::daemon

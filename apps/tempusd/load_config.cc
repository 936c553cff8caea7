#include "load_config.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "cli/mac_algorithm.h"
#include "config/driftfile.h"
#include "config/file_system.h"
#include "config/keys_file.h"
#include "config/leap_file.h"
#include "config/parser.h"
#include "config/restrict_hosts.h"
#include "config/to_core.h"
#include "engine/auth.h"
#include "io/resolver.h"
#include "log.h"

namespace tempus::daemon {
namespace {

// Logs every diagnostic; returns how many are errors. With `first`, the first error and how many
// more ("ntp.conf:3:1: expected ... (and 2 more errors)").
size_t PrintDiagnostics(const std::vector<config::Diagnostic>& diagnostics, std::string* first = nullptr) {
  size_t errors = 0;
  for (const auto& d : diagnostics) {
    Log(d.ToString());
    if (d.is_error() && errors++ == 0 && first != nullptr) *first = d.ToString();
  }
  if (first != nullptr && errors > 1) *first += fmt::format(" (and {} more error(s))", errors - 1);
  return errors;
}

// The system resolver as a restrict host lookup (getaddrinfo: blocking, at load time like ntpd).
config::ResolvedHosts ResolveHosts(const config::Config& c) {
  const io::Resolver resolver;
  return config::ResolveRestrictHosts(c,
                                      [&](const std::string& host, core::NetAddress::Family family)
                                          -> Result<std::vector<core::NetAddress>, std::string> {
                                        return resolver.Resolve(host, 123, family);
                                      });
}

// Reads the `keys` file (config::ReadConfiguredKeys: a missing one is an error only when a key is
// needed). Logs every diagnostic (never a secret); nullopt when there are errors (the first in
// *error when not null).
std::optional<config::KeysFile> LoadKeys(const config::Config& c, size_t* warnings, std::string* error) {
  config::RealFileSystem fs;
  auto keys = config::ReadConfiguredKeys(c, fs);
  if (!keys) {
    const size_t errors = PrintDiagnostics(keys.error(), error);
    Log(fmt::format("{}: {} error(s) in the keys file", c.keys.keys_path.value_or("keys"), errors));
    return std::nullopt;
  }
  PrintDiagnostics(keys->warnings);
  *warnings += keys->warnings.size();
  return std::move(*keys);
}

// The keys the node authenticates with: those of the keys file whose type tempus computes, each
// marked trusted when `trustedkey` names it (ntpd: only trusted keys authenticate).
std::vector<engine::AuthKey> ToAuthKeys(const config::KeysFile& file, const config::KeysConfig& c) {
  std::vector<engine::AuthKey> out;
  for (const config::SymmetricKey& k : file.keys) {
    const std::optional<engine::MacAlgorithm> alg = cli::MacAlgorithmOf(k.type);
    if (!alg) {
      Log(fmt::format("warning: key {}: type {} is not supported; the key is not used", k.id, KeyTypeName(k.type)));
      continue;
    }
    if (!k.allowed.empty()) {
      Log(fmt::format("warning: key {}: its address list is not enforced; any source may use the key", k.id));
    }
    const bool trusted = std::find(c.trusted.begin(), c.trusted.end(), k.id) != c.trusted.end();
    out.emplace_back(k.id, *alg, std::vector<uint8_t>(k.secret.begin(), k.secret.end()), trusted);
  }
  return out;
}

obs::FileSetOptions::Type TypeOf(config::FileGen::Type t) {
  using From = config::FileGen::Type;
  using To = obs::FileSetOptions::Type;
  switch (t) {
    case From::kNone: return To::kNone;
    case From::kPid: return To::kPid;
    case From::kDay: return To::kDay;
    case From::kWeek: return To::kWeek;
    case From::kMonth: return To::kMonth;
    case From::kYear: return To::kYear;
    case From::kAge: return To::kAge;
  }
  return To::kDay;
}

// ntpd's rules: `statistics NAME` enables a file set, a `filegen NAME` line then sets its file,
// type, link and enable flags (filegen lines are applied after the statistics line, so
// `disable` wins), and `disable stats` turns every set off.
obs::StatsOptions StatsOptionsFrom(const config::Config& c) {
  obs::StatsOptions out;
  if (c.monitor.statsdir) out.dir = *c.monitor.statsdir;
  const auto set_of = [&](config::StatsKind k) -> obs::FileSetOptions* {
    if (k == config::StatsKind::kPeerStats) return &out.peerstats;
    if (k == config::StatsKind::kLoopStats) return &out.loopstats;
    return nullptr;
  };
  for (config::StatsKind k : c.monitor.statistics) {
    // The other kinds were warned about by the reader (directive status table).
    if (obs::FileSetOptions* set = set_of(k)) set->enabled = true;
  }
  for (const config::FileGen& g : c.monitor.filegens) {
    obs::FileSetOptions* set = set_of(g.kind);
    if (set == nullptr) continue;
    if (g.file) set->file = *g.file;
    if (g.type) set->type = TypeOf(*g.type);
    if (g.link) set->link = *g.link;
    if (g.enable) set->enabled = *g.enable;
  }
  if (c.flags.Get(config::SystemFlag::kStats) == false) {
    out.peerstats.enabled = false;
    out.loopstats.enabled = false;
  }
  return out;
}

}  // namespace

bool LoadConfig(const std::string& path, DaemonOptions* options, bool reload, std::string* error) {
  config::RealFileSystem fs;
  auto parsed = config::ParseFile(fs, path);
  if (!parsed) {
    const size_t errors = PrintDiagnostics(parsed.error(), error);
    Log(fmt::format("{}: {} error(s); {}", path, errors,
                    reload ? "keeping the running configuration" : "not starting"));
    return false;
  }
  PrintDiagnostics(parsed->warnings);
  const config::Config& c = parsed->config;

  options->config_path = path;
  options->file = c;
  options->clock_kind = c.clock.kind;
  options->clock.virtual_clock.initial_offset = core::NtpDuration::FromSeconds(c.clock.virtual_offset_s);
  options->clock.virtual_clock.freq_error_ppm = c.clock.virtual_freq_ppm;
  if (!c.listen.empty()) options->listen = c.listen;
  if (c.metrics) options->metrics = c.metrics;
  options->node.system = config::ToSystemConfig(c, options->node.system);
  options->pool_size = static_cast<size_t>(c.tos.maxclock.value_or(10));
  options->lines = c.servers;
  options->logfile = c.logfile.value_or("");
  options->pidfile = c.pidfile.value_or("");
  options->workers = c.workers;
  options->stats = StatsOptionsFrom(c);
  // restrict `source` lines and the sources' own exemptions need addresses: the numeric ones
  // are known now; names are resolved later, off the loop (sources.h).
  std::vector<core::NetAddress> source_addresses;
  for (const auto& s : c.servers) {
    if (s.address) source_addresses.push_back(*s.address);
  }
  const config::ResolvedHosts hosts = ResolveHosts(c);
  PrintDiagnostics(hosts.warnings);
  options->node.access = config::ToAccessPolicy(c, source_addresses, hosts.addresses);
  size_t key_warnings = 0;
  auto keys = LoadKeys(c, &key_warnings, error);
  if (!keys) {
    Log(fmt::format("{}: the keys file has errors; {}", path,
                    reload ? "keeping the running configuration" : "not starting"));
    return false;
  }
  if (c.keys.keys_path && !keys->keys.empty()) {
    Log(fmt::format("keys {}: {} key(s)", *c.keys.keys_path, keys->keys.size()));
  }
  options->node.keys = ToAuthKeys(*keys, c.keys);
  options->keys = std::move(keys->keys);
  options->leapfile = c.leapfile.value_or("");
  options->node.system.leap_table = c.leapfile ? LoadLeapFile(*c.leapfile) : std::nullopt;
  if (c.driftfile) {
    options->driftfile = *c.driftfile;
    if (reload) return true;
    // Applied (or not) by DriftKeeper::Start, which knows the final clock kind.
    auto stored = config::ReadDriftFile(*c.driftfile);
    if (stored) {
      options->drift = *stored;
      Log(fmt::format("driftfile {}: {:+.3f} ppm{}", *c.driftfile, stored->freq_ppm,
                      stored->error_ppm ? fmt::format(" ±{:.3f}", *stored->error_ppm) : std::string()));
    } else if (stored.error().kind == config::DriftFileError::Kind::kMissing) {
      Log(fmt::format("driftfile {}: none yet; starting from 0 ppm", *c.driftfile));
    } else {
      Log(stored.error().message + "; ignored, starting from 0 ppm");
    }
  }
  return true;
}

std::optional<core::LeapTable> LoadLeapFile(const std::string& path, size_t* problems) {
  config::RealFileSystem fs;
  auto file = config::ReadLeapFile(fs, path);
  size_t count = 0;
  if (!file) {
    count = file.error().size();
    PrintDiagnostics(file.error());
    Log(
        fmt::format("leapfile {}: not used; running without a leap table (the leap indicator follows the "
                    "system peer)",
                    path));
    if (problems != nullptr) *problems += count;
    return std::nullopt;
  }
  PrintDiagnostics(file->warnings);
  count += file->warnings.size();
  // The expiry is judged against the system's real time (CLOCK_REALTIME), whatever clock serves.
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  const int64_t now_ntp = static_cast<int64_t>(ts.tv_sec) + core::UnixTime::kNtpToUnixSeconds;
  if (auto w = config::LeapExpiryWarning(file->table, now_ntp, path)) {
    Log(w->ToString());
    ++count;
  }
  const core::LeapStatus st = core::LeapStatusAt(file->table, now_ntp);
  Log(fmt::format("leapfile {}: TAI-UTC {} s, {} entries up to {}, expires {}, hash {}", path, st.tai_utc,
                  file->table.entries.size(), core::NtpDateMinute(file->table.entries.back().ntp_seconds),
                  core::NtpDateMinute(file->table.expires), file->hash_verified ? "verified" : "NOT verified"));
  if (problems != nullptr) *problems += count;
  return std::move(file->table);
}

int CheckConfig(const std::string& path) {
  config::RealFileSystem fs;
  auto parsed = config::ParseFile(fs, path);
  if (!parsed) {
    const size_t errors = PrintDiagnostics(parsed.error());
    fmt::print(stderr, "{}: {} error(s)\n", path, errors);
    return 1;
  }
  PrintDiagnostics(parsed->warnings);
  const config::Config& c = parsed->config;
  const config::ResolvedHosts hosts = ResolveHosts(c);
  PrintDiagnostics(hosts.warnings);
  size_t key_warnings = 0;
  const auto keys = LoadKeys(c, &key_warnings, nullptr);
  if (!keys) {
    fmt::print(stderr, "{}: errors in the keys file {}\n", path, c.keys.keys_path.value_or(""));
    return 1;
  }
  size_t leap_problems = 0;
  if (c.leapfile) (void)LoadLeapFile(*c.leapfile, &leap_problems);
  fmt::print("{}: OK ({} source line(s), {} restrict line(s), {} key(s), {} warning(s); clock {})\n", path,
             c.servers.size(), c.restricts.size(), keys->keys.size(),
             parsed->warnings.size() + hosts.warnings.size() + key_warnings + leap_problems, c.clock.kind);
  return 0;
}

}  // namespace tempus::daemon

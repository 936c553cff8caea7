// tempusd: the NTP daemon. main() only turns flags into DaemonOptions (daemon.h) and runs it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/checks.h"
#include "cli/describe.h"
#include "cli/version.h"
#include "daemon.h"
#include "io/resolver.h"
#include "load_config.h"
#include "log.h"

namespace {

struct Flags {
  std::string config;
  std::string check_config;
  std::string clock = "observe";
  double virtual_offset_s = 0.0;
  double virtual_freq_ppm = 0.0;
  std::vector<std::string> listen;
  std::vector<std::string> servers;
  std::string metrics;
  bool iburst = false;
  int minpoll = 6;
  int maxpoll = 10;
  int local_stratum = 0;
  int orphan = 0;
  double orphan_wait_s = 300;
  double duration_s = 0.0;
  std::string user;
  bool syslog = false;
  uint64_t seed = 0;
  int workers = 1;
};

// Resolves "host[:port]" or fails with one line on stderr.
bool Resolve(const std::string& what, const std::string& text, uint16_t port,
             std::vector<tempus::core::NetAddress>* out) {
  auto addresses = tempus::io::Resolver().Resolve(text, port);
  if (!addresses || addresses->empty()) {
    std::fprintf(stderr, "tempusd: %s %s: %s\n", what.c_str(), tempus::Shown(text).c_str(),
                 addresses ? "no address" : addresses.error().c_str());
    return false;
  }
  out->push_back(addresses->front());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"tempusd: NTP daemon (RFC 5905) for server clusters"};
  app.footer("With -c, the flags below override the file.");
#ifdef TEMPUS_HAVE_SYSTEMD
  tempus::cli::AddVersionFlag(app, "tempusd", TEMPUS_SYSTEMD_VERSION " (sd_notify)");
#else
  tempus::cli::AddVersionFlag(app, "tempusd", "none (built without it: no sd_notify)");
#endif
  tempus::cli::AddDescribeFlag(app);
  using tempus::cli::FiniteIn;
  using tempus::cli::NonEmpty;
  app.add_option("-c,--config", f.config, "ntp.conf to read (ntpd syntax plus tempus directives)")
      ->check(NonEmpty("a configuration file"));
  app.add_option("--check-config", f.check_config, "Check this ntp.conf, print every problem and exit")
      ->check(NonEmpty("a configuration file"));
  app.add_option("--clock", f.clock,
                 "observe (read the system clock, never change it), virtual (software clock for tests and "
                 "demos) or system (steer the system clock; needs CAP_SYS_TIME)")
      ->check(CLI::IsMember({"observe", "virtual", "system"}))
      ->capture_default_str();
  app.add_option("--virtual-offset", f.virtual_offset_s, "Virtual clock: initial offset from real time, s")
      ->check(FiniteIn(-1e9, 1e9));
  app.add_option("--virtual-freq", f.virtual_freq_ppm, "Virtual clock: frequency error, ppm")
      ->check(FiniteIn(-100000.0, 100000.0));
  app.add_option("--listen", f.listen, "ADDRESS[:PORT] to serve on (repeatable; default 0.0.0.0:123)")
      ->check(NonEmpty("an address"));
  app.add_option("--metrics", f.metrics, "ADDRESS:PORT for Prometheus (GET /metrics), e.g. 127.0.0.1:9123")
      ->check(NonEmpty("an address"));
  app.add_option("--server", f.servers, "HOST[:PORT] of a source to synchronize to (repeatable)")
      ->check(NonEmpty("a host"));
  app.add_flag("--iburst", f.iburst, "Start each source with a burst of 8 requests 2 s apart");
  app.add_option("--minpoll", f.minpoll, "Shortest poll interval, log2 s")->check(CLI::Range(3, 17));
  app.add_option("--maxpoll", f.maxpoll, "Longest poll interval, log2 s")->check(CLI::Range(3, 17));
  app.add_option("--stratum", f.local_stratum,
                 "Serve the local clock at this stratum when no source is usable (like `local stratum N`)")
      ->check(CLI::Range(1, 15));
  app.add_option("--orphan", f.orphan, "Orphan stratum for a cluster cut off from upstream (tos orphan N)")
      ->check(CLI::Range(1, 15));
  app.add_option("--orphan-wait", f.orphan_wait_s, "Seconds before an orphan parent serves its clock")
      ->check(FiniteIn(0.0, 86400.0));
  app.add_option("--duration", f.duration_s, "Exit after this many seconds (0: run until SIGTERM)")
      ->check(FiniteIn(0.0, 1e9));
  app.add_option("-u,--user", f.user,
                 "Switch to USER once the sockets are bound, keeping only CAP_SYS_TIME (and only with "
                 "clock system)")
      ->check(NonEmpty("a user name"));
  app.add_option("--workers", f.workers,
                 "Threads answering plain time requests, each with its own SO_REUSEPORT socket (default: the "
                 "CPUs up to 4 with clock system or observe, 1 with clock virtual; 1: the timing thread alone)")
      ->check(CLI::Range(1, 64));
  app.add_flag("--syslog", f.syslog, "Log to syslog instead of stderr or the logfile");
  app.add_option("--seed", f.seed,
                 "For simulation and tests only: seed the daemon's randomness (request cookies, poll "
                 "jitter) with N so that a run can be repeated; the default draws from the kernel")
      ->check(CLI::Range(uint64_t{0}, UINT64_MAX));
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version, --describe-cli
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tempusd: %s\n", tempus::cli::ErrorText(e).c_str());
    return 1;
  }
  // TEMPUS_PARSE_ONLY=1: the command line is valid; run nothing (tests of the documentation).
  if (std::getenv("TEMPUS_PARSE_ONLY") != nullptr) return 0;
  if (app.count("--check-config") > 0) {
    tempus::daemon::LogPlain();
    return tempus::daemon::CheckConfig(f.check_config);
  }
  if (f.minpoll > f.maxpoll) {
    std::fprintf(stderr, "tempusd: --minpoll %d is above --maxpoll %d\n", f.minpoll, f.maxpoll);
    return 1;
  }

  if (f.syslog) tempus::daemon::LogToSyslog();
  tempus::daemon::DaemonOptions options;
  if (!f.config.empty() && !tempus::daemon::LoadConfig(f.config, &options)) return 1;
  if (!f.syslog && !options.logfile.empty()) {
    if (auto r = tempus::daemon::LogToFile(options.logfile); !r) {
      tempus::daemon::Log(r.error());
      return 1;
    }
  }
  options.user = f.user;
  if (app.count("--seed") > 0) options.random_seed = f.seed;
  const auto given = [&](const char* name) { return app.count(name) > 0; };
  if (f.config.empty() || given("--clock")) options.clock_kind = f.clock;
  if (given("--virtual-offset")) {
    options.clock.virtual_clock.initial_offset = tempus::core::NtpDuration::FromSeconds(f.virtual_offset_s);
  }
  if (given("--virtual-freq")) options.clock.virtual_clock.freq_error_ppm = f.virtual_freq_ppm;
  options.duration_s = f.duration_s;
  if (given("--workers")) options.workers = f.workers;
  if (!f.listen.empty()) options.listen.clear();
  for (const auto& l : f.listen) {
    if (!Resolve("--listen", l, 123, &options.listen)) return 1;
  }
  // With interface/nic rules and no listen address, the rules choose among every address
  // (config/listen_plan.h); without rules tempusd serves on the IPv4 wildcard.
  if (options.listen.empty() && options.file.interfaces.empty() &&
      !Resolve("--listen", "0.0.0.0:123", 123, &options.listen)) {
    return 1;
  }
  if (!f.metrics.empty()) {
    std::vector<tempus::core::NetAddress> m;
    if (!Resolve("--metrics", f.metrics, 9123, &m)) return 1;
    options.metrics = m.front();
  }
  std::vector<tempus::core::NetAddress> servers;
  for (const auto& s : f.servers) {
    if (!Resolve("--server", s, 123, &servers)) return 1;
  }
  for (const auto& address : servers) {
    tempus::core::assoc::AssociationConfig a;
    a.address = address;
    a.iburst = f.iburst;
    a.minpoll = tempus::core::PollExp(f.minpoll);
    a.maxpoll = tempus::core::PollExp(f.maxpoll);
    options.node.sources.push_back(a);
  }
  auto& sys = options.node.system;
  // These flags win over the file at start and again after each reload (reload.h).
  options.system_overrides = [f, stratum = given("--stratum"), orphan = given("--orphan"),
                              wait = given("--orphan-wait")](tempus::core::system::SystemConfig& s) {
    if (stratum) s.local_stratum = f.local_stratum;
    if (orphan) s.orphan_stratum = f.orphan;
    if (wait) s.orphan_wait = tempus::core::NtpDuration::FromSeconds(f.orphan_wait_s);
  };
  options.system_overrides(sys);
  if (f.config.empty() || given("--minpoll")) sys.discipline.min_poll = tempus::core::PollExp(f.minpoll);
  if (f.config.empty() || given("--maxpoll")) sys.discipline.max_poll = tempus::core::PollExp(f.maxpoll);
  return tempus::daemon::RunDaemon(options);
}

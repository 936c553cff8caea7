#include "daemon.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <functional>
#include <optional>

#include <fmt/format.h>

#include "config/driftfile.h"
#include "core/random.h"
#include "io/metrics_server.h"
#include "io/poll_loop.h"
#include "obs/prometheus.h"
#include "io/udp_socket.h"
#include "load_config.h"
#include "log.h"
#include "notify.h"
#include "privileges.h"
#include "sources.h"

namespace tempus::daemon {
namespace {

bool IsWildcard(const core::NetAddress& a) { return a.ToString() == "0.0.0.0" || a.ToString() == "::"; }

// engine::Transport over the daemon's sockets: a datagram leaves from the first socket of the
// destination's family, so sources see requests from the address and port we serve on.
class SocketTransport final : public engine::Transport {
 public:
  explicit SocketTransport(std::vector<io::UdpSocket>& sockets) : sockets_(sockets) {}
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override {
    for (auto& s : sockets_) {
      if (s.local_address().family() != to.family()) continue;
      if (auto r = s.SendTo(bytes, to); !r) ++errors_;
      return;
    }
    ++errors_;
  }
  // From the socket bound to `local` (its port and, for a wildcard socket, the address via
  // pktinfo): the socket that received the request.
  void SendFrom(std::span<const uint8_t> bytes, const core::NetAddress& to, const core::NetAddress& local) override {
    for (auto& s : sockets_) {
      const core::NetAddress& bound = s.local_address();
      if (bound.family() != local.family() || bound.port() != local.port()) continue;
      if (bound != local && !IsWildcard(bound)) continue;
      if (auto r = s.SendTo(bytes, to, IsWildcard(bound) ? std::optional(local) : std::nullopt); !r) ++errors_;
      return;
    }
    Send(bytes, to);
  }
  uint64_t errors() const { return errors_; }

 private:
  std::vector<io::UdpSocket>& sockets_;
  uint64_t errors_ = 0;
};

uint64_t SeedFromKernel() {
  uint64_t seed = 0;
  FILE* f = std::fopen("/dev/urandom", "rb");
  if (f != nullptr) {
    if (std::fread(&seed, sizeof seed, 1, f) != 1) seed = 0;
    std::fclose(f);
  }
  return seed ^ static_cast<uint64_t>(getpid());
}

// "synchronized to 127.0.0.2:123, offset +0.000012 s" for systemctl status.
std::string StatusLine(const engine::Node& node) {
  const auto& sys = node.system();
  if (auto peer = sys.system_peer(); peer && node.associations().count(*peer)) {
    return fmt::format("synchronized to {}, offset {:+.6f} s", node.associations().at(*peer)->config().address.ToStringWithPort(),
                       sys.offset().Seconds());
  }
  if (sys.orphan_parent()) return "orphan parent: serving its own clock";
  if (auto panic = sys.panic_offset()) {
    return fmt::format("not synchronized: offset {:+.3f} s beyond the panic threshold, refused", panic->Seconds());
  }
  return "not synchronized";
}

// SIGHUP: reopen the log, reread the file, apply the source lines. A file with errors changes
// nothing (LoadConfig logged each error with file:line).
void Reload(const DaemonOptions& running, Sources& sources, engine::Node& node, core::MonoTime now) {
  ReopenLog();
  if (running.config_path.empty()) {
    Log("SIGHUP: no configuration file (-c); log reopened");
    return;
  }
  NotifyReloading();
  Log(fmt::format("SIGHUP: rereading {}", running.config_path));
  DaemonOptions next;
  next.listen = running.listen;
  if (LoadConfig(running.config_path, &next, /*reload=*/true)) {
    const Sources::Counts c = sources.Apply(next.lines, now);
    Log(fmt::format("reload: {} source line(s) kept, {} removed, {} added", c.kept, c.removed, c.added));
    // The leapfile was reread (a new tzdata, or a leapfile line added or removed).
    node.SetLeapTable(next.node.system.leap_table);
    if (next.clock_kind != running.clock_kind || next.listen != running.listen || next.logfile != running.logfile ||
        next.driftfile != running.driftfile || next.stats != running.stats) {
      Log("reload: clock, listen, logfile, driftfile, statistics and keys changes take effect at the next start");
    }
  }
  NotifyReady("reloaded");
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  // Say why before anything can fail on it: a system clock without CAP_SYS_TIME could not steer.
  if (options.clock_kind == "system" && !HasSysTime()) {
    Log("clock system needs CAP_SYS_TIME, which this process lacks: run it as root or with "
        "AmbientCapabilities=CAP_SYS_TIME (dist/tempusd.service), or use `clock observe` to only "
        "measure; exiting");
    return 1;
  }
  auto clock = clock::MakeClock(options.clock_kind, options.clock);
  if (!clock) {
    Log(clock.error());
    return 1;
  }
  std::vector<io::UdpSocket> sockets;
  for (const auto& address : options.listen) {
    auto socket = io::UdpSocket::Open(address);
    if (!socket) {
      Log(fmt::format("cannot listen on {}: {}", address.ToStringWithPort(), socket.error().ToString()));
      return 1;
    }
    sockets.push_back(std::move(*socket));
  }
  if (!options.pidfile.empty()) {
    FILE* f = std::fopen(options.pidfile.c_str(), "w");
    if (f == nullptr || std::fprintf(f, "%d\n", static_cast<int>(getpid())) < 0 || std::fclose(f) != 0) {
      Log(fmt::format("pidfile {}: cannot write it", options.pidfile));
      return 1;
    }
  }
  if (!options.user.empty()) {
    const bool keep = options.clock_kind == "system";
    if (auto r = DropPrivileges(options.user, keep); !r) {
      Log(r.error());
      return 1;
    }
    Log(fmt::format("running as {} ({})", options.user, keep ? "keeping only CAP_SYS_TIME" : "no capabilities"));
  }
  SocketTransport transport(sockets);
  core::SeededRandom random(SeedFromKernel());
  engine::NodeConfig node_config = options.node;
  if (!node_config.self_address) {
    for (const auto& s : sockets) {
      const core::NetAddress& a = s.local_address();
      if (!IsWildcard(a)) {
        node_config.self_address = a;
        break;
      }
    }
  }
  engine::Node node(node_config, **clock, transport, random, [](const std::string& m) { Log(m); });
  std::unique_ptr<obs::StatsFiles> stats;
  if (options.stats.any_enabled()) {
    stats = std::make_unique<obs::StatsFiles>(options.stats, [](const std::string& m) { Log(m); });
    node.SetStatsObserver([&stats](const engine::StatsRecord& r) { stats->Record(r); });
    Log(fmt::format("statistics in {}:{}{}", options.stats.dir, options.stats.peerstats.enabled ? " peerstats" : "",
                    options.stats.loopstats.enabled ? " loopstats" : ""));
  }
  Sources sources(node, options.pool_size);

  io::PollLoop loop;
  std::optional<io::PollLoop::TimerId> timer;
  std::function<void()> arm = [&] {
    if (timer) loop.CancelTimer(*timer);
    timer = loop.AddTimer(node.NextDeadline(), [&] {
      timer.reset();
      node.OnTimer();
      arm();
    });
  };
  std::array<uint8_t, 2048> buffer{};
  for (auto& socket : sockets) {
    loop.Watch(socket.fd(), POLLIN, [&](short) {
      for (int i = 0; i < 64; ++i) {  // bounded: let timers and the other sockets run
        auto got = socket.Receive(buffer);
        if (!got || !got->has_value()) break;
        const io::Datagram& dg = **got;
        if (dg.truncated) continue;
        // The local address: pktinfo's destination, else the socket's own.
        node.OnDatagram(std::span(buffer).first(dg.size), dg.from, dg.rx_realtime,
                        dg.local.value_or(socket.local_address()));
      }
      arm();
    });
  }
  DaemonOptions running = options;
  auto signals = loop.HandleSignals({SIGINT, SIGTERM, SIGHUP}, [&](int sig) {
    if (sig == SIGHUP) {
      Reload(running, sources, node, (*clock)->Mono());
      arm();
      return;
    }
    Log(sig == SIGTERM ? "SIGTERM: exiting" : "SIGINT: exiting");
    loop.Stop();
  });
  if (!signals) {
    Log(signals.error().ToString());
    return 1;
  }

  std::unique_ptr<io::MetricsServer> metrics;
  if (options.metrics) {
    auto m = io::MetricsServer::Open(*options.metrics, loop, [&node, &stats] {
      return obs::RenderPrometheus(node, "0.1.0") + (stats ? obs::RenderStatsMetrics(*stats) : std::string());
    });
    if (!m) {
      Log(m.error().ToString());
      return 1;
    }
    metrics = std::move(*m);
    Log("metrics on http://" + metrics->address().ToStringWithPort() + "/metrics");
  }

  std::string where;
  for (const auto& s : sockets) where += (where.empty() ? "" : ", ") + s.local_address().ToStringWithPort();
  node.Start();
  sources.Apply(options.lines, (*clock)->Mono());
  Log(fmt::format("serving on {}; clock {}; {} source(s)", where, (*clock)->Kind(), node.associations().size()));
  arm();
  // Once a second: lookups, pool replacement; every 30 s the status line systemd shows.
  int ticks = 0;
  std::function<void()> second = [&] {
    sources.Tick((*clock)->Mono());
    if (++ticks % 30 == 0) NotifyStatus(StatusLine(node));
    arm();
    loop.AddTimer(loop.Now() + core::NtpDuration::FromWholeSeconds(1), second);
  };
  loop.AddTimer(loop.Now(), second);
  // The driftfile: the frequency estimate, hourly and on exit, once there is one worth keeping.
  auto save_drift = [&] {
    if (options.driftfile.empty() || !node.system().discipline_state().synchronized) return;
    const double ppm = node.system().discipline_state().frequency_ppm;
    if (auto w = config::WriteDriftFile(options.driftfile, ppm); !w) {
      Log("driftfile: " + w.error().ToString());
    } else {
      Log(fmt::format("driftfile {}: wrote {:+.3f} ppm", options.driftfile, ppm));
    }
  };
  std::function<void()> hourly = [&] {
    save_drift();
    loop.AddTimer(loop.Now() + core::NtpDuration::FromWholeSeconds(3600), hourly);
  };
  loop.AddTimer(loop.Now() + core::NtpDuration::FromWholeSeconds(3600), hourly);
  NotifyReady(StatusLine(node));
  std::optional<core::MonoTime> until;
  if (options.duration_s > 0) until = loop.Now() + core::NtpDuration::FromSeconds(options.duration_s);
  if (auto r = loop.Run(until); !r) {
    Log(r.error().ToString());
    return 1;
  }
  NotifyStopping();
  save_drift();
  const auto& st = node.server().stats();
  Log(fmt::format("served {} requests, {} replies, {} dropped; sent {} requests", st.received, st.replied,
                  st.TotalDropped(), node.packets_sent()));
  if (stats) {
    Log(fmt::format("statistics: {} line(s) written, {} record(s) dropped for file errors", stats->lines_written(),
                    stats->errors()));
  }
  return 0;
}

}  // namespace tempus::daemon

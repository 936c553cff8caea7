#include "daemon.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>

#include "crypto/system_random.h"
#include "drift_keeper.h"
#include "io/interfaces.h"
#include "io/metrics_server.h"
#include "io/poll_loop.h"
#include "io/udp_socket.h"
#include "listen.h"
#include "load_config.h"
#include "log.h"
#include "notify.h"
#include "nts_ke.h"
#include "nts_sources.h"
#include "obs/prometheus.h"
#include "privileges.h"
#include "reload.h"
#include "sources.h"
#include "systemd_status.h"
#include "workers.h"

namespace tempus::daemon {
namespace {

bool IsWildcard(const core::NetAddress& a) { return a.IsWildcard(); }

// engine::Transport over the daemon's serving sockets (never a `drop` one). A request leaves from
// a wildcard socket of the destination's family, else from the socket of the address the kernel
// routes to the destination from (the only one when there is one), so that sources see requests
// from an address and port we serve on.
class SocketTransport final : public engine::Transport {
 public:
  explicit SocketTransport(std::vector<ServerSocket>& sockets) : sockets_(sockets) {}
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override {
    io::UdpSocket* s = Pick(to);
    if (s == nullptr) {
      ++errors_;
      WarnOnce(to, fmt::format("cannot send to {}: no {} address is served here ({}); add one with --listen or "
                               "'listen' in the configuration",
                               to.ToStringWithPort(), to.is_v6() ? "IPv6" : "IPv4", Served()));
      return;
    }
    if (auto r = s->SendTo(bytes, to); !r) {
      ++errors_;
      WarnOnce(to, r.error().ToString());
    }
  }
  // From the socket bound to `local` (its port and, for a wildcard socket, the address via
  // pktinfo): the socket that received the request.
  void SendFrom(std::span<const uint8_t> bytes, const core::NetAddress& to, const core::NetAddress& local) override {
    if (io::UdpSocket* s = ServingSocket(local)) {
      if (auto r = s->SendTo(bytes, to, local); !r) ++errors_;  // `local` used by a wildcard socket only
      return;
    }
    Send(bytes, to);
  }
  // The route token of a datagram received on sockets_[index] (Datagram::reply_to there): the
  // reply leaves from the socket that received it, with the addresses as they came.
  static uint64_t Route(size_t index, uint32_t reply_to) {
    return reply_to == 0 ? 0 : (static_cast<uint64_t>(index + 1) << 32) | reply_to;
  }
  // A batch's replies: each run of replies to one socket's datagrams (route tokens), or else from
  // one local address, leaves with one SendMany (sendmmsg) from the socket SendFrom would pick.
  void SendBatch(std::span<const Outgoing> batch) override {
    size_t i = 0;
    while (i < batch.size()) {
      if (const uint64_t socket = batch[i].route >> 32; socket != 0 && socket <= sockets_.size()) {
        // The run handed on as it is (io::Outgoing is this type; the socket uses `local` only
        // when it is a wildcard one, and the low half of the route as its reply token).
        size_t n = 1;
        while (i + n < batch.size() && (batch[i + n].route >> 32) == socket) ++n;
        errors_ += sockets_[socket - 1].socket.SendMany(batch.subspan(i, n));
        i += n;
        continue;
      }
      // No route (Route makes no other with a zero socket): the socket bound to the local address.
      const core::NetAddress* local = batch[i].local;
      io::UdpSocket* s = local != nullptr && batch[i].route == 0 ? ServingSocket(*local) : nullptr;
      if (s == nullptr) {
        Transport::SendBatch(batch.subspan(i, 1));
        ++i;
        continue;
      }
      size_t n = 1;
      while (i + n < batch.size() && batch[i + n].route == 0 && batch[i + n].local != nullptr &&
             *batch[i + n].local == *local) {
        ++n;
      }
      errors_ += s->SendMany(batch.subspan(i, n));  // as it is: the socket uses `local` only if wildcard
      i += n;
    }
  }
  uint64_t errors() const { return errors_; }

 private:
  // The serving socket bound to `local`, or to the wildcard address of its family and port.
  io::UdpSocket* ServingSocket(const core::NetAddress& local) {
    for (auto& [s, drop] : sockets_) {
      const core::NetAddress& bound = s.local_address();
      if (drop || bound.family() != local.family() || bound.port() != local.port()) continue;
      if (bound != local && !IsWildcard(bound)) continue;
      return &s;
    }
    return nullptr;
  }
  io::UdpSocket* Pick(const core::NetAddress& to) {
    std::vector<io::UdpSocket*> family;
    for (auto& [s, drop] : sockets_) {
      if (drop || s.local_address().family() != to.family()) continue;
      if (IsWildcard(s.local_address())) return &s;
      family.push_back(&s);
    }
    if (family.size() <= 1) return family.empty() ? nullptr : family.front();
    if (routes_.size() > 1024) routes_.clear();  // bounded: sources come and go
    const core::NetAddress key = to.WithPort(0);
    auto it = routes_.find(key);
    if (it == routes_.end()) it = routes_.emplace(key, io::RouteSourceFor(to)).first;
    for (io::UdpSocket* s : family) {
      if (it->second && s->local_address().WithPort(0) == *it->second) return s;
    }
    return family.front();
  }

  // The first failure to send to a destination is logged (later ones are only counted), for up
  // to 64 destinations: a source of a family no socket serves must not fail in silence.
  void WarnOnce(const core::NetAddress& to, const std::string& message) {
    if (warned_.size() >= 64 || !warned_.insert(to).second) return;
    Log(message + " (logged once for this address; later failures are counted)");
  }
  std::string Served() const {
    std::string where;
    for (const auto& [s, drop] : sockets_) {
      if (drop) continue;
      if (!where.empty()) where += ", ";
      where += s.local_address().ToStringWithPort();
    }
    return where.empty() ? "no serving socket" : "serving on " + where;
  }

  std::vector<ServerSocket>& sockets_;
  std::set<core::NetAddress> warned_;
  std::map<core::NetAddress, std::optional<core::NetAddress>> routes_;  // destination -> source
  uint64_t errors_ = 0;
};

// (Re)arms `timer` for `deadline` (none: cancels it) unless it is armed for that already; `fire`
// runs when it expires.
void Rearm(io::PollLoop& loop, std::optional<io::PollLoop::TimerId>& timer, core::MonoTime& armed_for,
           const std::optional<core::MonoTime>& deadline, std::function<void()> fire) {
  if (timer && deadline && *deadline == armed_for) return;
  if (timer) loop.CancelTimer(*timer);
  timer.reset();
  if (!deadline) return;
  armed_for = *deadline;
  timer = loop.AddTimer(*deadline, [&timer, fire = std::move(fire)] {
    timer.reset();
    fire();
  });
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  // Say why before anything can fail on it: a system clock without CAP_SYS_TIME could not steer.
  if (options.clock_kind == "system" && !MakeSysTimeEffective()) {
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
  // Workers need the clock as a line they can read without it (engine::Clock::LinearForm).
  const int worker_count = (*clock)->LinearForm() ? WorkerCount(options.workers, options.clock_kind) : 1;
  auto opened = OpenServerSockets(options, worker_count);
  if (!opened) {
    Log(opened.error());
    return 1;
  }
  std::vector<ServerSocket> sockets = std::move(*opened);
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
  // The kernel CSPRNG (cookies, poll jitter, rate-limiter keys must be unpredictable), or the
  // replayable generator with --seed.
  auto random = crypto::MakeRandom(options.random_seed);
  if (!random) {
    Log(random.error().ToString());
    return 1;
  }
  engine::NodeConfig node_config = options.node;
  if (!node_config.self_address) {
    // The first address we serve on, preferring one that is not loopback (what peers see).
    for (const auto& [s, drop] : sockets) {
      const core::NetAddress& a = s.local_address();
      if (drop || IsWildcard(a)) continue;
      if (!node_config.self_address || (node_config.self_address->IsLoopback() && !a.IsLoopback())) {
        node_config.self_address = a;
      }
    }
  }
  DriftKeeper drift(options.driftfile, (*clock)->Kind(), options.drift);
  drift.Start(&node_config.system.discipline);
  // Which sources are this node itself (a cluster's config copied to every node names them all).
  node_config.own_addresses = OwnAddresses(sockets);
  engine::Node node(node_config, **clock, transport, **random, [](const std::string& m) { Log(m); });
  std::unique_ptr<obs::StatsFiles> stats;
  OpenStats(options.stats, node, stats);
  Sources sources(node, options.pool_size);

  io::PollLoop loop;
  // `workers N`: threads answering plain time requests on their own sockets (workers.h); this
  // thread keeps the rest, forwarded to it.
  std::unique_ptr<WorkerPool> workers;
  if (worker_count > 1) {
    auto started = WorkerPool::Start(worker_count, sockets, ServerSocketOptions(options, worker_count), **random);
    if (started) {
      workers = std::move(*started);
      workers->SetAccess(node.access());
      Log(fmt::format("{} workers answer time requests, steered by source address", workers->size()));
    } else {
      Log(started.error() + "; serving from this thread alone");
    }
  }
  // After every event: the workers' counts into the node's snapshot, and what they answer from
  // published when it changed, again when the clock's rate ends (a slew): until then they hand
  // such requests to this thread.
  std::optional<io::PollLoop::TimerId> republish;
  core::MonoTime republish_at;
  std::function<void()> sync_workers = [&] {
    if (workers) Rearm(loop, republish, republish_at, workers->Sync(node, **clock), [&] { sync_workers(); });
  };
  std::optional<io::PollLoop::TimerId> timer;
  // After every timer of the node (a poll; the associations may have changed): the sources' work
  // and the systemd status line. Set below, once they exist.
  std::function<void()> housekeeping;
  core::MonoTime armed_for;
  // (Re)arms the node's timer when its deadline moved: a served request moves none, and costs no
  // timer work.
  std::function<void()> arm = [&] {
    sync_workers();
    const core::MonoTime deadline = node.NextDeadline();
    if (timer && deadline == armed_for) return;
    if (timer) loop.CancelTimer(*timer);
    armed_for = deadline;
    timer = loop.AddTimer(deadline, [&] {
      timer.reset();
      node.OnTimer();
      if (housekeeping) housekeeping();
      arm();
    });
  };
  // One wake-up reads up to kMaxBatch datagrams per recvmmsg (UdpSocket::ReceiveMany; one recvmsg
  // each where the platform has no recvmmsg), a few times over, bounded so that timers and the
  // other sockets run. Each recvmmsg's replies leave before the next one is read: held for the
  // whole wake-up, the first ones would wait for up to three more batches' work (under overload,
  // about a third of a millisecond at 2 µs per request), for no saving in system calls (sendmmsg
  // takes kMaxBatch at most either way).
  constexpr size_t kBatch = io::UdpSocket::kMaxBatch;
  constexpr int kBatchesPerWakeup = 4;
  std::vector<uint8_t> storage(kBatch * 2048);
  std::array<std::span<uint8_t>, kBatch> buffers;
  for (size_t i = 0; i < kBatch; ++i) buffers[i] = std::span(storage).subspan(i * 2048, 2048);
  std::array<io::Datagram, kBatch> received;
  uint64_t interface_drops = 0;  // datagrams that arrived on a `drop` socket
  for (size_t index = 0; index < sockets.size(); ++index) {
    ServerSocket& server_socket = sockets[index];
    io::UdpSocket& socket = server_socket.socket;
    const std::optional<core::NetAddress> own = socket.local_address();  // a datagram's local address without pktinfo
    loop.Watch(socket.fd(), POLLIN, [&, index, own, drop = server_socket.drop](short) {
      for (int round = 0; round < kBatchesPerWakeup; ++round) {
        node.BeginBatch();  // one clock reading for what this recvmmsg reads, replies sent together
        auto got = socket.ReceiveMany(buffers, received);
        if (!got || *got == 0) {
          node.EndBatch();
          break;
        }
        for (size_t i = 0; i < *got; ++i) {
          const io::Datagram& dg = received[i];
          if (drop) {
            ++interface_drops;
            continue;
          }
          if (dg.truncated) continue;
          // The local address: pktinfo's destination, else the socket's own (by reference: no
          // optional built per datagram).
          const std::optional<core::NetAddress>& local = dg.local ? dg.local : own;
          node.OnDatagram(buffers[i].first(dg.size), dg.from, dg.rx_realtime, local,
                          SocketTransport::Route(index, dg.reply_to));
        }
        node.EndBatch();           // sends this round's replies while their route tokens hold
        if (*got < kBatch) break;  // the queue is empty
      }
      // A wake-up that only served time requests moved no deadline of the node: no re-arming
      // (with workers, arm also brings their counts and the published view up to date).
      if (workers || node.TakeDeadlineMayHaveMoved()) arm();
    });
  }
  if (workers) {
    loop.Watch(workers->wake_fd(), POLLIN, [&](short) {
      workers->DrainInto(node);
      arm();
    });
  }
  DaemonOptions running_options = options;
  Running running{running_options, sources, node, stats};
  SystemdStatus status(node);
  auto signals = loop.HandleSignals({SIGINT, SIGTERM, SIGHUP}, [&](int sig) {
    if (sig == SIGHUP) {
      status.Reloading();
      status.Reloaded(Reload(running, (*clock)->Mono()));
      if (workers) workers->SetAccess(node.access());
      housekeeping();
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

  // `nts enable`: NTS-KE on the server sockets' addresses (nts_ke.h).
  std::unique_ptr<NtsKeServer> nts_ke;
  if (options.file.nts.enable) {
    std::vector<core::NetAddress> addresses;
    for (const auto& [s, drop] : sockets) {
      if (!drop) addresses.push_back(s.local_address());
    }
    auto k = NtsKeServer::Start(options.file.nts, addresses, loop, **random);
    if (!k) {
      Log(k.error());
      return 1;
    }
    nts_ke = std::move(*k);
    // NTS on the NTP port with the KE server's own cookie keys (RFC 8915 §5).
    node.SetNts(&nts_ke->cookies(), &nts_ke->aead());
    Log("NTS-KE on " + nts_ke->Where());
    running.nts_ke = nts_ke.get();
    node.SetNtsServerCounts([k = nts_ke.get()] { return k->Report(); });  // ntpq ntsinfo, /metrics
  }

  // `server HOST nts`: NTS-KE, then only NTS-authenticated replies (nts_sources.h).
  NtsSources nts_sources(node, loop, **random, options.file.nts.ca.value_or(""));
  node.SetNtsClient(&nts_sources);
  running.nts_sources = &nts_sources;

  std::unique_ptr<io::MetricsServer> metrics;
  if (options.metrics) {
    auto m = io::MetricsServer::Open(*options.metrics, loop, [&node, &stats, &nts_ke, &nts_sources, &sync_workers] {
      sync_workers();
      return obs::RenderPrometheus(node.Snapshot(), "0.1.0") +
             (stats ? obs::RenderStatsMetrics(*stats) : std::string()) +
             (nts_ke ? nts_ke->RenderMetrics() : std::string()) + nts_sources.RenderMetrics();
    });
    if (!m) {
      Log(m.error().ToString());
      return 1;
    }
    metrics = std::move(*m);
    Log("metrics on http://" + metrics->address().ToStringWithPort() + "/metrics");
  }

  std::string where;
  for (const auto& [s, drop] : sockets) {
    if (!drop) where += (where.empty() ? "" : ", ") + s.local_address().ToStringWithPort();
  }
  node.Start();
  sources.Apply(options.lines, (*clock)->Mono());
  nts_sources.Start(options.lines, options.pool_size);
  Log(fmt::format("serving on {}; clock {}; {} source(s){}", where, (*clock)->Kind(), node.associations().size(),
                  nts_sources.size() > 0 ? fmt::format(", {} NTS source(s) after NTS-KE", nts_sources.size()) : ""));
  arm();
  // Name lookups, pool replacement, the status line systemd shows when it changed: after every
  // poll (above), and on a timer only while the sources say they have work (a lookup in flight:
  // once a second; a retry: at its time). An idle daemon has no periodic timer but its polls.
  std::optional<io::PollLoop::TimerId> sources_timer;
  core::MonoTime sources_at;
  housekeeping = [&] {
    const core::MonoTime now = (*clock)->Mono();
    sources.Tick(now);
    status.Tick();
    Rearm(loop, sources_timer, sources_at, sources.NextTick(now), [&] {
      housekeeping();
      arm();
    });
  };
  loop.AddTimer(loop.Now(), [&] {
    housekeeping();
    arm();
  });
  // The driftfile: hourly and on exit, when this run's estimate beats the stored one.
  std::function<void()> hourly = [&] {
    drift.Save(node.system().discipline_state(), /*at_exit=*/false);
    loop.AddTimer(loop.Now() + core::NtpDuration::FromWholeSeconds(3600), hourly);
  };
  loop.AddTimer(loop.Now() + core::NtpDuration::FromWholeSeconds(3600), hourly);
  // WatchdogSec=: WATCHDOG=1 from this loop at half the interval, so a stalled loop is restarted.
  const std::optional<core::NtpDuration> watchdog_interval = WatchdogInterval();
  std::function<void()> watchdog = [&] {
    NotifyWatchdog();
    loop.AddTimer(loop.Now() + watchdog_interval->Half(), watchdog);
  };
  if (watchdog_interval) {
    Log(fmt::format("systemd watchdog: WATCHDOG=1 every {:.3f} s", watchdog_interval->Half().Seconds()));
    loop.AddTimer(loop.Now(), watchdog);
  }
  status.Ready();
  std::optional<core::MonoTime> until;
  if (options.duration_s > 0) until = loop.Now() + core::NtpDuration::FromSeconds(options.duration_s);
  if (auto r = loop.Run(until); !r) {
    Log(r.error().ToString());
    return 1;
  }
  NotifyStopping();
  drift.Save(node.system().discipline_state(), /*at_exit=*/true);
  sync_workers();
  const core::report::NodeSnapshot snapshot = node.Snapshot();
  const core::server::ServerStats& st = snapshot.counters.server;
  Log(fmt::format("served {} requests, {} replies, {} dropped; sent {} requests; {} send error(s)", st.received,
                  st.replied, st.TotalDropped(), node.packets_sent(), transport.errors()));
  if (nts_ke) {
    const io::NtsKeCounters k = nts_ke->Counters();
    Log(
        fmt::format("NTS-KE: {} connection(s), {} answered; dropped: {} over capacity, {} timed out, {} too large, "
                    "{} TLS failures, {} closed early, {} unanswerable",
                    k.accepted, k.answered, k.over_capacity, k.timed_out, k.too_large, k.tls_failed, k.closed_early,
                    k.unanswerable));
    using core::server::DropReason;
    Log(fmt::format("NTS on the NTP port: {} answered, {} NAK(s), {} bad authenticator(s), {} malformed; {} replayed",
                    st.nts_answered, st.Dropped(DropReason::kNtsNakSent), st.Dropped(DropReason::kNtsBadAuth),
                    st.Dropped(DropReason::kNtsMalformed), st.nts_replayed));
  }
  for (const std::string& line : nts_sources.Summary()) Log(line);
  if (workers && (workers->forward_drops() > 0 || workers->send_errors() > 0)) {
    Log(fmt::format("workers: {} datagram(s) dropped with the queue to this thread full, {} send error(s)",
                    workers->forward_drops(), workers->send_errors()));
  }
  if (interface_drops > 0) Log(fmt::format("{} datagram(s) dropped on 'interface drop' sockets", interface_drops));
  if (stats) {
    Log(fmt::format("statistics: {} line(s) written, {} record(s) dropped for file errors", stats->lines_written(),
                    stats->errors()));
  }
  return 0;
}

}  // namespace tempus::daemon

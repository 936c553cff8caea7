// `tempus cluster HOST...`: how far apart are my nodes right now? Samples every node over NTP at
// the same moment (its clock's offset relative to the machine running the command), reads each
// node's state over mode 6 (RFC 9327: its system variables and its system peer's address), and
// prints each node's offset from the cluster median with its error bound, its stratum, the source
// it follows, whether it is synchronized, and the cluster's maximum pairwise skew with its error
// bound. A node that does not answer mode 6 (chrony, `restrict noquery`) is described from its
// NTP reply instead (stratum, leap, refid); the table's "via" column and --json's "state_from"
// say which. --max-skew turns it into a check for cron and monitoring; --watch repeats.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <future>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "cli/checks.h"
#include "common.h"
#include "exit_codes.h"
#include "mode6_client.h"
#include "sim/scenario.h"
#include "subcommands.h"

namespace tempus::app {
namespace {

struct ClusterArgs {
  std::vector<std::string> nodes;
  OneShotOptions sampling{.samples = 2, .timeout_s = 0.5, .interval_s = 0.005, .measure_unsynchronized = true};
  std::string max_skew;
  double watch_s = 0;
  double duration_s = 0;
  bool json = false;
};

// The sample of a node's clock: a synchronized reply, or else an unsynchronized one.
const core::Measurement* SampleOf(const ServerReport& r) {
  if (r.best) return &*r.best;
  if (r.unsynchronized) return &*r.unsynchronized;
  return nullptr;
}

// What a node says of itself over mode 6, or what its NTP reply shows when mode 6 is refused.
struct NodeState {
  bool from_mode6 = false;
  std::optional<int> stratum;
  bool synchronized = false;
  std::optional<std::string> system_peer;  // mode 6: the system peer's srcadr[:srcport]
  std::string refid;                       // the node's refid (mode 6 text, or the NTP reply's)
  std::string mode6_error;                 // why mode 6 was not used
};

// "127.0.0.31:12331"; port 123 is left out, as ntpq shows addresses; a reference clock by name.
std::string PeerAddress(const std::map<std::string, std::string>& v) {
  if (auto clock = ClockName(v)) return *clock;  // "LOCAL(0)"
  auto a = v.find("srcadr");
  if (a == v.end()) return {};
  auto p = v.find("srcport");
  if (p == v.end() || p->second == "123") return a->second;
  return a->second + ":" + p->second;
}

// READVAR of association 0, then of the system peer's association.
Result<NodeState, std::string> ReadNodeState(const core::NetAddress& node, int timeout_ms) {
  auto client = Mode6Client::Open(node, timeout_ms);
  if (!client) return Unexpected(client.error().message);
  auto sys = client->ReadVariables(0, "leap,stratum,refid,peer");
  if (!sys) return Unexpected(sys.error().message);
  const auto num = [&](const char* k, long fallback) {
    auto it = sys->find(k);
    return it == sys->end() ? fallback : std::strtol(it->second.c_str(), nullptr, 0);
  };
  NodeState s;
  s.from_mode6 = true;
  const long leap = num("leap", 3);
  const long stratum = num("stratum", 16);
  s.stratum = static_cast<int>(stratum);
  s.synchronized = leap != 3 && stratum > 0 && stratum < 16;
  if (sys->count("refid")) s.refid = sys->at("refid");
  const long peer = num("peer", 0);
  if (peer > 0 && peer <= 0xffff) {
    auto p = client->ReadVariables(static_cast<uint16_t>(peer), "srcadr,srcport,srchost");
    if (!p) return Unexpected(p.error().message);
    const std::string address = PeerAddress(*p);
    if (!address.empty()) s.system_peer = address;
  }
  return s;
}

bool Synchronized(const ServerReport& r) {
  return r.best.has_value() && r.best->server.leap != core::Leap::kUnsynchronized && r.best->server.stratum > 0 &&
         r.best->server.stratum < core::kMaxStratum;
}

NodeState StateFromNtp(const ServerReport& r, std::string mode6_error) {
  NodeState s;
  s.mode6_error = std::move(mode6_error);
  s.synchronized = Synchronized(r);
  if (const core::Measurement* m = r.best ? &*r.best : r.unsynchronized ? &*r.unsynchronized : nullptr) {
    s.stratum = m->server.stratum;
    s.refid = m->server.refid.ToDisplay(m->server.stratum);
  }
  return s;
}

// Every node's state, asked in parallel so that nodes refusing mode 6 cost one timeout in all.
std::vector<NodeState> ReadStates(const std::vector<ServerReport>& reports, int timeout_ms) {
  std::vector<std::future<Result<NodeState, std::string>>> asks;
  asks.reserve(reports.size());
  for (const ServerReport& r : reports) {
    asks.push_back(std::async(std::launch::async, ReadNodeState, r.address, timeout_ms));
  }
  std::vector<NodeState> out;
  for (size_t i = 0; i < reports.size(); ++i) {
    auto s = asks[i].get();
    out.push_back(s ? *s : StateFromNtp(reports[i], s.error()));
  }
  return out;
}

struct NodeRow {
  const ServerReport* report;
  NodeState state;
  double offset_s = 0;  // relative to the median
  double bound_s = 0;   // half the round trip + dispersion
};

struct ClusterView {
  std::vector<NodeRow> rows;
  int answered = 0;
  double skew_s = 0;        // max - min offset among the nodes that answered
  double skew_bound_s = 0;  // the two extremes' bounds added
};

ClusterView View(const std::vector<ServerReport>& reports, const std::vector<NodeState>& states) {
  ClusterView v;
  std::vector<double> offsets;
  for (const auto& r : reports) {
    if (const core::Measurement* m = SampleOf(r)) offsets.push_back(m->offset.Seconds());
  }
  v.answered = static_cast<int>(offsets.size());
  std::sort(offsets.begin(), offsets.end());
  const double median = offsets.empty()      ? 0.0
                        : offsets.size() % 2 ? offsets[offsets.size() / 2]
                                             : 0.5 * (offsets[offsets.size() / 2 - 1] + offsets[offsets.size() / 2]);
  const NodeRow* lo = nullptr;
  const NodeRow* hi = nullptr;
  for (size_t i = 0; i < reports.size(); ++i) {
    const ServerReport& r = reports[i];
    NodeRow row{&r, states[i]};
    if (const core::Measurement* m = SampleOf(r)) {
      row.offset_s = m->offset.Seconds() - median;
      row.bound_s = m->delay.Seconds() / 2 + m->dispersion.Seconds();
    }
    v.rows.push_back(row);
  }
  for (const auto& row : v.rows) {
    if (!SampleOf(*row.report)) continue;
    if (!lo || row.offset_s < lo->offset_s) lo = &row;
    if (!hi || row.offset_s > hi->offset_s) hi = &row;
  }
  if (lo && hi) {
    v.skew_s = hi->offset_s - lo->offset_s;
    v.skew_bound_s = hi->bound_s + lo->bound_s;
  }
  return v;
}

// "45µs", "3.2ms", "1.500s".
std::string Human(double s) {
  const double a = std::fabs(s);
  if (a < 1e-3) return fmt::format("{:.1f}µs", s * 1e6);
  if (a < 1.0) return fmt::format("{:.3f}ms", s * 1e3);
  return fmt::format("{:.3f}s", s);
}

// Whom the node follows: its system peer's address (mode 6), else its refid.
std::string Follows(const NodeState& s) {
  if (s.system_peer) return *s.system_peer;
  return s.refid.empty() ? "-" : "refid " + s.refid;
}

void PrintTable(const ClusterView& v) {
  fmt::print("{:<22} {:>12} {:>10} {:>3} {:<22} {:<6} {:<5}\n", "node", "offset", "±bound", "st", "follows", "synced",
             "via");
  for (const auto& row : v.rows) {
    const ServerReport& r = *row.report;
    const core::Measurement* m = SampleOf(r);
    if (m == nullptr) {
      fmt::print("{:<22} {}\n", r.name, r.error);
      continue;
    }
    const NodeState& s = row.state;
    fmt::print("{:<22} {:>12} {:>10} {:>3} {:<22} {:<6} {:<5}\n", r.name, Human(row.offset_s), Human(row.bound_s),
               s.stratum.value_or(m->server.stratum), Follows(s), s.synchronized ? "yes" : "no",
               s.from_mode6 ? "mode6" : "ntp");
  }
  fmt::print("cluster skew {} ±{} ({} of {} nodes answered; offsets from the median)\n", Human(v.skew_s),
             Human(v.skew_bound_s), v.answered, v.rows.size());
}

nlohmann::json ToJson(const ClusterView& v) {
  nlohmann::json j;
  j["nodes"] = nlohmann::json::array();
  for (const auto& row : v.rows) {
    nlohmann::json n = ReportToJson(*row.report);
    const bool sampled = SampleOf(*row.report) != nullptr;
    n["offset_from_median"] = sampled ? nlohmann::json(row.offset_s) : nlohmann::json(nullptr);
    n["error_bound"] = sampled ? nlohmann::json(row.bound_s) : nlohmann::json(nullptr);
    const NodeState& s = row.state;
    n["synchronized"] = s.synchronized;
    n["state_from"] = s.from_mode6 ? "mode6" : "ntp";  // where stratum, synchronized and follows come from
    if (s.stratum) n["stratum"] = *s.stratum;
    n["system_peer"] = s.system_peer ? nlohmann::json(*s.system_peer) : nlohmann::json(nullptr);
    n["follows"] = Follows(s);
    if (!s.refid.empty()) n["refid"] = s.refid;
    if (!s.from_mode6) n["mode6_error"] = s.mode6_error;
    j["nodes"].push_back(n);
  }
  j["answered"] = v.answered;
  j["max_skew"] = v.skew_s;
  j["max_skew_error_bound"] = v.skew_bound_s;
  return j;
}

}  // namespace

void RegisterCluster(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ClusterArgs>();
  CLI::App* cmd = app.add_subcommand("cluster", "Show how far apart the clocks of a cluster's nodes are right now");
  cmd->add_option("nodes", args->nodes, "HOST[:PORT] of each node (port 123 by default)")->required();
  AddSamplingFlags(cmd, &args->sampling);
  cmd->add_option("--max-skew", args->max_skew, "Exit 7 when the skew exceeds this (e.g. 1ms, 250us)")
      ->check(cli::NonEmpty("a duration such as 1ms"));
  cmd->add_option("--watch", args->watch_s, "Repeat every SECONDS, refreshing the table")
      ->check(cli::FiniteIn(0.1, 3600.0));
  cmd->add_option("--duration", args->duration_s, "With --watch: stop after SECONDS")->check(cli::FiniteIn(0.0, 1e7));
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  cmd->callback([args, exit_code] {
    std::optional<double> limit;
    if (!args->max_skew.empty()) {
      limit = sim::ParseSeconds(args->max_skew);  // "1ms", "250us", "250µs", "2s" or plain seconds
      if (!limit || *limit <= 0) {
        fmt::print(stderr, "tempus cluster: --max-skew: expected a duration such as 1ms, got '{}'\n",
                   Shown(args->max_skew));
        *exit_code = kExitUsage;
        return;
      }
    }
    auto specs = ResolveServers(args->nodes);
    if (!specs) {
      fmt::print(stderr, "tempus cluster: {}\n", specs.error());
      *exit_code = kExitUsage;
      return;
    }
    auto clock = MakeClockFromFlags(ClockFlags{});
    if (!clock) {
      fmt::print(stderr, "tempus cluster: {}\n", clock.error());
      *exit_code = kExitUsage;
      return;
    }
    const bool tty = isatty(STDOUT_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    std::optional<double> first_skew;
    double converged_at = -1;           // since when the skew has stayed below 1 ms; -1: not (yet)
    std::vector<ServerReport> reports;  // `last` points into it
    ClusterView last;
    for (int round = 0;; ++round) {
      auto sampled = SampleServers(*specs, **clock, args->sampling);
      if (!sampled) {
        fmt::print(stderr, "tempus cluster: {}\n", sampled.error());
        *exit_code = kExitNoReply;
        return;
      }
      reports = std::move(*sampled);
      last = View(reports, ReadStates(reports, static_cast<int>(args->sampling.timeout_s * 1000)));
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (last.answered >= 2) {
        if (!first_skew) first_skew = last.skew_s;
        if (last.skew_s >= 1e-3) {
          converged_at = -1;
        } else if (converged_at < 0) {
          converged_at = elapsed;
        }
      }
      if (args->json) {
        fmt::print("{}\n", ToJson(last).dump(args->watch_s > 0 ? -1 : 2));
      } else {
        if (args->watch_s > 0) BeginWatchFrame(tty, round);
        if (args->watch_s > 0) fmt::print("t = {:.0f} s (every {} s)\n", elapsed, args->watch_s);
        PrintTable(last);
      }
      std::fflush(stdout);
      if (args->watch_s <= 0) break;
      if (args->duration_s > 0 && elapsed + args->watch_s > args->duration_s) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(args->watch_s));
    }
    if (args->watch_s > 0 && first_skew && !args->json) {
      fmt::print("cluster skew {} → {}{}\n", Human(*first_skew), Human(last.skew_s),
                 converged_at >= 0 ? fmt::format(" (below 1 ms since t = {:.0f} s)", converged_at) : "");
    }
    if (last.answered == 0) {
      *exit_code = ExitCodeFor(reports);
    } else {
      *exit_code = limit && last.skew_s > *limit ? kExitAboveLimit : kExitOk;
    }
  });
}

}  // namespace tempus::app

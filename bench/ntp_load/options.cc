#include "ntp_load/options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>

#include <CLI/CLI.hpp>

#include "core/nts/ke_record.h"

namespace tempus::bench {
namespace {

// CLI::Range lets "nan" through (every comparison with NaN is false) and CLI11 converts "-1" to
// 2^64-1 for unsigned options, so each number is checked here from its text instead.
CLI::Validator FiniteIn(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        double v = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || p != end || !std::isfinite(v) || v < lo || v > hi) {
          return "expected a finite number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
                 text + "'";
        }
        return {};
      },
      "NUMBER");
}

CLI::Validator IntegerIn(uint64_t lo, uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        uint64_t v = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || p != end || v < lo || v > hi) {
          return "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + text +
                 "'";
        }
        return {};
      },
      "INTEGER");
}

Unexpected<ParseStop> Error(std::string message) { return Unexpected(ParseStop{2, std::move(message)}); }

// The target must be an IPv4 loopback address: this is a load generator, and the project keeps
// its load on loopback (in a network namespace the benchmark script creates).
Result<core::NetAddress, std::string> ParseTarget(const std::string& text) {
  auto address = core::NetAddress::ParseWithDefaultPort(text, 123);
  if (!address) return Unexpected("target: expected ADDRESS[:PORT], got '" + text + "'");
  if (!address->is_v4()) return Unexpected("target: only IPv4 is supported, got '" + text + "'");
  if (!address->IsLoopback()) return Unexpected("target: only loopback (127.0.0.0/8) is loaded, got '" + text + "'");
  if (address->port() == 0) return Unexpected("target: port 0 is not a server port");
  return *address;
}

}  // namespace

Result<LoadOptions, ParseStop> ParseLoadOptions(const std::vector<std::string>& args) {
  LoadOptions o;
  std::string target, first_client = "127.1.0.1";
  o.outstanding = 128;
  o.clients = 1000;
  o.warmup_s = 0.5;
  o.duration_s = 5.0;
  o.timeout_s = 1.0;
  o.batch = 32;
  o.seed = std::random_device{}();

  CLI::App app{
      "ntp_load: NTP client requests (mode 3) at a loopback server, closed or open loop; "
      "reports answered rate, loss, latency percentiles and the server's CPU per response"};
  app.add_option("target", target, "ADDRESS[:PORT] of the server (IPv4 loopback; port 123 by default)")->required();
  auto* outstanding =
      app.add_option("--outstanding", o.outstanding, "Closed loop: requests kept in flight (default 128)")
          ->check(IntegerIn(1, 1 << 20));
  auto* rate = app.add_option("--rate", o.rate_per_s, "Open loop: requests per second offered, answered or not")
                   ->check(FiniteIn(1.0, 1e8));
  outstanding->excludes(rate);
  app.add_flag("--poisson", o.poisson, "Open loop: exponential gaps between requests (default: even pacing)");
  app.add_option("--clients", o.clients, "Distinct source addresses (default 1000)")->check(IntegerIn(1, 1 << 22));
  app.add_option("--first-client", first_client, "First source address (default 127.1.0.1)");
  app.add_option("--warmup", o.warmup_s, "Seconds of load before the measured window (default 0.5)")
      ->check(FiniteIn(0.0, 600.0));
  app.add_option("--duration", o.duration_s, "Seconds measured (default 5)")->check(FiniteIn(0.001, 3600.0));
  app.add_option("--timeout", o.timeout_s, "Seconds after which a request counts as lost (default 1)")
      ->check(FiniteIn(0.001, 10.0));
  app.add_option("--count", o.count, "Stop after sending this many requests in all (default: no limit)")
      ->check(IntegerIn(1, uint64_t{1} << 40));
  app.add_option("--batch", o.batch, "Packets per sendmmsg/recvmmsg (default 32)")->check(IntegerIn(1, 1024));
  app.add_option("--server-pid", o.server_pid, "PID of the server: its CPU time per response is reported")
      ->check(IntegerIn(1, 1 << 30));
  app.add_option("--json", o.json_path, "Write the report as JSON to this file ('-': standard output)");
  app.add_flag("--quiet", o.quiet, "No human summary line on standard error");
  app.add_option("--seed", o.seed, "Seed of the cookies and Poisson gaps (default: random)")
      ->check(IntegerIn(0, UINT64_MAX));
  std::string nts_ke;
  auto* nts = app.add_option("--nts-ke", nts_ke,
                             "NTS (RFC 8915): NTS-KE with this ADDRESS[:PORT] (IPv4 loopback, port 4460 by default) "
                             "first, then NTS-protected requests; only valid NTS replies count as answered");
  o.nts_options.host = "localhost";
  app.add_option("--nts-host", o.nts_options.host, "With --nts-ke: the name the server's certificate must carry")
      ->needs(nts);
  app.add_option("--nts-ca", o.nts_options.ca_file, "With --nts-ke: PEM file of the CA that signed the certificate")
      ->needs(nts);
  app.add_option("--nts-session", o.nts_options.session_file,
                 "With --nts-ke: keys and cookies from this file when it exists (no NTS-KE), else from the NTS-KE, "
                 "then saved in it")
      ->needs(nts);
  app.add_option("--nts-placeholders", o.nts_options.placeholders,
                 "With --nts-ke: cookie placeholders per request (0 to 7, default 0: a client holding 8 cookies)")
      ->check(IntegerIn(0, 7))
      ->needs(nts);
  app.add_option("--nts-sessions", o.nts_options.sessions,
                 "With --nts-ke: NTS-KE sessions, each with its own keys and cookies, taking turns as the source "
                 "addresses do (address index mod N; default 1). Needs --clients >= N")
      ->check(IntegerIn(1, kMaxNtsSessions))
      ->needs(nts);

  std::vector<std::string> reversed;  // CLI11 takes the arguments last first, without argv[0]
  for (size_t i = args.size(); i > 1; --i) reversed.push_back(args[i - 1]);
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return Unexpected(ParseStop{0, app.help()});
  } catch (const CLI::ParseError& e) {
    return Error(e.what());
  }
  if (rate->count() > 0) o.outstanding = 0;

  auto parsed = ParseTarget(target);
  if (!parsed) return Error(parsed.error());
  o.target = *parsed;
  auto first = core::NetAddress::Parse(first_client);
  if (!first || !first->is_v4() || first->port() != 0 || !first->IsLoopback()) {
    return Error("--first-client: expected an IPv4 loopback address, got '" + first_client + "'");
  }
  o.first_client = first->v4();
  // The last source address must stay inside 127.0.0.0/8 and below its broadcast address.
  if (uint64_t{o.first_client} + o.clients - 1 >= 0x7fffffffu) {
    return Error("--clients: " + std::to_string(o.clients) + " addresses from " + first_client +
                 " run past 127.255.255.254");
  }
  if (nts->count() > 0) {
    auto ke = core::NetAddress::ParseWithDefaultPort(nts_ke, core::nts::kKePort);
    if (!ke || !ke->is_v4() || !ke->IsLoopback() || ke->port() == 0) {
      return Error("--nts-ke: expected an IPv4 loopback ADDRESS[:PORT], got '" + nts_ke + "'");
    }
    if (o.nts_options.ca_file.empty()) return Error("--nts-ke needs --nts-ca (the certificate is always checked)");
    o.nts = true;
    o.nts_options.ke_server = *ke;
    if (o.nts_options.sessions > o.clients) {
      return Error("--nts-sessions " + std::to_string(o.nts_options.sessions) + " needs at least as many --clients (" +
                   std::to_string(o.clients) + "): each session speaks from addresses of its own");
    }
  }
  if (o.rate_per_s > 0 && o.rate_per_s * o.timeout_s > double{1 << 22}) {
    return Error("--rate times --timeout is above 2^22 requests in flight; lower one of them");
  }
  return o;
}

}  // namespace tempus::bench

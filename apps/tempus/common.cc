#include "common.h"

#include <fmt/format.h>

#include "cli/checks.h"
#include "clock/make_clock.h"
#include "io/resolver.h"

namespace tempus::app {

void AddClockFlags(CLI::App* app, ClockFlags* flags, const std::string& default_kind) {
  flags->kind = default_kind;
  app->add_option("--clock", flags->kind,
                  "Clock to read and steer: observe (read the system clock, never change it), virtual (a "
                  "software clock for tests and demos) or system (steer the system clock; needs CAP_SYS_TIME)")
      ->check(CLI::IsMember({"observe", "virtual", "system"}))
      ->capture_default_str();
  app->add_option("--virtual-offset", flags->virtual_offset_s, "Virtual clock: initial offset from real time, s")
      ->check(cli::FiniteIn(-1e9, 1e9));
  app->add_option("--virtual-freq", flags->virtual_freq_ppm, "Virtual clock: frequency error, ppm")
      ->check(cli::FiniteIn(-100000.0, 100000.0));
}

Result<std::unique_ptr<engine::Clock>, std::string> MakeClockFromFlags(const ClockFlags& flags) {
  clock::ClockOptions options;
  options.virtual_clock.initial_offset = core::NtpDuration::FromSeconds(flags.virtual_offset_s);
  options.virtual_clock.freq_error_ppm = flags.virtual_freq_ppm;
  return clock::MakeClock(flags.kind, options);
}

Result<std::vector<ServerSpec>, std::string> ResolveServers(const std::vector<std::string>& words,
                                                            core::NetAddress::Family family) {
  io::Resolver resolver;
  std::vector<ServerSpec> out;
  for (const auto& w : words) {
    auto addresses = resolver.Resolve(w, kNtpPort, family);
    if (!addresses) return Unexpected(addresses.error());
    if (addresses->empty()) return Unexpected("cannot resolve '" + w + "': no address");
    out.push_back(ServerSpec{w, addresses->front()});
  }
  return out;
}

void AddSamplingFlags(CLI::App* app, OneShotOptions* options, bool ntpdate_names) {
  app->add_option(ntpdate_names ? "-n,-p,--samples" : "-n,--samples", options->samples,
                  "Requests per server (the lowest-delay one is kept)")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  app->add_option("-t,--timeout", options->timeout_s, "Seconds to wait for each reply")
      ->check(cli::FiniteIn(0.01, 60.0))
      ->capture_default_str();
  app->add_option("--interval", options->interval_s, "Seconds between requests to one server")
      ->check(cli::FiniteIn(0.0, 60.0))
      ->capture_default_str();
}

void BeginWatchFrame(bool terminal, int frame) {
  if (terminal) {
    fmt::print("\033[H\033[2J");  // cursor home, erase the screen (ECMA-48 CUP, ED 2)
  } else if (frame > 0) {
    fmt::print("\n");
  }
}

std::string FormatSeconds(core::NtpDuration d, int decimals, bool sign) {
  return sign ? fmt::format("{:+.{}f}", d.Seconds(), decimals) : fmt::format("{:.{}f}", d.Seconds(), decimals);
}

nlohmann::json ReportToJson(const ServerReport& r) {
  nlohmann::json j;
  j["server"] = r.name;
  j["address"] = r.address.ToString();
  j["port"] = r.address.port();
  j["ok"] = r.status == ServerStatus::kOk;
  j["status"] = ServerStatusName(r.status);
  j["samples_sent"] = r.sent;
  j["samples_good"] = r.good;
  j["authenticated"] = r.authenticated;
  if (r.best) {
    const core::Measurement& m = *r.best;
    j["offset"] = m.offset.Seconds();
    j["delay"] = m.delay.Seconds();
    j["dispersion"] = m.dispersion.Seconds();
    j["root_distance"] = m.RootDistance().Seconds();
    j["stratum"] = m.server.stratum;
    j["refid"] = m.server.refid.ToDisplay(m.server.stratum);
    j["leap"] = std::string(core::LeapName(m.server.leap));
    j["precision"] = m.server.precision;
    j["root_delay"] = m.server.root_delay.ToDuration().Seconds();
    j["root_dispersion"] = m.server.root_dispersion.ToDuration().Seconds();
    j["version"] = m.server.version;
  }
  if (r.kiss != core::KissCode::kNone) j["kiss"] = core::RefIdOf(r.kiss).AsCode();
  j["error"] = r.status == ServerStatus::kOk ? nlohmann::json(nullptr) : nlohmann::json(r.error);
  return j;
}

}  // namespace tempus::app

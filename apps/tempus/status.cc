// `tempus status [--json] HOST[:PORT]`: is a tempusd or ntpd synchronized, to what, how well.
// Reads the system variables over mode 6 (RFC 9327 READVAR of association 0) and the system
// peer's address, and tempusd's `reason`: why it follows no source (the panic refusal says the
// offset it refused). Exit 0 when synchronized, 5 when not, 2/3/4 when there is no answer (as
// query).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common.h"
#include "core/system/refusal.h"
#include "engine/refusal_log.h"
#include "exit_codes.h"
#include "mode6_client.h"
#include "subcommands.h"

namespace tempus::app {
namespace {

struct StatusArgs {
  std::string server;
  bool json = false;
};

double Num(const std::map<std::string, std::string>& v, const std::string& k) {
  auto it = v.find(k);
  return it == v.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
}

const char* LeapText(int leap) {
  switch (leap) {
    case 0: return "none";
    case 1: return "add second";
    case 2: return "delete second";
    default: return "unsynchronized";
  }
}

// Why the server follows no source, in words; empty when it follows one (or is ntpd, which has
// no `reason` variable).
std::string WhyText(const std::map<std::string, std::string>& v) {
  auto it = v.find("reason");
  if (it == v.end() || it->second == "none") return "";
  const std::optional<core::system::Refusal> r = core::system::RefusalFromName(it->second);
  if (!r) return it->second;
  if (*r == core::system::Refusal::kPanic) {
    return fmt::format("offset beyond the panic threshold: {:+.1f} s, refused", Num(v, "offset") / 1000.0);
  }
  return std::string(engine::SystemRefusalText(*r));
}

}  // namespace

void RegisterStatus(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show whether a server is synchronized (NTP mode 6)");
  cmd->add_option("server", args->server, "HOST[:PORT] of a tempusd or ntpd (port 123 by default)")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, exit_code] {
    auto specs = ResolveServers({args->server});
    if (!specs) {
      std::fprintf(stderr, "tempus status: %s\n", specs.error().c_str());
      *exit_code = kExitUsage;
      return;
    }
    const core::NetAddress server = specs->front().address;
    auto client = Mode6Client::Open(server);
    if (!client) {
      std::fprintf(stderr, "tempus status: %s\n", client.error().message.c_str());
      *exit_code = ExitCodeOf(client.error().status);
      return;
    }
    uint16_t status = 0;
    auto vars = client->ReadVariables(0, {}, &status);
    if (!vars) {
      std::fprintf(stderr, "tempus status: %s\n", vars.error().message.c_str());
      *exit_code = ExitCodeOf(vars.error().status);
      return;
    }
    const auto& v = *vars;
    const int leap = static_cast<int>(Num(v, "leap"));
    const int stratum = static_cast<int>(Num(v, "stratum"));
    const bool synced = leap != 3 && stratum > 0 && stratum < 16;
    const long peer = std::strtol(v.count("peer") ? v.at("peer").c_str() : "0", nullptr, 0);
    std::string peer_address;
    if (peer > 0 && peer <= 0xffff) {
      auto p = client->ReadVariables(static_cast<uint16_t>(peer), "srcadr,srcport,srchost");
      if (p && p->count("srcadr")) {
        peer_address = p->at("srcadr") + (p->count("srcport") ? ":" + p->at("srcport") : "");
        if (auto clock = ClockName(*p)) peer_address = *clock;  // "LOCAL(0)", as ntpq shows it
      }
    }
    const double root_distance_ms = Num(v, "rootdelay") / 2 + Num(v, "rootdisp");
    const int poll = static_cast<int>(Num(v, "tc"));
    const std::string why = WhyText(v);
    if (args->json) {
      nlohmann::json j;
      j["server"] = server.ToStringWithPort();
      j["synchronized"] = synced;
      j["system_peer"] = peer_address.empty() ? nlohmann::json(nullptr) : nlohmann::json(peer_address);
      j["stratum"] = stratum;
      j["refid"] = v.count("refid") ? v.at("refid") : "";
      j["offset_ms"] = Num(v, "offset");
      j["frequency_ppm"] = Num(v, "frequency");
      j["root_distance_ms"] = root_distance_ms;
      j["leap"] = LeapText(leap);
      j["poll"] = poll;
      j["status"] = fmt::format("{:04x}", status);
      j["system_clock_offset_ms"] = v.count("sysclk_offset") ? nlohmann::json(Num(v, "sysclk_offset")) : nlohmann::json(nullptr);
      j["reason"] = v.count("reason") ? nlohmann::json(v.at("reason")) : nlohmann::json(nullptr);
      j["why"] = why.empty() ? nlohmann::json(nullptr) : nlohmann::json(why);
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("%s: %s\n", server.ToStringWithPort().c_str(), synced ? "synchronized" : "not synchronized");
      if (!why.empty()) std::printf("  why:           %s\n", why.c_str());
      std::printf("  system peer:   %s\n", peer_address.empty() ? "none" : peer_address.c_str());
      std::printf("  stratum:       %d\n", stratum);
      std::printf("  refid:         %s\n", v.count("refid") ? v.at("refid").c_str() : "");
      std::printf("  offset:        %+.6f ms\n", Num(v, "offset"));
      std::printf("  frequency:     %+.3f ppm\n", Num(v, "frequency"));
      std::printf("  root distance: %.3f ms\n", root_distance_ms);
      std::printf("  leap:          %s\n", LeapText(leap));
      std::printf("  poll:          %d (%ld s)\n", poll, poll >= 0 && poll < 31 ? 1L << poll : 0L);
      if (v.count("sysclk_offset")) {
        const double ms = Num(v, "sysclk_offset");
        std::printf("  system clock:  %.6f ms %s the time served (clock observe: not corrected)\n", std::fabs(ms),
                    ms >= 0 ? "behind" : "ahead of");
      }
    }
    *exit_code = synced ? kExitOk : kExitNoAgreement;
  });
}

}  // namespace tempus::app

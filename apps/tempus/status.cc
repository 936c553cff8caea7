// `tempus status [--json] HOST[:PORT]`: is a tempusd or ntpd synchronized, to what, how well.
// Reads the system variables over mode 6 (RFC 9327 READVAR of association 0) and the system
// peer's address, and tempusd's `reason`: why it follows no source (the panic refusal says the
// offset it refused), and the system peer's NTS state when it is an NTS source (nts_view.h).
// Exit 0 when synchronized, 5 when not, 2/3/4 when there is no answer (as query).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common.h"
#include "exit_codes.h"
#include "mode6_client.h"
#include "nts_view.h"
#include "subcommands.h"
#include "sync_state.h"

namespace tempus::app {
namespace {

struct StatusArgs {
  std::string server;
  bool json = false;
};

const char* LeapText(int leap) {
  switch (leap) {
    case 0: return "none";
    case 1: return "add second";
    case 2: return "delete second";
    default: return "unsynchronized";
  }
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
    auto state = ReadSyncState(*client);
    if (!state) {
      std::fprintf(stderr, "tempus status: %s\n", state.error().message.c_str());
      *exit_code = ExitCodeOf(state.error().status);
      return;
    }
    const SyncState& st = *state;
    const auto& v = st.variables;
    const auto num = [&v](const std::string& k) { return NumberOf(v, k); };
    const int leap = st.leap;
    const int stratum = st.stratum;
    const bool synced = st.synchronized;
    const std::string& peer_address = st.system_peer;
    const double root_distance_ms = num("rootdelay") / 2 + num("rootdisp");
    const int poll = static_cast<int>(num("tc"));
    const std::string& why = st.why;
    if (args->json) {
      nlohmann::json j;
      j["server"] = server.ToStringWithPort();
      j["synchronized"] = synced;
      j["system_peer"] = peer_address.empty() ? nlohmann::json(nullptr) : nlohmann::json(peer_address);
      j["system_peer_nts"] = st.system_peer_nts ? NtsJson(*st.system_peer_nts) : nlohmann::json(nullptr);
      j["stratum"] = stratum;
      j["refid"] = v.count("refid") ? v.at("refid") : "";
      j["offset_ms"] = num("offset");
      j["frequency_ppm"] = num("frequency");
      j["root_distance_ms"] = root_distance_ms;
      j["leap"] = LeapText(leap);
      j["poll"] = poll;
      j["status"] = fmt::format("{:04x}", st.status);
      j["system_clock_offset_ms"] = v.count("sysclk_offset") ? nlohmann::json(num("sysclk_offset"))
                                                             : nlohmann::json(nullptr);
      j["reason"] = v.count("reason") ? nlohmann::json(v.at("reason")) : nlohmann::json(nullptr);
      j["why"] = why.empty() ? nlohmann::json(nullptr) : nlohmann::json(why);
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("%s: %s\n", server.ToStringWithPort().c_str(), synced ? "synchronized" : "not synchronized");
      if (!why.empty()) std::printf("  why:           %s\n", why.c_str());
      std::printf("  system peer:   %s\n", peer_address.empty() ? "none" : peer_address.c_str());
      if (st.system_peer_nts) std::printf("  nts:           %s\n", NtsText(*st.system_peer_nts).c_str());
      std::printf("  stratum:       %d\n", stratum);
      std::printf("  refid:         %s\n", v.count("refid") ? v.at("refid").c_str() : "");
      std::printf("  offset:        %+.6f ms\n", num("offset"));
      std::printf("  frequency:     %+.3f ppm\n", num("frequency"));
      std::printf("  root distance: %.3f ms\n", root_distance_ms);
      std::printf("  leap:          %s\n", LeapText(leap));
      std::printf("  poll:          %d (%ld s)\n", poll, poll >= 0 && poll < 31 ? 1L << poll : 0L);
      if (v.count("sysclk_offset")) {
        const double ms = num("sysclk_offset");
        std::printf("  system clock:  %.6f ms %s the time served (clock observe: not corrected)\n", std::fabs(ms),
                    ms >= 0 ? "behind" : "ahead of");
      }
    }
    *exit_code = synced ? kExitOk : kExitNoAgreement;
  });
}

}  // namespace tempus::app

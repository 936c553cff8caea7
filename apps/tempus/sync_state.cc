#include "sync_state.h"

#include <cstdlib>

#include "cli/why.h"

namespace tempus::app {
namespace {

// Why the server follows no source, in words; empty when it follows one (or is ntpd, which has
// no `reason` variable). The panic refusal's offset is the system offset (ms) it refused.
std::string WhyText(const std::map<std::string, std::string>& v) {
  auto it = v.find("reason");
  if (it == v.end() || it->second == "none") return "";
  const std::optional<core::system::Refusal> r = core::system::RefusalFromName(it->second);
  if (!r) return it->second;
  return cli::WhyNotSynchronized(*r, NumberOf(v, "offset") / 1000.0);
}

}  // namespace

double NumberOf(const std::map<std::string, std::string>& v, const std::string& name) {
  auto it = v.find(name);
  return it == v.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
}

Result<SyncState, Mode6Failure> ReadSyncState(Mode6Client& client) {
  SyncState s;
  auto vars = client.ReadVariables(0, {}, &s.status);
  if (!vars) return Unexpected(vars.error());
  s.variables = std::move(*vars);
  const auto& v = s.variables;
  s.leap = static_cast<int>(NumberOf(v, "leap"));
  s.stratum = static_cast<int>(NumberOf(v, "stratum"));
  s.synchronized = s.leap != 3 && s.stratum > 0 && s.stratum < 16;
  s.offset_ms = NumberOf(v, "offset");
  if (v.count("sysclk_offset")) s.system_clock_offset_ms = NumberOf(v, "sysclk_offset");
  s.why = WhyText(v);
  const long peer = std::strtol(v.count("peer") ? v.at("peer").c_str() : "0", nullptr, 0);
  if (peer > 0 && peer <= 0xffff) {
    auto p = client.ReadVariables(static_cast<uint16_t>(peer), "srcadr,srcport,srchost");
    if (p && p->count("srcadr")) {
      s.system_peer = p->at("srcadr") + (p->count("srcport") ? ":" + p->at("srcport") : "");
      if (auto clock = ClockName(*p)) s.system_peer = *clock;  // "LOCAL(0)", as ntpq shows it
    }
    // tempusd's NTS variables (core/control/nts_variables.h); ntpd refuses the names: no NTS state.
    auto nts = client.ReadVariables(static_cast<uint16_t>(peer),
                                    "ntscookies,ntske_server,ntske_time,ntske_ok,ntske_fail,ntske_reason,nts_sent,"
                                    "nts_recv_good,nts_recv_bad");
    if (nts) s.system_peer_nts = NtsViewOf(*nts);
  }
  return s;
}

}  // namespace tempus::app

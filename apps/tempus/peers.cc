// `tempus peers [-n] [--json] [--watch S] HOST[:PORT]`: the ntpq -p billboard of a tempusd or
// ntpd over mode 6 (RFC 9327): READSTAT, then READVAR of each association with the default set.
// --json adds each source's `flash` (ntpd's TEST bits) and tempusd's `reason` (why it is not used).
// An NTS source (ntscookies >= 0) shows its cookie count in `t`, as NTPsec's ntpq does, and a line
// after the table (`nts: ...`, and `nts` in --json) with its NTS-KE state (nts_view.h).
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/checks.h"
#include "common.h"
#include "exit_codes.h"
#include "io/sockaddr.h"
#include "mode6_client.h"
#include "nts_view.h"
#include "subcommands.h"

namespace tempus::app {
namespace {

struct PeersArgs {
  std::string server;
  bool numeric = false;
  bool json = false;
  double watch_s = 0;
  int count = 0;
};

struct PeerRow {
  uint16_t association_id = 0;
  uint16_t status = 0;
  char tally = ' ';
  std::string remote;
  std::string refid;
  int stratum = 16;
  char type = 'u';
  std::optional<long> when_s;
  long poll_s = 0;
  int reach = 0;
  double delay_ms = 0, offset_ms = 0, jitter_ms = 0;
  std::optional<std::string> flash;           // ntpd's TEST bits, hex, as the server sent them
  std::optional<std::string> reason;          // tempusd: why the source is not used ("none" when it is)
  std::optional<NtsView> nts;                 // an NTS association's state (ntscookies >= 0)
  static constexpr long kFlashLoop = 0x0800;  // TEST12: a timing loop, never selected
  bool loop() const { return flash && (std::strtol(flash->c_str(), nullptr, 16) & kFlashLoop) != 0; }
  // The status word's authenable and authentic bits (RFC 9327 §2.4.2; a key or NTS, replies verified).
  bool authenticated() const { return (status & 0x6000) == 0x6000; }
};

long ToLong(const std::map<std::string, std::string>& v, const std::string& k, long fallback = 0) {
  auto it = v.find(k);
  if (it == v.end()) return fallback;
  char* end = nullptr;
  const long x = std::strtol(it->second.c_str(), &end, 0);
  return end == it->second.c_str() ? fallback : x;
}
double ToDouble(const std::map<std::string, std::string>& v, const std::string& k) {
  auto it = v.find(k);
  return it == v.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
}

// As ntpq's prettyinterval: "-", seconds, then m, h, d, y.
std::string Interval(std::optional<long> s) {
  if (!s || *s <= 0) return "-";
  if (*s <= 2048) return std::to_string(*s);
  if (*s <= 300 * 60) return std::to_string(*s / 60) + "m";
  if (*s <= 96 * 3600) return std::to_string(*s / 3600) + "h";
  if (*s <= 999L * 86400) return std::to_string(*s / 86400) + "d";
  return std::to_string(*s / (365L * 86400)) + "y";
}

// A number in 8 columns with up to 4 decimals (ntpq's f8dot4).
std::string F8(double v) {
  for (int decimals = 4; decimals >= 0; --decimals) {
    std::string s = fmt::format("{:8.{}f}", v, decimals);
    if (s.size() <= 8) return s;
  }
  return fmt::format("{:8.0f}", v).substr(0, 8);
}

std::string NameOf(const std::string& address) {
  auto a = core::NetAddress::Parse(address);
  if (!a) return address;
  sockaddr_storage ss{};
  const socklen_t len = io::ToSockaddr(*a, &ss);
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) == 0) {
    return host;
  }
  return address;
}

// ntpq's `t` column; a client association with a clock name ("LOCAL(0)") is a reference clock.
char TypeOf(long hmode, bool clock) {
  if (hmode == 3 && clock) return 'l';
  switch (hmode) {
    case 1: return 's';
    case 2: return 'S';
    case 3: return 'u';
    case 5: return 'B';
    case 6: return 'b';
    default: return '?';
  }
}

Result<std::vector<PeerRow>, Mode6Failure> Collect(Mode6Client& client, bool numeric) {
  auto assocs = client.Associations();
  if (!assocs) return Unexpected(assocs.error());
  std::vector<PeerRow> rows;
  for (const auto& a : *assocs) {
    uint16_t status = a.status;
    auto vars = client.ReadVariables(a.association_id, {}, &status);
    if (!vars) return Unexpected(vars.error());
    const auto& v = *vars;
    PeerRow r;
    r.association_id = a.association_id;
    r.status = status;
    r.tally = core::mode6::TallyChar(core::mode6::PeerSelect(status));
    const std::string src = v.count("srcadr") ? v.at("srcadr") : "";
    const std::optional<std::string> clock = ClockName(v);  // "LOCAL(0)", as NTPsec's ntpq shows it
    r.remote = clock ? *clock : numeric ? src : NameOf(src);
    r.refid = v.count("refid") ? v.at("refid") : "";
    if (r.refid.find('.') == std::string::npos && r.refid.find(':') == std::string::npos) r.refid = "." + r.refid + ".";
    r.stratum = static_cast<int>(ToLong(v, "stratum", 16));
    r.type = TypeOf(ToLong(v, "hmode"), clock.has_value());
    r.nts = NtsViewOf(v);
    // As NTPsec's ntpq: a client association with NTS shows its cookie count in `t`.
    if (r.nts && r.type == 'u') r.type = static_cast<char>('0' + std::min(r.nts->cookies, 9L));
    if (v.count("rec")) r.when_s = SecondsSince(v.at("rec"));
    if (!r.when_s && v.count("reftime")) r.when_s = SecondsSince(v.at("reftime"));
    const long ppoll = std::max(ToLong(v, "ppoll", 3), 3L);
    const long hpoll = std::max(ToLong(v, "hpoll", 3), 3L);
    r.poll_s = 1L << std::min(std::min(ppoll, hpoll), 17L);
    r.reach = static_cast<int>(ToLong(v, "reach"));
    r.delay_ms = ToDouble(v, "delay");
    r.offset_ms = ToDouble(v, "offset");
    r.jitter_ms = v.count("jitter") ? ToDouble(v, "jitter") : ToDouble(v, "dispersion");
    if (v.count("flash")) r.flash = v.at("flash");
    if (v.count("reason")) r.reason = v.at("reason");
    rows.push_back(r);
  }
  return rows;
}

void PrintTable(const std::vector<PeerRow>& rows) {
  std::printf("     remote           refid      st t when poll reach   delay   offset   jitter\n");
  std::printf("===============================================================================\n");
  for (const PeerRow& r : rows) {
    // ntpq's columns: 15 for the name, 15 for the refid (keeping its right end).
    std::string refid = r.refid.size() > 15 ? r.refid.substr(r.refid.size() - 15) : r.refid;
    std::printf("%c%-15.15s %-15s %2d %c %4.4s %4.4s  %3o %s %s %s\n", r.tally, r.remote.c_str(), refid.c_str(),
                r.stratum, r.type, Interval(r.when_s).c_str(), Interval(r.poll_s).c_str(), r.reach & 0777,
                F8(r.delay_ms).c_str(), F8(r.offset_ms).c_str(), F8(r.jitter_ms).c_str());
  }
  // What ntpq -p cannot show: each NTS source's state, and a timing loop (ntpd's TEST12 flash bit).
  for (const PeerRow& r : rows) {
    if (r.nts)
      std::printf("nts: %s %s, %s\n", r.remote.c_str(), r.authenticated() ? "authenticated" : "not authenticated",
                  NtsText(*r.nts).c_str());
  }
  for (const PeerRow& r : rows) {
    if (r.loop()) {
      std::printf("loop: %s never selected: this node itself, or synchronized to it or to its system peer (TEST12)\n",
                  r.remote.c_str());
    }
  }
}

nlohmann::json ToJson(const std::string& server, const std::vector<PeerRow>& rows) {
  nlohmann::json j;
  j["server"] = server;
  j["peers"] = nlohmann::json::array();
  for (const PeerRow& r : rows) {
    nlohmann::json p;
    p["association_id"] = r.association_id;
    p["status"] = fmt::format("{:04x}", r.status);
    p["tally"] = std::string(1, r.tally);
    p["remote"] = r.remote;
    p["refid"] = r.refid;
    p["stratum"] = r.stratum;
    p["type"] = std::string(1, r.type);
    p["when_s"] = r.when_s ? nlohmann::json(*r.when_s) : nlohmann::json(nullptr);
    p["poll_s"] = r.poll_s;
    p["reach"] = fmt::format("{:o}", r.reach & 0377);
    p["delay_ms"] = r.delay_ms;
    p["offset_ms"] = r.offset_ms;
    p["jitter_ms"] = r.jitter_ms;
    p["flash"] = r.flash ? nlohmann::json(*r.flash) : nlohmann::json(nullptr);
    p["reason"] = r.reason ? nlohmann::json(*r.reason) : nlohmann::json(nullptr);
    p["loop"] = r.loop();
    p["authenticated"] = r.authenticated();
    p["nts"] = r.nts ? NtsJson(*r.nts) : nlohmann::json(nullptr);
    j["peers"].push_back(p);
  }
  return j;
}

}  // namespace

void RegisterPeers(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<PeersArgs>();
  CLI::App* cmd = app.add_subcommand("peers", "Show a server's sources like ntpq -p (NTP mode 6)");
  cmd->add_option("server", args->server, "HOST[:PORT] of a tempusd or ntpd (port 123 by default)")->required();
  cmd->add_flag("-n,--numeric", args->numeric, "Show addresses, do not look up host names");
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  cmd->add_option("--watch", args->watch_s, "Repeat every S seconds")->check(cli::FiniteIn(0.1, 86400.0));
  cmd->add_option("--count", args->count, "With --watch: stop after N reports (0: until interrupted)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args, exit_code] {
    auto specs = ResolveServers({args->server});
    if (!specs) {
      std::fprintf(stderr, "tempus peers: %s\n", specs.error().c_str());
      *exit_code = kExitUsage;
      return;
    }
    const ServerSpec& spec = specs->front();
    auto client = Mode6Client::Open(spec.address);
    if (!client) {
      std::fprintf(stderr, "tempus peers: %s\n", client.error().message.c_str());
      *exit_code = ExitCodeOf(client.error().status);
      return;
    }
    const bool redraw = args->watch_s > 0 && !args->json;  // JSON frames are always appended
    const bool terminal = isatty(STDOUT_FILENO) != 0;
    for (int n = 1;; ++n) {
      auto rows = Collect(*client, args->numeric);
      if (redraw) BeginWatchFrame(terminal, n - 1);
      if (!rows) {
        std::fprintf(stderr, "tempus peers: %s\n", rows.error().message.c_str());
        *exit_code = ExitCodeOf(rows.error().status);
      } else if (args->json) {
        std::printf("%s\n", ToJson(spec.address.ToStringWithPort(), *rows).dump(2).c_str());
        *exit_code = kExitOk;
      } else {
        if (rows->empty()) std::printf("server=%s No association IDs returned\n", spec.address.ToString().c_str());
        else PrintTable(*rows);
        *exit_code = kExitOk;
      }
      std::fflush(stdout);
      if (args->watch_s <= 0 || (args->count > 0 && n >= args->count)) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(args->watch_s));
    }
  });
}

}  // namespace tempus::app

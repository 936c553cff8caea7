// `tempus sync HOST[:PORT]...`: ntpdate. Samples the servers, keeps those that are synchronized
// and agree with the majority (RFC 5905 selection: intersection, clustering, combining), and
// applies the agreed offset to the selected clock: a step or a slew as ntpdate -b / -B. The
// default clock is `observe`, which changes nothing and only reports; the system clock is
// steered only with --clock=system, and never with -q or -d.
//
// ntpdate's flags keep their meaning (ntpdate(8)): -q query only, -d debug (query only, every
// request and reply told), -v one line per server, -s output to syslog, -p samples, -t timeout,
// -o NTP version, -4/-6 the address family of names, -k keys file and -a key id (requests signed,
// replies checked), -b/-B step/slew, -u accepted (requests always leave from an unprivileged port).
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "cli/checks.h"
#include "cli/mac_algorithm.h"
#include "common.h"
#include "config/file_system.h"
#include "config/keys_file.h"
#include "core/select/select.h"
#include "exit_codes.h"
#include "subcommands.h"

namespace tempus::app {
namespace {

// ntpdate slews offsets below 0.5 s and steps larger ones.
constexpr double kStepThresholdS = 0.5;

struct SyncArgs {
  std::vector<std::string> servers;
  OneShotOptions sampling;
  ClockFlags clock;
  bool force_step = false;
  bool force_slew = false;
  bool json = false;
  bool query_only = false;                  // -q
  bool debug = false;                       // -d
  bool verbose = false;                     // -v
  bool to_syslog = false;                   // -s
  bool unprivileged = false;                // -u: what tempus always does
  bool ipv4 = false;                        // -4
  bool ipv6 = false;                        // -6
  int version = core::kNtpVersion;          // -o
  std::string keys_path = "/etc/ntp.keys";  // -k (ntpdate's default)
  int key_id = 0;                           // -a; 0: no authentication
};

// Where the text goes: stdout and stderr, or syslog (-s: ntpdate's "divert logging output").
class Output {
 public:
  explicit Output(bool to_syslog) : syslog_(to_syslog) {
    if (syslog_) openlog("tempus", LOG_PID, LOG_DAEMON);
  }
  ~Output() {
    if (syslog_) closelog();
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  void Say(const std::string& line) const {
    if (syslog_) syslog(LOG_NOTICE, "%s", line.c_str());
    else fmt::print("{}\n", line);
  }
  void Error(const std::string& line) const {
    if (syslog_) syslog(LOG_ERR, "%s", line.c_str());
    else fmt::print(stderr, "tempus sync: {}\n", line);
  }

 private:
  bool syslog_;
};

struct Agreement {
  core::select::SelectResult selection;
  std::vector<size_t> report_index;  // candidate i -> report index
};

Agreement Agree(const std::vector<ServerReport>& reports) {
  Agreement a;
  std::vector<core::select::Candidate> candidates;
  for (size_t i = 0; i < reports.size(); ++i) {
    if (!reports[i].best) continue;
    const core::Measurement& m = *reports[i].best;
    core::select::Candidate c;
    c.id = static_cast<uint32_t>(i);
    c.offset = m.offset;
    c.root_distance = m.RootDistance();
    c.jitter = m.delay.Half();  // one sample each: half the round trip bounds its error
    c.stratum = m.server.stratum;
    c.reachable = true;
    candidates.push_back(c);
    a.report_index.push_back(i);
  }
  core::select::SelectConfig config;
  config.min_clock = 1;
  a.selection = core::select::Select(candidates, config, std::nullopt);
  return a;
}

// The report of the system peer the selection chose. REQUIRES: selection.system_peer.
const ServerReport& PeerOf(const Agreement& a, const std::vector<ServerReport>& reports) {
  const auto& v = a.selection.verdicts;
  const auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.id == *a.selection.system_peer; });
  return reports[a.report_index[static_cast<size_t>(it - v.begin())]];
}

// A server as ntpdate names it: the address, with the port only when it is not 123.
std::string Where(const ServerReport& r) {
  return r.address.port() == kNtpPort ? r.address.ToString() : r.address.ToStringWithPort();
}

// ntpdate -q's line for one server: "server 192.0.2.1, stratum 2, offset -0.000123, delay 0.02571"
// (a server that gave no usable answer: stratum 0, zeros, as ntpdate prints it).
std::string ServerLine(const ServerReport& r) {
  if (!r.best) return fmt::format("server {}, stratum 0, offset 0.000000, delay 0.00000", Where(r));
  return fmt::format("server {}, stratum {}, offset {:.6f}, delay {:.5f}", Where(r), r.best->server.stratum,
                     r.best->offset.Seconds(), r.best->delay.Seconds());
}

// ntpdate's last line: " 5 Jan 12:00:00 tempus[1234]: adjust time server 192.0.2.1 offset
// -0.000123 sec" (the fields where scripts that parse ntpdate's output look for them).
std::string ResultLine(bool step, const ServerReport& peer, core::NtpDuration offset) {
  char when[32] = "";
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  if (localtime_r(&now, &local) != nullptr) std::strftime(when, sizeof when, "%e %b %H:%M:%S", &local);
  return fmt::format("{} tempus[{}]: {} time server {} offset {:.6f} sec", when, static_cast<int>(getpid()),
                     step ? "step" : "adjust", Where(peer), offset.Seconds());
}

// -k FILE -a N: the key ring holding key N of FILE (trusted: it is the one we sign with).
Result<engine::KeyRing, std::string> LoadKey(const std::string& path, int id) {
  config::RealFileSystem fs;
  auto file = config::ReadKeysFile(fs, path);
  if (!file) {
    std::string text;
    for (const auto& d : file.error()) text += (text.empty() ? "" : "\n") + d.ToString();
    return Unexpected(text);
  }
  const config::SymmetricKey* key = file->Find(static_cast<uint32_t>(id));
  if (key == nullptr) return Unexpected(fmt::format("-a {}: no key {} in {}", id, id, path));
  const auto algorithm = cli::MacAlgorithmOf(key->type);
  if (!algorithm) {
    return Unexpected(fmt::format("-a {}: key type {} is not supported", id, config::KeyTypeName(key->type)));
  }
  std::vector<engine::AuthKey> keys;
  keys.emplace_back(key->id, *algorithm, std::vector<uint8_t>(key->secret.begin(), key->secret.end()), true);
  return engine::KeyRing(std::move(keys));
}

void AddNtpdateFlags(CLI::App* cmd, SyncArgs* args) {
  cmd->add_flag("-q", args->query_only, "Query only: never change a clock; print ntpdate -q's lines");
  cmd->add_flag("-d", args->debug, "Debug: as -q, and print every request and reply");
  cmd->add_flag("-v", args->verbose, "Verbose: one line per server (as -q prints them)");
  cmd->add_flag("-s", args->to_syslog, "Send the output to syslog instead of stdout and stderr");
  cmd->add_flag("-u", args->unprivileged,
                "Send from an unprivileged port (accepted for ntpdate's scripts: tempus always does)");
  auto* v4 = cmd->add_flag("-4", args->ipv4, "Resolve names to IPv4 addresses only");
  cmd->add_flag("-6", args->ipv6, "Resolve names to IPv6 addresses only")->excludes(v4);
  cmd->add_option("-o", args->version, "NTP version of the requests (the server answers in it)")
      ->check(CLI::Range(1, 4))
      ->capture_default_str();
  cmd->add_option("-k", args->keys_path, "Keys file (ntp.keys(5)) holding the -a key")
      ->check(cli::NonEmpty("a keys file"))
      ->capture_default_str();
  cmd->add_option("-a", args->key_id,
                  "Authenticate with this key of the -k file: sign the requests, accept only "
                  "replies signed by it")
      ->check(CLI::Range(1, 65535));
}

}  // namespace

void RegisterSync(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SyncArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sync", "Set the clock once from the servers' agreed time, like ntpdate (reports only unless --clock=system)");
  cmd->add_option("servers", args->servers, "HOST[:PORT] of each server (port 123 by default)")->required();
  AddSamplingFlags(cmd, &args->sampling, /*ntpdate_names=*/true);
  AddClockFlags(cmd, &args->clock, "observe");
  auto* step = cmd->add_flag("-b,--step", args->force_step, "Always step the clock (ntpdate -b)");
  cmd->add_flag("-B,--slew", args->force_slew, "Always slew the clock (ntpdate -B)")->excludes(step);
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  AddNtpdateFlags(cmd, args.get());
  cmd->callback([args, exit_code] {
    const Output out(args->to_syslog);
    const bool query_only = args->query_only || args->debug;
    const auto family = args->ipv4   ? core::NetAddress::Family::kIPv4
                        : args->ipv6 ? core::NetAddress::Family::kIPv6
                                     : core::NetAddress::Family::kNone;
    auto specs = ResolveServers(args->servers, family);
    if (!specs) {
      out.Error(specs.error());
      *exit_code = kExitUsage;
      return;
    }
    std::optional<engine::KeyRing> keys;
    if (args->key_id != 0) {
      auto ring = LoadKey(args->keys_path, args->key_id);
      if (!ring) {
        out.Error(ring.error());
        *exit_code = kExitUsage;
        return;
      }
      keys = std::move(*ring);
    }
    // Query only reads the system clock through `observe`, which cannot change it.
    ClockFlags clock_flags = args->clock;
    if (query_only && clock_flags.kind == "system") clock_flags.kind = "observe";
    auto clock = MakeClockFromFlags(clock_flags);
    if (!clock) {
      out.Error(clock.error());
      *exit_code = kExitUsage;
      return;
    }
    OneShotOptions sampling = args->sampling;
    sampling.version = static_cast<uint8_t>(args->version);
    if (keys) {
      sampling.keys = &*keys;
      sampling.key_id = static_cast<uint32_t>(args->key_id);
    }
    if (args->debug) sampling.trace = [&out](const std::string& line) { out.Say(line); };
    auto reports = SampleServers(*specs, **clock, sampling);
    if (!reports) {
      out.Error(reports.error());
      *exit_code = kExitNoReply;
      return;
    }
    nlohmann::json j;
    j["servers"] = nlohmann::json::array();
    const Agreement agreement = Agree(*reports);
    for (size_t i = 0; i < reports->size(); ++i) {
      nlohmann::json s = ReportToJson((*reports)[i]);
      for (size_t c = 0; c < agreement.report_index.size(); ++c) {
        if (agreement.report_index[c] == i)
          s["tally"] = std::string(1, static_cast<char>(agreement.selection.verdicts[c].tally));
      }
      j["servers"].push_back(s);
    }
    j["query_only"] = query_only;
    if (!args->json && (query_only || args->verbose)) {
      for (const auto& r : *reports) out.Say(ServerLine(r));
    }
    const int sampled = ExitCodeFor(*reports);
    if (sampled != kExitOk) {
      *exit_code = sampled;
      for (const auto& r : *reports) out.Error(r.error);
      if (args->json) fmt::print("{}\n", j.dump(2));
      return;
    }
    if (!agreement.selection.system_peer) {
      *exit_code = kExitNoAgreement;
      out.Error("no agreement: the servers' times do not overlap (no majority)");
      if (args->json) fmt::print("{}\n", j.dump(2));
      return;
    }
    const core::NtpDuration offset = agreement.selection.offset;
    const ServerReport& peer = PeerOf(agreement, *reports);
    const bool do_step = args->force_step || (!args->force_slew && std::fabs(offset.Seconds()) >= kStepThresholdS);
    j["offset"] = offset.Seconds();
    j["action"] = do_step ? "step" : "slew";
    j["clock"] = args->clock.kind;
    if (query_only) {
      j["applied"] = false;
      if (args->json) fmt::print("{}\n", j.dump(2));
      else out.Say(ResultLine(do_step, peer, offset));
      *exit_code = kExitOk;
      return;
    }
    const core::discipline::ClockCommand command =
        do_step ? core::discipline::ClockCommand(core::discipline::StepClock{offset})
                : core::discipline::ClockCommand(core::discipline::SlewClock{offset});
    const bool changes_clock = args->clock.kind != "observe";
    auto applied = (*clock)->Apply(command);
    j["applied"] = changes_clock && applied.has_value();
    if (!applied) {
      *exit_code = kExitClockError;
      out.Error(fmt::format("cannot {} the {} clock: {}", do_step ? "step" : "slew", args->clock.kind,
                            applied.error().ToString()));
      return;
    }
    if (args->json) {
      fmt::print("{}\n", j.dump(2));
    } else {
      out.Say(fmt::format("offset {} s agreed by {} of {} servers (system peer {}, stratum {})", FormatSeconds(offset),
                          agreement.selection.survivors, reports->size(), peer.name, peer.best->server.stratum));
      if (changes_clock) {
        out.Say(fmt::format("{} the {} clock by {} s", do_step ? "stepped" : "slewing", args->clock.kind,
                            FormatSeconds(offset)));
      } else {
        out.Say(fmt::format("would {} the clock by {} s (clock observe: nothing changed; --clock=system to set it)",
                            do_step ? "step" : "slew", FormatSeconds(offset)));
      }
    }
    *exit_code = kExitOk;
  });
}

}  // namespace tempus::app

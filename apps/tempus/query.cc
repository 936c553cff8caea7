// `tempus query HOST[:PORT]...`: what ntpdate -q does, as a table or JSON.
#include <fmt/format.h>

#include "common.h"
#include "crypto/aes_siv_aead.h"
#include "exit_codes.h"
#include "nts_query.h"
#include "subcommands.h"

namespace tempus::app {
namespace {

struct QueryArgs {
  std::vector<std::string> servers;
  OneShotOptions sampling;
  ClockFlags clock;
  NtsFlags nts;
  bool json = false;
};

void PrintTable(const std::vector<ServerReport>& reports) {
  fmt::print("{:<24} {:>12} {:>10} {:>10} {:>3} {:<16} {:<6} {:>4} {:>7}\n", "server", "offset", "delay", "disp", "st",
             "refid", "leap", "prec", "samples");
  for (const auto& r : reports) {
    if (!r.best) {
      fmt::print("{:<24} {}: {}\n", r.name, ServerStatusName(r.status), r.error);
      continue;
    }
    const core::Measurement& m = *r.best;
    fmt::print("{:<24} {:>12} {:>10} {:>10} {:>3} {:<16} {:<6} {:>4} {:>4}/{}\n", r.name, FormatSeconds(m.offset),
               FormatSeconds(m.delay, 6, false), FormatSeconds(m.dispersion, 6, false), m.server.stratum,
               m.server.refid.ToDisplay(m.server.stratum), core::LeapName(m.server.leap), m.server.precision, r.good,
               r.sent);
  }
  fmt::print("offset: server minus this clock, seconds; delay and disp(ersion) in seconds.\n");
}

}  // namespace

int ExitCodeOf(ServerStatus status) {
  switch (status) {
    case ServerStatus::kOk: return kExitOk;
    case ServerStatus::kNoReply: return kExitNoReply;
    case ServerStatus::kTimeout: return kExitTimeout;
    case ServerStatus::kBadReply: return kExitTimeout;  // no usable answer in time
    case ServerStatus::kKissOfDeath: return kExitKissOfDeath;
    case ServerStatus::kUnsynchronized: return kExitNoAgreement;
  }
  return kExitTimeout;
}

int ExitCodeFor(const std::vector<ServerReport>& reports) {
  // Among failures the most telling wins: a refusal, an unsynchronized answer, silence, a closed port.
  const auto rank = [](int code) {
    return code == kExitKissOfDeath ? 3 : code == kExitNoAgreement ? 2 : code == kExitTimeout ? 1 : 0;
  };
  int best = kExitNoReply;
  for (const auto& r : reports) {
    const int code = ExitCodeOf(r.status);
    if (code == kExitOk) return kExitOk;
    if (rank(code) > rank(best)) best = code;
  }
  return best;
}

void RegisterQuery(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("query", "Ask NTP servers for their time once, like ntpdate -q");
  cmd->add_option("servers", args->servers,
                  "HOST[:PORT] of each server (port 123 by default; with --nts the NTS-KE server, port 4460)")
      ->required();
  AddSamplingFlags(cmd, &args->sampling);
  AddClockFlags(cmd, &args->clock, "observe");
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  AddNtsFlags(cmd, &args->nts);
  cmd->callback([args, exit_code] {
    if (!args->nts.enabled && (!args->nts.ca_file.empty() || args->nts.noval)) {
      fmt::print(stderr, "tempus query: --ca and --noval go with --nts\n");
      *exit_code = kExitUsage;
      return;
    }
    auto clock = MakeClockFromFlags(args->clock);
    if (!clock) {
      fmt::print(stderr, "tempus query: {}\n", clock.error());
      *exit_code = kExitUsage;
      return;
    }
    // With --nts the servers are NTS-KE hosts; NTP goes where each NTS-KE says.
    std::vector<NtsServer> nts;
    std::vector<ServerSpec> specs;
    const crypto::AesSivAead aead;
    OneShotOptions sampling = args->sampling;
    if (args->nts.enabled) {
      auto ke = RunNtsKe(args->servers, args->nts);
      if (!ke) {
        fmt::print(stderr, "tempus query: {}\n", ke.error());
        *exit_code = kExitUsage;
        return;
      }
      nts = std::move(*ke);
      sampling.aead = &aead;
      for (auto& s : nts) {
        if (!s.error.empty()) continue;
        specs.push_back(s.ntp);
        sampling.nts.push_back(s.session.get());
      }
    } else {
      auto resolved = ResolveServers(args->servers);
      if (!resolved) {
        fmt::print(stderr, "tempus query: {}\n", resolved.error());
        *exit_code = kExitUsage;
        return;
      }
      specs = std::move(*resolved);
    }
    auto reports = SampleServers(specs, **clock, sampling);
    if (!reports) {
      fmt::print(stderr, "tempus query: {}\n", reports.error());
      *exit_code = kExitNoReply;
      return;
    }
    if (args->nts.enabled) *reports = MergeNtsReports(nts, std::move(*reports));
    if (args->json) {
      nlohmann::json j;
      j["servers"] = nlohmann::json::array();
      for (size_t i = 0; i < reports->size(); ++i) {
        nlohmann::json r = ReportToJson((*reports)[i]);
        if (args->nts.enabled) r["nts"] = NtsToJson(nts[i]);
        j["servers"].push_back(std::move(r));
      }
      fmt::print("{}\n", j.dump(2));
    } else {
      PrintTable(*reports);
      if (args->nts.enabled) PrintNtsLines(nts);
    }
    *exit_code = ExitCodeFor(*reports);
    if (*exit_code != kExitOk && !args->json) {
      fmt::print(stderr, "tempus query: no usable reply from any server\n");
    }
  });
}

}  // namespace tempus::app

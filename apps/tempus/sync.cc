// `tempus sync HOST[:PORT]...`: ntpdate. Samples the servers, keeps those that are synchronized
// and agree with the majority (RFC 5905 selection: intersection, clustering, combining), and
// applies the agreed offset to the selected clock: a step or a slew as ntpdate -b / -B. The
// default clock is `observe`, which changes nothing and only reports; the system clock is
// steered only with --clock=system.
#include <cmath>

#include <fmt/format.h>

#include "common.h"
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

}  // namespace

void RegisterSync(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SyncArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sync", "Set the clock once from the servers' agreed time, like ntpdate (reports only unless --clock=system)");
  cmd->add_option("servers", args->servers, "HOST[:PORT] of each server (port 123 by default)")->required();
  AddSamplingFlags(cmd, &args->sampling);
  AddClockFlags(cmd, &args->clock, "observe");
  auto* step = cmd->add_flag("-b,--step", args->force_step, "Always step the clock (ntpdate -b)");
  cmd->add_flag("-B,--slew", args->force_slew, "Always slew the clock (ntpdate -B)")->excludes(step);
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([args, exit_code] {
    auto specs = ResolveServers(args->servers);
    if (!specs) {
      fmt::print(stderr, "tempus sync: {}\n", specs.error());
      *exit_code = kExitUsage;
      return;
    }
    auto clock = MakeClockFromFlags(args->clock);
    if (!clock) {
      fmt::print(stderr, "tempus sync: {}\n", clock.error());
      *exit_code = kExitUsage;
      return;
    }
    auto reports = SampleServers(*specs, **clock, args->sampling);
    if (!reports) {
      fmt::print(stderr, "tempus sync: {}\n", reports.error());
      *exit_code = kExitNoReply;
      return;
    }
    nlohmann::json j;
    j["servers"] = nlohmann::json::array();
    const Agreement agreement = Agree(*reports);
    for (size_t i = 0; i < reports->size(); ++i) {
      nlohmann::json s = ReportToJson((*reports)[i]);
      for (size_t c = 0; c < agreement.report_index.size(); ++c) {
        if (agreement.report_index[c] == i) s["tally"] = std::string(1, static_cast<char>(agreement.selection.verdicts[c].tally));
      }
      j["servers"].push_back(s);
    }
    const int sampled = ExitCodeFor(*reports);
    if (sampled != kExitOk) {
      *exit_code = sampled;
      for (const auto& r : *reports) fmt::print(stderr, "tempus sync: {}\n", r.error);
      if (args->json) fmt::print("{}\n", j.dump(2));
      return;
    }
    if (!agreement.selection.system_peer) {
      *exit_code = kExitNoAgreement;
      fmt::print(stderr, "tempus sync: no agreement: the servers' times do not overlap (no majority)\n");
      if (args->json) fmt::print("{}\n", j.dump(2));
      return;
    }
    const core::NtpDuration offset = agreement.selection.offset;
    const bool do_step =
        args->force_step || (!args->force_slew && std::fabs(offset.Seconds()) >= kStepThresholdS);
    const core::discipline::ClockCommand command =
        do_step ? core::discipline::ClockCommand(core::discipline::StepClock{offset})
                : core::discipline::ClockCommand(core::discipline::SlewClock{offset});
    const bool changes_clock = args->clock.kind != "observe";
    auto applied = (*clock)->Apply(command);
    j["offset"] = offset.Seconds();
    j["action"] = do_step ? "step" : "slew";
    j["clock"] = args->clock.kind;
    j["applied"] = changes_clock && applied.has_value();
    if (!applied) {
      *exit_code = kExitClockError;
      fmt::print(stderr, "tempus sync: cannot {} the {} clock: {}\n", do_step ? "step" : "slew", args->clock.kind,
                 applied.error().ToString());
      return;
    }
    const size_t peer = agreement.report_index[std::find_if(agreement.selection.verdicts.begin(),
                                                            agreement.selection.verdicts.end(),
                                                            [&](const auto& v) {
                                                              return v.id == *agreement.selection.system_peer;
                                                            }) -
                                               agreement.selection.verdicts.begin()];
    if (args->json) {
      fmt::print("{}\n", j.dump(2));
    } else {
      fmt::print("offset {} s agreed by {} of {} servers (system peer {}, stratum {})\n", FormatSeconds(offset),
                 agreement.selection.survivors, reports->size(), (*reports)[peer].name,
                 (*reports)[peer].best->server.stratum);
      if (changes_clock) {
        fmt::print("{} the {} clock by {} s\n", do_step ? "stepped" : "slewing", args->clock.kind,
                   FormatSeconds(offset));
      } else {
        fmt::print("would {} the clock by {} s (clock observe: nothing changed; --clock=system to set it)\n",
                   do_step ? "step" : "slew", FormatSeconds(offset));
      }
    }
    *exit_code = kExitOk;
  });
}

}  // namespace tempus::app

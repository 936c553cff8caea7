// CheckLimits: the scenario's [limits] against a Report.
#include "sim/report.h"

#include <algorithm>

#include <fmt/format.h>

namespace tempus::sim {
namespace {

std::string Us(double s) { return fmt::format("{:.1f} µs", s * 1e6); }

}  // namespace

std::vector<std::string> CheckLimits(const Scenario& scenario, const Report& report) {
  std::vector<std::string> out;
  for (const LimitSpec& l : scenario.limits) {
    const std::string where = fmt::format("{}:{}", scenario.file, l.line);
    std::vector<size_t> targets;
    if (l.target.empty()) {
      for (size_t i = 0; i < report.nodes.size(); ++i) {
        if (report.nodes[i].in_stats) targets.push_back(i);
      }
    } else {
      targets = scenario.Resolve(l.target).value_or(std::vector<size_t>());
    }
    auto fail = [&](const std::string& what) { out.push_back(fmt::format("{}: {}", where, what)); };
    bool any_lost = false;
    for (size_t i : targets) {
      const NodeReport& n = report.nodes[i];
      if (l.rms_s && n.rms_s > *l.rms_s) fail(fmt::format("{}: rms {} > {}", n.name, Us(n.rms_s), Us(*l.rms_s)));
      if (l.max_s && n.max_abs_s > *l.max_s) {
        fail(fmt::format("{}: max |offset| {} > {}", n.name, Us(n.max_abs_s), Us(*l.max_s)));
      }
      auto converge = [&](const std::optional<double>& limit, const std::optional<double>& got, const char* what) {
        if (!limit) return;
        if (!got) fail(fmt::format("{}: never stayed below {}", n.name, what));
        else if (*got > *limit) fail(fmt::format("{}: below {} after {:.0f} s > {:.0f} s", n.name, what, *got, *limit));
      };
      converge(l.converge_1ms_s, n.converge_1ms_s, "1 ms");
      converge(l.converge_100us_s, n.converge_100us_s, "100 µs");
      if (l.recover_1ms_s) {
        if (!n.recover_1ms_s) fail(fmt::format("{}: not below 1 ms after its last step", n.name));
        else if (*n.recover_1ms_s > *l.recover_1ms_s) {
          fail(fmt::format("{}: below 1 ms {:.0f} s after its last step > {:.0f} s", n.name, *n.recover_1ms_s,
                           *l.recover_1ms_s));
        }
      }
      if (l.synced_s) {
        if (!n.synced_s) fail(fmt::format("{}: never served as synchronized", n.name));
        else if (*n.synced_s > *l.synced_s) {
          fail(fmt::format("{}: served as synchronized at {:.0f} s > {:.0f} s", n.name, *n.synced_s, *l.synced_s));
        }
      }
      if (l.steps && n.steps > static_cast<uint64_t>(*l.steps)) {
        fail(fmt::format("{}: {} clock steps > {}", n.name, n.steps, *l.steps));
      }
      if (l.max_freq_ppm && n.max_freq_ppm > *l.max_freq_ppm) {
        fail(fmt::format("{}: |frequency| reached {:.1f} ppm > {:.1f} ppm", n.name, n.max_freq_ppm, *l.max_freq_ppm));
      }
      if (l.reselect_polls && n.lost_peer) {
        any_lost = true;
        if (!n.reselect_s) {
          fail(fmt::format("{}: no new system peer after its peer died", n.name));
        } else if (*n.reselect_after_miss_s > *l.reselect_polls * n.reselect_poll_s) {
          fail(fmt::format("{}: new system peer {:.0f} s after the first unanswered request > {} polls of {:.0f} s",
                           n.name, *n.reselect_after_miss_s, *l.reselect_polls, n.reselect_poll_s));
        }
      }
      for (const auto& bad : l.never_selected) {
        if (std::find(n.system_peers.begin(), n.system_peers.end(), bad) != n.system_peers.end()) {
          fail(fmt::format("{}: selected {} as system peer", n.name, bad));
        }
      }
    }
    if (l.reselect_polls && !any_lost) fail("no node lost its system peer: nothing to measure");
    if (l.orphan_parents && report.max_orphan_parents > *l.orphan_parents) {
      fail(fmt::format("{} orphan parents at once > {} (two or more for {:.0f} s)", report.max_orphan_parents,
                       *l.orphan_parents, report.orphan_split_s));
    }
    if (l.orphan_split_s && report.orphan_split_s > *l.orphan_split_s) {
      fail(fmt::format("two or more orphan parents at once for {:.0f} s > {:.0f} s (at most {} at once)",
                       report.orphan_split_s, *l.orphan_split_s, report.max_orphan_parents));
    }
    if (l.pairwise_s && report.max_pairwise_s > *l.pairwise_s) {
      fail(fmt::format("max pairwise offset {} > {}", Us(report.max_pairwise_s), Us(*l.pairwise_s)));
    }
  }
  return out;
}

}  // namespace tempus::sim

// CSV rows, the text summary and the JSON form of a Report.
#include "sim/output.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tempus::sim {
namespace {

std::string Time(const std::optional<double>& s) { return s ? fmt::format("{:.0f} s", *s) : "never"; }

std::string Human(double s) {
  const double a = std::fabs(s);
  if (a >= 1.0) return fmt::format("{:.3f} s", s);
  if (a >= 1e-3) return fmt::format("{:.3f} ms", s * 1e3);
  return fmt::format("{:.1f} µs", s * 1e6);
}

nlohmann::json Opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

}  // namespace

void CsvSink::Begin(std::span<const std::string> names) {
  std::fputs("t_s", out_);
  for (const auto& n : names) std::fprintf(out_, ",%s", n.c_str());
  std::fputc('\n', out_);
}

void CsvSink::OnSample(double t_s, std::span<const double> offsets_s) {
  std::fprintf(out_, "%.3f", t_s);
  for (double v : offsets_s) {
    if (std::isnan(v)) std::fputc(',', out_);
    else std::fprintf(out_, ",%.9g", v);
  }
  std::fputc('\n', out_);
}

std::string FormatSummary(const Report& r, size_t max_nodes) {
  std::string out = fmt::format("{}: seed {}, {:.0f} s simulated, stats over {:.0f}..{:.0f} s, {} events\n", r.file,
                                r.seed, r.duration_s, r.stats_from_s, r.stats_to_s, r.events);
  size_t shown = 0;
  for (const auto& n : r.nodes) shown += n.in_stats ? 1 : 0;
  if (shown <= max_nodes) {
    out += fmt::format("{:<14} {:>11} {:>11} {:>8} {:>9} {:>11} {:>10} {:>7} {:>5}\n", "node", "rms", "max|off|",
                       "<1ms", "<100us", "final", "freq ppm", "sent", "steps");
    for (const auto& n : r.nodes) {
      if (!n.in_stats) continue;
      out += fmt::format("{:<14} {:>11} {:>11} {:>8} {:>9} {:>11} {:>10.3f} {:>7} {:>5}{}\n", n.name, Human(n.rms_s),
                         Human(n.max_abs_s), Time(n.converge_1ms_s), Time(n.converge_100us_s), Human(n.final_offset_s),
                         n.frequency_ppm, n.packets_sent, n.steps, n.alive ? "" : " (dead)");
      if (n.lost_peer) {
        out += fmt::format(
            "  {} lost its system peer: new one after {} ({} after the first unanswered request; "
            "poll {:.0f} s)\n",
            n.name, Time(n.reselect_s), Time(n.reselect_after_miss_s), n.reselect_poll_s);
      }
    }
  }
  out += fmt::format(
      "cluster: rms {}, max |offset| {}, max pairwise {}, all below 1 ms after {}, below 100 µs after {}, "
      "{} packets sent ({} lost, {} cut by partitions)\n",
      Human(r.rms_s), Human(r.max_abs_s), Human(r.max_pairwise_s), Time(r.converge_1ms_s), Time(r.converge_100us_s),
      r.packets_sent, r.network.lost, r.network.cut);
  if (r.max_orphan_parents > 0) {
    std::string who;
    for (const auto& n : r.nodes) {
      if (n.orphan_parent_s <= 0) continue;
      who += fmt::format("{}{} {:.0f} s", who.empty() ? "" : ", ", n.name, n.orphan_parent_s);
    }
    out += fmt::format("orphan parents: at most {} at once, two or more for {:.0f} s ({})\n", r.max_orphan_parents,
                       r.orphan_split_s, who);
  }
  return out;
}

std::string ReportJson(const Report& r, const std::vector<std::string>& limit_failures) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : r.nodes) {
    nodes.push_back({{"name", n.name},
                     {"in_stats", n.in_stats},
                     {"alive", n.alive},
                     {"samples", n.samples},
                     {"rms_s", n.rms_s},
                     {"max_abs_s", n.max_abs_s},
                     {"converge_1ms_s", Opt(n.converge_1ms_s)},
                     {"converge_100us_s", Opt(n.converge_100us_s)},
                     {"final_offset_s", n.final_offset_s},
                     {"frequency_ppm", n.frequency_ppm},
                     {"packets_sent", n.packets_sent},
                     {"steps", n.steps},
                     {"lost_peer", n.lost_peer},
                     {"reselect_s", Opt(n.reselect_s)},
                     {"reselect_after_miss_s", Opt(n.reselect_after_miss_s)},
                     {"reselect_poll_s", n.reselect_poll_s},
                     {"system_peers", n.system_peers},
                     {"orphan_parent_s", n.orphan_parent_s},
                     {"max_freq_ppm", n.max_freq_ppm},
                     {"synced_s", Opt(n.synced_s)},
                     {"recover_1ms_s", Opt(n.recover_1ms_s)}});
  }
  nlohmann::json j = {{"file", r.file},
                      {"seed", r.seed},
                      {"duration_s", r.duration_s},
                      {"stats_from_s", r.stats_from_s},
                      {"stats_to_s", r.stats_to_s},
                      {"events", r.events},
                      {"cluster",
                       {{"rms_s", r.rms_s},
                        {"max_abs_s", r.max_abs_s},
                        {"max_pairwise_s", r.max_pairwise_s},
                        {"converge_1ms_s", Opt(r.converge_1ms_s)},
                        {"converge_100us_s", Opt(r.converge_100us_s)},
                        {"synced_s", Opt(r.synced_s)},
                        {"packets_sent", r.packets_sent},
                        {"max_orphan_parents", r.max_orphan_parents},
                        {"orphan_split_s", r.orphan_split_s}}},
                      {"network",
                       {{"sent", r.network.sent},
                        {"delivered", r.network.delivered},
                        {"lost", r.network.lost},
                        {"cut", r.network.cut},
                        {"unroutable", r.network.unroutable}}},
                      {"nodes", nodes},
                      {"limit_failures", limit_failures}};
  return j.dump(2) + "\n";
}

}  // namespace tempus::sim

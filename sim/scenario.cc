// The scenario file reader (format in docs/sim.md).
#include "sim/scenario.h"

#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "base/shown.h"

namespace tempus::sim {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<double> Number(std::string_view s) {
  if (s.size() > 1 && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A number followed by one of `units` (suffix, factor); a bare number takes `bare`.
std::optional<double> WithUnit(std::string_view s, std::initializer_list<std::pair<std::string_view, double>> units,
                               double bare) {
  for (const auto& [suffix, factor] : units) {
    if (s.size() > suffix.size() && s.ends_with(suffix)) {
      auto v = Number(s.substr(0, s.size() - suffix.size()));
      if (v) return *v * factor;
    }
  }
  auto v = Number(s);
  if (v) return *v * bare;
  return std::nullopt;
}

std::optional<double> Ppm(std::string_view s) { return WithUnit(s, {{"ppm", 1.0}, {"ppb", 1e-3}}, 1.0); }
std::optional<double> Ppb(std::string_view s) { return WithUnit(s, {{"ppb", 1.0}, {"ppm", 1e3}}, 1.0); }

class Parser {
 public:
  explicit Parser(std::string file) { sc_.file = std::move(file); }

  void Line(std::string_view raw, int line) {
    line_ = line;
    const size_t hash = raw.find('#');
    const std::string_view s = Trim(hash == std::string_view::npos ? raw : raw.substr(0, hash));
    if (s.empty()) return;
    if (s.front() == '[') return Header(s);
    // Each line of a [nodes] section is applied to every node of it: bound the total.
    if (section_ == Section::kNode && !TakeNodeLines(sc_.nodes.size() - first_)) return;
    const size_t eq = s.find('=');
    if (eq == std::string_view::npos) {
      if (section_ == Section::kNode) {
        for (size_t i = first_; i < sc_.nodes.size(); ++i) sc_.nodes[i].config.push_back({std::string(s), line});
        return;
      }
      return Error("'key = value'", s);
    }
    const std::string_view key = Trim(s.substr(0, eq)), value = Trim(s.substr(eq + 1));
    switch (section_) {
      case Section::kNone: return Error("a [section] first", s);
      case Section::kSim: return SimKey(key, value);
      case Section::kNode: return NodeKey(key, value);
      case Section::kLink: return LinkKey(key, value);
      case Section::kPartition: return PartitionKey(key, value);
      case Section::kLimits: return LimitKey(key, value);
    }
  }

  Result<Scenario, std::vector<std::string>> Finish() {
    Check();
    for (auto& e : CheckRun(sc_)) Push(std::move(e));
    if (dropped_errors_ > 0) {
      errors_.push_back(fmt::format("{}: {} more error(s) not shown", sc_.file, dropped_errors_));
    }
    if (!errors_.empty()) return Unexpected(std::move(errors_));
    return std::move(sc_);
  }

 private:
  enum class Section { kNone, kSim, kNode, kLink, kPartition, kLimits };

  // Keeps the first kMaxScenarioErrors errors: a 16 MiB file of garbage is not 16 MiB of output.
  void Push(std::string error) {
    if (errors_.size() < kMaxScenarioErrors) {
      errors_.push_back(std::move(error));
    } else {
      ++dropped_errors_;
    }
  }
  void Error(std::string_view expected, std::string_view got) {
    Push(fmt::format("{}:{}: expected {}, got '{}'", sc_.file, line_, expected, Shown(got)));
  }
  void ErrorAt(int line, std::string message) { Push(fmt::format("{}:{}: {}", sc_.file, line, message)); }

  // Seconds in [0, max].
  std::optional<double> Seconds(std::string_view v, std::string_view what, double max = kMaxDurationS) {
    auto s = ParseSeconds(v);
    if (!s || *s < 0 || *s > max) {
      Error(fmt::format("{} (seconds 0..{}, e.g. 10, 1.5ms, 100us)", what, max), v);
      return std::nullopt;
    }
    return s;
  }

  // Counts `lines` more per-node lines; false (and one error) beyond kMaxNodeLines.
  bool TakeNodeLines(size_t lines) {
    node_lines_ += lines;
    if (node_lines_ <= kMaxNodeLines) return true;
    if (!node_lines_reported_) {
      ErrorAt(line_, fmt::format("expected at most {} lines in [node] sections in all (a line in [nodes] counts "
                                 "once per node)",
                                 kMaxNodeLines));
    }
    node_lines_reported_ = true;
    return false;
  }

  // True when `more` nodes still fit under kMaxNodes; else one error naming `got`.
  bool TakeNodes(double more, std::string_view got) {
    if (static_cast<double>(sc_.nodes.size()) + more <= static_cast<double>(kMaxNodes)) return true;
    Error(fmt::format("at most {} nodes in all ({} so far)", kMaxNodes, sc_.nodes.size()), got);
    return false;
  }

  // True when another section of a kind that has `count` fits under kMaxSections.
  bool TakeSection(size_t count, std::string_view header) {
    if (count < kMaxSections) return true;
    Error(fmt::format("at most {} sections of this kind", kMaxSections), header);
    return false;
  }

  void Header(std::string_view s) {
    if (s.back() != ']') return Error("a section header ending in ']'", s);
    const auto w = Words(s.substr(1, s.size() - 2));
    section_ = Section::kNone;
    if (w.empty()) return Error("sim, node, nodes, link, partition or limits", s);
    if (w[0] == "sim" && w.size() == 1) {
      section_ = Section::kSim;
    } else if (w[0] == "node" && w.size() == 2) {
      if (!TakeNodes(1, s)) return;
      section_ = Section::kNode;
      first_ = sc_.nodes.size();
      NodeSpec n;
      n.name = std::string(w[1]);
      n.line = line_;
      sc_.nodes.push_back(std::move(n));
    } else if (w[0] == "nodes" && w.size() == 3) {
      NodesHeader(w);
    } else if (w[0] == "link" && w.size() == 3) {
      if (!TakeSection(sc_.links.size(), s)) return;
      section_ = Section::kLink;
      LinkSpec l;
      l.a = std::string(w[1]), l.b = std::string(w[2]), l.line = line_;
      sc_.links.push_back(l);
    } else if (w[0] == "partition" && w.size() == 1) {
      if (!TakeSection(sc_.partitions.size(), s)) return;
      section_ = Section::kPartition;
      PartitionSpec p;
      p.line = line_;
      sc_.partitions.push_back(p);
    } else if (w[0] == "limits" && w.size() <= 2) {
      if (!TakeSection(sc_.limits.size(), s)) return;
      section_ = Section::kLimits;
      LimitSpec l;
      l.target = w.size() == 2 ? std::string(w[1]) : std::string();
      l.line = line_;
      sc_.limits.push_back(l);
    } else {
      Error("[sim], [node NAME], [nodes NAME A..B], [link A B], [partition] or [limits [TARGET]]", s);
    }
  }

  void NodesHeader(const std::vector<std::string_view>& w) {
    const size_t dots = w[2].find("..");
    std::optional<double> lo, hi;
    if (dots != std::string_view::npos) lo = Number(w[2].substr(0, dots)), hi = Number(w[2].substr(dots + 2));
    if (!lo || !hi || *lo < 0 || *hi < *lo || *hi >= 1e15 || *lo != std::floor(*lo) || *hi != std::floor(*hi)) {
      return Error("a range of node numbers like 1..1000", w[2]);
    }
    if (!TakeNodes(*hi - *lo + 1, w[2])) return;
    section_ = Section::kNode;
    first_ = sc_.nodes.size();
    for (int64_t i = static_cast<int64_t>(*lo); i <= static_cast<int64_t>(*hi); ++i) {
      NodeSpec n;
      n.name = fmt::format("{}{}", w[1], i);
      n.group = std::string(w[1]);
      n.line = line_;
      sc_.nodes.push_back(std::move(n));
    }
  }

  void SimKey(std::string_view key, std::string_view value) {
    if (key == "seed") {
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size()) return Error("an unsigned integer seed", value);
      sc_.seed = v;
    } else if (key == "duration") {
      if (auto v = Seconds(value, "a duration")) sc_.duration_s = *v;
    } else if (key == "sample_interval") {
      if (auto v = Seconds(value, "a sample interval")) sc_.sample_interval_s = *v;
    } else if (key == "stats_from") {
      if (auto v = Seconds(value, "a start of the stats window")) sc_.stats_from_s = *v;
    } else if (key == "stats_to") {
      if (auto v = Seconds(value, "an end of the stats window")) sc_.stats_to_s = *v;
    } else {
      Error("duration, seed, sample_interval, stats_from or stats_to", key);
    }
  }

  // "X" or "LO..HI" with a unit parser, both ends within ±`bound`.
  std::optional<Range> RangeOf(std::string_view v, std::optional<double> (*unit)(std::string_view),
                               std::string_view what, double bound) {
    const size_t dots = v.find("..");
    std::optional<double> lo, hi;
    if (dots == std::string_view::npos) {
      lo = hi = unit(v);
    } else {
      lo = unit(v.substr(0, dots)), hi = unit(v.substr(dots + 2));
    }
    if (lo && hi && *lo <= *hi && std::fabs(*lo) <= bound && std::fabs(*hi) <= bound) return Range{*lo, *hi};
    Error(what, v);
    return std::nullopt;
  }

  void NodeKey(std::string_view key, std::string_view value) {
    for (size_t i = first_; i < sc_.nodes.size(); ++i) {
      if (!NodeKeyFor(sc_.nodes[i], i - first_, key, value)) return;  // report once per section line
    }
  }

  bool NodeKeyFor(NodeSpec& n, size_t member, std::string_view key, std::string_view value) {
    if (key == "address") {
      auto a = core::NetAddress::Parse(value);
      if (!a || !a->is_v4() || a->port() != 0) return Error("an IPv4 address without port", value), false;
      n.address = core::NetAddress::IPv4(a->v4() + static_cast<uint32_t>(member), 123);
    } else if (key == "clock") {
      if (value != "perfect" && value != "sim") return Error("'perfect' or 'sim'", value), false;
      n.perfect = value == "perfect";
    } else if (key == "offset") {
      auto r = RangeOf(value, &ParseSeconds, fmt::format("an offset in seconds or LO..HI within ±{} s", kMaxOffsetS),
                       kMaxOffsetS);
      if (!r) return false;
      n.offset_s = *r;
    } else if (key == "freq") {
      auto r = RangeOf(value, &Ppm, fmt::format("a frequency error like 100ppm or LO..HI within ±{} ppm", kMaxFreqPpm),
                       kMaxFreqPpm);
      if (!r) return false;
      n.freq_ppm = *r;
    } else if (key == "wander") {
      auto r = RangeOf(value, &Ppb, fmt::format("a wander in ppb/√s like 1ppb, 0..{}", kMaxWanderPpb), kMaxWanderPpb);
      if (!r) return false;
      if (r->lo < 0) return Error("a wander >= 0", value), false;
      n.wander_ppb = *r;
    } else if (key == "step") {
      const auto w = Words(value);
      auto at = w.size() == 2 ? ParseSeconds(w[0]) : std::nullopt;
      auto by = w.size() == 2 ? ParseSeconds(w[1]) : std::nullopt;
      if (!at || !by || *at < 0 || *at > kMaxDurationS || std::fabs(*by) > kMaxOffsetS) {
        return Error(fmt::format("'step = AT BY' (seconds, e.g. 5000 +0.5; AT 0..{}, BY within ±{})", kMaxDurationS,
                                 kMaxOffsetS),
                     value),
               false;
      }
      n.steps.push_back({*at, *by});
    } else if (key == "dies" || key == "start" || key == "kill_peer") {
      auto v = Seconds(value, "a time");
      if (!v) return false;
      if (key == "start") n.start_at_s = *v;
      else (key == "dies" ? n.dies_at_s : n.kill_peer_at_s) = *v;
    } else if (key == "stats") {
      if (value != "yes" && value != "no") return Error("'yes' or 'no'", value), false;
      n.stats = value == "yes";
    } else {
      return Error("address, clock, offset, freq, wander, step, dies, kill_peer, start or stats", key), false;
    }
    return true;
  }

  void LinkKey(std::string_view key, std::string_view value) {
    LinkSpec& l = sc_.links.back();
    if (key == "loss") {
      auto v = Number(value);
      if (!v || *v < 0 || *v > 1) return Error("a loss probability 0..1", value);
      l.loss = *v;
      return;
    }
    if (key == "asymmetry") {
      auto v = ParseSeconds(value);
      if (!v || std::fabs(*v) > kMaxLinkDelayS)
        return Error(fmt::format("an asymmetry in seconds within ±{}", kMaxLinkDelayS), value);
      l.asymmetry_s = *v;
      return;
    }
    double* target = key == "delay" ? &l.delay_s : key == "jitter" ? &l.jitter_s : nullptr;
    if (!target) return Error("delay, jitter, asymmetry or loss", key);
    if (auto v = Seconds(value, std::string(key), kMaxLinkDelayS)) *target = *v;
  }

  void PartitionKey(std::string_view key, std::string_view value) {
    PartitionSpec& p = sc_.partitions.back();
    if (key == "nodes" || key == "link") {
      const auto w = Words(value);
      if (w.size() != (key == "nodes" ? 1u : 2u))
        return Error(key == "nodes" ? "one node or group" : "two names", value);
      p.a = std::string(w[0]);
      p.b = w.size() == 2 ? std::string(w[1]) : std::string();
    } else if (key == "from" || key == "to") {
      if (auto v = Seconds(value, "a time")) (key == "from" ? p.from_s : p.to_s) = *v;
    } else {
      Error("nodes, link, from or to", key);
    }
  }

  void LimitKey(std::string_view key, std::string_view value) {
    LimitSpec& l = sc_.limits.back();
    if (key == "never_selected") {
      for (auto w : Words(value)) l.never_selected.emplace_back(w);
      return;
    }
    if (key == "orphan_parents") {
      auto v = Number(value);
      if (!v || *v < 0 || *v != std::floor(*v) || *v > 100000) return Error("a number of nodes >= 0", value);
      l.orphan_parents = static_cast<int>(*v);
      return;
    }
    if (key == "steps") {
      auto v = Number(value);
      if (!v || *v < 0 || *v != std::floor(*v) || *v > 1e9) return Error("a number of steps >= 0", value);
      l.steps = static_cast<int>(*v);
      return;
    }
    if (key == "max_freq") {
      auto v = Number(value);
      if (!v || *v < 0 || *v > 1e6) return Error("a frequency in ppm >= 0", value);
      l.max_freq_ppm = *v;
      return;
    }
    if (key == "reselect_polls") {
      auto v = Number(value);
      if (!v || *v <= 0) return Error("a number of polls > 0", value);
      l.reselect_polls = *v;
      return;
    }
    std::optional<double>* target = key == "rms"              ? &l.rms_s
                                    : key == "max"            ? &l.max_s
                                    : key == "converge_1ms"   ? &l.converge_1ms_s
                                    : key == "converge_100us" ? &l.converge_100us_s
                                    : key == "pairwise"       ? &l.pairwise_s
                                    : key == "orphan_split"   ? &l.orphan_split_s
                                    : key == "synced"         ? &l.synced_s
                                    : key == "recover_1ms"    ? &l.recover_1ms_s
                                                              : nullptr;
    if (!target) {
      return Error(
          "rms, max, converge_1ms, converge_100us, pairwise, reselect_polls, never_selected, orphan_parents, "
          "orphan_split, steps, max_freq, synced or recover_1ms",
          key);
    }
    if (auto v = Seconds(value, std::string(key))) *target = *v;
  }

  void CheckName(const std::string& name, int line, bool allow_star) {
    if (name.empty() || (allow_star && name == "*")) return;
    if (!sc_.Resolve(name)) ErrorAt(line, fmt::format("expected a node or group name, got '{}'", Shown(name)));
  }

  void Check() {
    std::set<std::string> names;
    std::set<core::NetAddress> addresses;
    for (auto& n : sc_.nodes) {
      if (!names.insert(n.name).second) ErrorAt(n.line, fmt::format("node name '{}' is used twice", Shown(n.name)));
      if (!n.group.empty()) sc_.groups[n.group].push_back(&n - sc_.nodes.data());
      if (n.address.family() == core::NetAddress::Family::kNone) {
        ErrorAt(n.line, fmt::format("expected 'address = ...' for node '{}'", Shown(n.name)));
      } else if (!addresses.insert(n.address).second) {
        ErrorAt(n.line, fmt::format("address {} of node '{}' is used twice", n.address.ToString(), Shown(n.name)));
      }
    }
    for (const auto& [g, members] : sc_.groups) {
      if (names.count(g)) ErrorAt(sc_.nodes[members.front()].line, fmt::format("group '{}' is also a node", Shown(g)));
    }
    for (const auto& l : sc_.links) CheckName(l.a, l.line, true), CheckName(l.b, l.line, true);
    for (const auto& p : sc_.partitions) {
      if (p.a.empty()) ErrorAt(p.line, "expected 'nodes = NAME' or 'link = A B' in [partition]");
      CheckName(p.a, p.line, false), CheckName(p.b, p.line, false);
      if (p.to_s <= p.from_s) ErrorAt(p.line, "expected 'from' before 'to' in [partition]");
    }
    for (const auto& l : sc_.limits) {
      CheckName(l.target, l.line, false);
      for (const auto& n : l.never_selected) CheckName(n, l.line, false);
    }
    if (sc_.nodes.empty()) Push(fmt::format("{}: expected at least one [node]", sc_.file));
  }

  Scenario sc_;
  std::vector<std::string> errors_;
  Section section_ = Section::kNone;
  size_t first_ = 0;  // first node of the current [node]/[nodes] section
  int line_ = 0;
  size_t node_lines_ = 0;  // per-node lines stored so far (TakeNodeLines)
  bool node_lines_reported_ = false;
  size_t dropped_errors_ = 0;
};

}  // namespace

std::optional<double> ParseSeconds(std::string_view text) {
  return WithUnit(text, {{"ms", 1e-3}, {"us", 1e-6}, {"µs", 1e-6}, {"ns", 1e-9}, {"s", 1.0}}, 1.0);
}

std::optional<std::vector<size_t>> Scenario::Resolve(std::string_view name) const {
  std::vector<size_t> out;
  if (name == "*") {
    for (size_t i = 0; i < nodes.size(); ++i) out.push_back(i);
    return out;
  }
  if (auto g = groups.find(std::string(name)); g != groups.end()) return g->second;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return std::vector<size_t>{i};
  }
  return std::nullopt;
}

Result<Scenario, std::vector<std::string>> ParseScenario(std::string_view text, std::string file) {
  Parser p(std::move(file));
  int line = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    p.Line(text.substr(0, nl), ++line);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return p.Finish();
}

}  // namespace tempus::sim

// The stand-in ntp.conf reader of the simulator (see node_config.h).
#include "sim/node_config.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace tempus::sim {
namespace {

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] == '#') break;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<int> Int(std::string_view w) {
  int v = 0;
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc() || p != w.data() + w.size()) return std::nullopt;
  return v;
}

std::optional<double> Double(std::string_view w) {
  double v = 0;
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc() || p != w.data() + w.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

class Builder {
 public:
  Builder(std::string_view file, const NameResolver& resolve) : file_(file), resolve_(resolve) {}

  void Line(const ConfigLine& l) {
    line_ = l.line;
    const auto w = Words(l.text);
    if (w.empty()) return;
    if (w[0] == "server" || w[0] == "pool") return Server(w);
    if (w[0] == "peer") return Error("'server' (the engine has no symmetric mode yet)", "'peer'");
    if (w[0] == "tos") return Tos(w);
    if (w[0] == "tinker") return Tinker(w);
    if (w[0] == "local") return Local(w);
    Error("server, pool, tos, tinker or local", fmt::format("'{}'", w[0]));
  }

  engine::NodeConfig config;
  std::vector<std::string> errors;

 private:
  void Error(std::string_view expected, std::string_view got) {
    errors.push_back(fmt::format("{}:{}: expected {}, got {}", file_, line_, expected, got));
  }
  std::optional<int> IntArg(const std::vector<std::string_view>& w, size_t i, int lo, int hi, std::string_view what) {
    std::optional<int> v = i < w.size() ? Int(w[i]) : std::nullopt;
    if (!v || *v < lo || *v > hi) {
      Error(fmt::format("{} {}..{} after '{}'", what, lo, hi, w[i - 1]),
            i < w.size() ? fmt::format("'{}'", w[i]) : std::string("end of line"));
      return std::nullopt;
    }
    return v;
  }
  std::optional<core::NtpDuration> SecondsArg(const std::vector<std::string_view>& w, size_t i) {
    std::optional<double> v = i < w.size() ? Double(w[i]) : std::nullopt;
    if (!v || *v < 0) {
      Error(fmt::format("seconds >= 0 after '{}'", w[i - 1]),
            i < w.size() ? fmt::format("'{}'", w[i]) : std::string("end of line"));
      return std::nullopt;
    }
    return core::NtpDuration::FromSeconds(*v);
  }

  void Server(const std::vector<std::string_view>& w) {
    if (w.size() < 2) return Error("an address or node name after 'server'", "end of line");
    std::vector<core::NetAddress> addresses;
    if (auto a = core::NetAddress::ParseWithDefaultPort(w[1], 123)) {
      addresses.push_back(*a);
    } else if (auto named = resolve_(w[1])) {
      addresses = *named;
    } else {
      return Error("an IP address or the name of a node or group", fmt::format("'{}'", w[1]));
    }
    core::AssociationConfig a;
    a.pool = w[0] == "pool";
    for (size_t i = 2; i < w.size(); ++i) {
      if (w[i] == "iburst") a.iburst = true;
      else if (w[i] == "burst") a.burst = true;
      else if (w[i] == "prefer") a.prefer = true;
      else if (w[i] == "noselect") a.noselect = true;
      else if (w[i] == "true") a.truechimer = true;
      else if (w[i] == "minpoll" || w[i] == "maxpoll") {
        auto v = IntArg(w, ++i, core::PollExp::kMinPoll, core::PollExp::kMaxPoll, "a poll exponent");
        if (v) (w[i - 1] == "minpoll" ? a.minpoll : a.maxpoll) = core::PollExp(*v);
      } else {
        Error("iburst, burst, prefer, noselect, true, minpoll or maxpoll", fmt::format("'{}'", w[i]));
      }
    }
    for (const auto& address : addresses) {
      a.address = address;
      config.sources.push_back(a);
    }
  }

  void Tos(const std::vector<std::string_view>& w) {
    auto& sys = config.system;
    for (size_t i = 1; i < w.size(); i += 2) {
      const std::string_view k = w[i];
      if (k == "orphan") {
        if (auto v = IntArg(w, i + 1, 1, 16, "a stratum")) sys.orphan_stratum = *v;
      } else if (k == "orphanwait") {
        if (auto v = SecondsArg(w, i + 1)) sys.orphan_wait = *v;
      } else if (k == "minclock") {
        if (auto v = IntArg(w, i + 1, 1, 100, "a count")) sys.select.min_clock = *v;
      } else if (k == "minsane") {
        if (auto v = IntArg(w, i + 1, 0, 100, "a count")) sys.select.min_sane = *v;
      } else if (k == "maxclock") {
        if (auto v = IntArg(w, i + 1, 1, 100, "a count")) sys.select.max_clock = *v;
      } else if (k == "maxdist") {
        if (auto v = SecondsArg(w, i + 1)) sys.select.max_distance = *v;
      } else {
        Error("orphan, orphanwait, minclock, minsane, maxclock or maxdist after 'tos'", fmt::format("'{}'", k));
      }
    }
  }

  void Tinker(const std::vector<std::string_view>& w) {
    auto& d = config.system.discipline;
    for (size_t i = 1; i < w.size(); i += 2) {
      const std::string_view k = w[i];
      std::optional<core::NtpDuration> v;
      if (k == "step" || k == "stepout" || k == "panic") v = SecondsArg(w, i + 1);
      else Error("step, stepout or panic after 'tinker'", fmt::format("'{}'", k));
      if (!v) continue;
      (k == "step" ? d.step_threshold : k == "stepout" ? d.stepout : d.panic_threshold) = *v;
    }
  }

  void Local(const std::vector<std::string_view>& w) {
    if (w.size() != 3 || w[1] != "stratum") {
      return Error("'local stratum N'", fmt::format("'{}'", w.size() > 1 ? w[1] : "end of line"));
    }
    if (auto v = IntArg(w, 2, 1, 15, "a stratum")) config.system.local_stratum = *v;
  }

  std::string_view file_;
  const NameResolver& resolve_;
  int line_ = 0;
};

}  // namespace

Result<engine::NodeConfig, std::vector<std::string>> BuildNodeConfig(const std::vector<ConfigLine>& lines,
                                                                       std::string_view file,
                                                                       const NameResolver& resolve) {
  Builder b(file, resolve);
  for (const auto& l : lines) b.Line(l);
  if (!b.errors.empty()) return Unexpected(std::move(b.errors));
  return b.config;
}

}  // namespace tempus::sim

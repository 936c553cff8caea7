// tos, tinker, enable/disable, keys, trustedkey, controlkey, requestkey and leapsmearinterval
// (ntp.conf(5) "Miscellaneous Options", "Authentication Commands"; ntpd 4.2.8 miscopt.html).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "config/internal/directives.h"

namespace tempus::config::internal {
namespace {

struct IntKnob {
  std::string_view name;
  std::string_view what;
  int64_t lo, hi;
  std::optional<int> TosConfig::*field;
};
struct RealKnob {
  std::string_view name;
  std::string_view what;
  double lo, hi;
  std::optional<double> TosConfig::*field;
};

constexpr std::array<IntKnob, 8> kTosInts = {{
    {"minclock", "a source count 1..1024", 1, 1024, &TosConfig::minclock},
    {"maxclock", "a source count 1..1024", 1, 1024, &TosConfig::maxclock},
    {"minsane", "a source count 1..1024", 1, 1024, &TosConfig::minsane},
    {"ceiling", "a stratum 1..16", 1, 16, &TosConfig::ceiling},
    {"floor", "a stratum 0..15", 0, 15, &TosConfig::floor},
    {"orphan", "a stratum 1..16", 1, 16, &TosConfig::orphan},
    {"beacon", "an interval 1..1000000 s", 1, 1000000, &TosConfig::beacon},
    {"bcpollbstep", "a step count 0..4", 0, 4, &TosConfig::bcpollbstep},
}};
constexpr std::array<RealKnob, 4> kTosReals = {{
    {"mindist", "a distance 0..10 s", 0, 10, &TosConfig::mindist_s},
    {"maxdist", "a distance 0.001..16 s", 0.001, 16, &TosConfig::maxdist_s},
    {"maxdisp", "a dispersion 0.001..16 s", 0.001, 16, &TosConfig::maxdisp_s},
    {"orphanwait", "a delay 0..86400 s", 0, 86400, &TosConfig::orphanwait_s},
}};
constexpr std::array<std::string_view, 14> kTosNames = {"minclock", "maxclock",   "minsane",     "ceiling", "floor",
                                                        "orphan",   "beacon",     "bcpollbstep", "mindist", "maxdist",
                                                        "maxdisp",  "orphanwait", "cohort",      "basedate"};

// tos [minclock N] [maxclock N] [minsane N] [mindist S] [maxdist S] [ceiling N] [floor N]
//     [orphan N] [orphanwait S] [cohort 0|1] [beacon S] ...
void Tos(Cursor& c, ParseState& st) {
  auto& tos = st.config.tos;
  if (c.AtEnd()) c.Expected("a 'tos' option after 'tos'");
  while (!c.AtEnd()) {
    const Token& t = *c.Peek();
    const int errors = c.errors();
    const auto idx =
        c.Keyword("a 'tos' option (minclock, maxclock, minsane, mindist, maxdist, orphan, ...)", kTosNames);
    if (!idx) continue;
    const std::string_view name = kTosNames[*idx];
    if (*idx < kTosInts.size()) {
      const IntKnob& k = kTosInts[*idx];
      if (auto v = c.Integer(fmt::format("{} after '{}'", k.what, name), k.lo, k.hi))
        tos.*k.field = static_cast<int>(*v);
    } else if (*idx < kTosInts.size() + kTosReals.size()) {
      const RealKnob& k = kTosReals[*idx - kTosInts.size()];
      if (auto v = c.Number(fmt::format("{} after '{}'", k.what, name), k.lo, k.hi)) tos.*k.field = *v;
    } else if (name == "cohort") {
      if (auto v = c.Integer("0 or 1 after 'cohort'", 0, 1)) tos.cohort = *v == 1;
    } else if (auto d = c.Word("a date YYYY-MM-DD after 'basedate'")) {
      tos.basedate = *d;
    }
    if (c.errors() == errors) ReportOption(c, c.At(t), "tos", name);
  }
}

struct TinkerKnob {
  std::string_view name;
  std::string_view what;
  double lo, hi;
  std::optional<double> TinkerConfig::*field;
};
constexpr std::array<TinkerKnob, 10> kTinker = {{
    {"step", "a threshold 0..1000000 s", 0, 1e6, &TinkerConfig::step_s},
    {"stepback", "a threshold 0..1000000 s", 0, 1e6, &TinkerConfig::stepback_s},
    {"stepfwd", "a threshold 0..1000000 s", 0, 1e6, &TinkerConfig::stepfwd_s},
    {"stepout", "a timeout 0..1000000 s", 0, 1e6, &TinkerConfig::stepout_s},
    {"panic", "a threshold 0..1000000000 s", 0, 1e9, &TinkerConfig::panic_s},
    {"dispersion", "a rate 0..1 s/s", 0, 1, &TinkerConfig::dispersion},
    {"allan", "an intercept 0..30 (log2 s)", 0, 30, &TinkerConfig::allan},
    {"huffpuff", "a span 0..1000000 s", 0, 1e6, &TinkerConfig::huffpuff_s},
    {"freq", "a frequency -500..500 ppm", -500, 500, &TinkerConfig::freq_ppm},
    {"tick", "a tick 0..1 s", 1e-9, 1, &TinkerConfig::tick_s},
}};
constexpr std::array<std::string_view, 10> kTinkerNames = {"step",       "stepback", "stepfwd",  "stepout", "panic",
                                                           "dispersion", "allan",    "huffpuff", "freq",    "tick"};

// tinker [step S] [stepout S] [panic S] [dispersion S/S] [allan LOG2S] [huffpuff S] [freq PPM] ...
void Tinker(Cursor& c, ParseState& st) {
  if (c.AtEnd()) c.Expected("a 'tinker' option after 'tinker'");
  while (!c.AtEnd()) {
    const Token& t = *c.Peek();
    const auto idx =
        c.Keyword("a 'tinker' option (step, stepout, panic, dispersion, allan, huffpuff, ...)", kTinkerNames);
    if (!idx) continue;
    const TinkerKnob& k = kTinker[*idx];
    if (auto v = c.Number(fmt::format("{} after '{}'", k.what, k.name), k.lo, k.hi)) {
      st.config.tinker.*k.field = *v;
      ReportOption(c, c.At(t), "tinker", k.name);
    }
  }
}

constexpr std::array<std::string_view, 12> kSystemFlags = {"auth",
                                                           "bclient",
                                                           "calibrate",
                                                           "kernel",
                                                           "mode7",
                                                           "monitor",
                                                           "ntp",
                                                           "stats",
                                                           "peer_clear_digest_early",
                                                           "unpeer_crypto_early",
                                                           "unpeer_crypto_nak_early",
                                                           "unpeer_digest_early"};

// enable|disable auth|bclient|calibrate|kernel|mode7|monitor|ntp|stats|...
void EnableDisable(Cursor& c, ParseState& st) {
  const bool on = c.directive().text == "enable";
  if (c.AtEnd()) c.Expected(fmt::format("a flag after '{}'", c.directive().text));
  while (!c.AtEnd()) {
    const Token& t = *c.Peek();
    const auto idx = c.Keyword("a flag (auth, bclient, calibrate, kernel, mode7, monitor, ntp, stats)", kSystemFlags);
    if (!idx) continue;
    st.config.flags.Set(static_cast<SystemFlag>(*idx), on);
    ReportOption(c, c.At(t), c.directive().text, kSystemFlags[*idx]);
  }
}

void Keys(Cursor& c, ParseState& st) {
  st.config.keys.keys_where = c.At(c.directive());
  ReadPath(c, &st.config.keys.keys_path);
}

void AddTrusted(std::vector<uint32_t>& list, uint32_t id) {
  if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
}

// "1-5" -> {1, 5}; nullopt unless both ends are key ids.
std::optional<std::pair<uint32_t, uint32_t>> ParseRange(std::string_view s) {
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  uint32_t a = 0, b = 0;
  const auto r1 = std::from_chars(s.data(), s.data() + dash, a);
  const auto r2 = std::from_chars(s.data() + dash + 1, s.data() + s.size(), b);
  if (r1.ec != std::errc() || r1.ptr != s.data() + dash || r2.ec != std::errc() || r2.ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  if (a < 1 || b > 65535 || a > b) return std::nullopt;
  return std::make_pair(a, b);
}

// trustedkey ID... with ranges "1-5" (tempus) or "(1 ... 5)" (NTPsec).
void Trustedkey(Cursor& c, ParseState& st) {
  auto& list = st.config.keys.trusted;
  const std::string_view what = "a key id 1..65535 or a range like 1-5";
  if (c.AtEnd()) c.Expected(what);
  while (!c.AtEnd()) {
    const std::string text = c.Peek()->text;
    if (const auto r = ParseRange(text)) {
      c.Next();
      for (uint32_t id = r->first; id <= r->second; ++id) AddTrusted(list, id);
    } else if (text.starts_with("(")) {  // ( first ... last )
      uint32_t first = 0, last = 0;
      const std::string inner = text.substr(1);
      const auto r1 = std::from_chars(inner.data(), inner.data() + inner.size(), first);
      if (inner.empty() || r1.ec != std::errc() || r1.ptr != inner.data() + inner.size() || first < 1 ||
          first > 65535) {
        c.Expected(what);
        continue;
      }
      c.Next();
      if (!c.Accept("...")) {
        c.Expected("'...' in a key range '(first ... last)'");
        continue;
      }
      const std::string end = c.AtEnd() ? "" : c.Peek()->text;
      const auto r2 = std::from_chars(end.data(), end.data() + end.size(), last);
      if (end.size() < 2 || end.back() != ')' || r2.ec != std::errc() || r2.ptr != end.data() + end.size() - 1 ||
          last < first || last > 65535) {
        c.Expected(fmt::format("a last key id {}..65535 followed by ')'", first));
        continue;
      }
      c.Next();
      for (uint32_t id = first; id <= last; ++id) AddTrusted(list, id);
    } else if (auto id = ReadKeyId(c, what)) {
      AddTrusted(list, *id);
    }
  }
}

void Controlkey(Cursor& c, ParseState& st) {
  const int errors = c.errors();
  st.config.keys.control_key = ReadKeyId(c, "a key id 1..65535 after 'controlkey'");
  c.ExpectEnd();
  if (c.errors() == errors) ReportStatus(c, c.At(c.directive()), "controlkey");
}

void Requestkey(Cursor& c, ParseState& st) {
  const int errors = c.errors();
  st.config.keys.request_key = ReadKeyId(c, "a key id 1..65535 after 'requestkey'");
  c.ExpectEnd();
  if (c.errors() == errors) ReportStatus(c, c.At(c.directive()), "requestkey");
}

// leapsmearinterval S (ntpd, with --enable-leap-smear).
void Leapsmearinterval(Cursor& c, ParseState& st) {
  const int errors = c.errors();
  st.config.leapsmear_interval_s = c.Number("an interval 0..86400 s after 'leapsmearinterval'", 0, 86400);
  c.ExpectEnd();
  if (c.errors() == errors) ReportStatus(c, c.At(c.directive()), "leapsmearinterval");
}

constexpr std::array<DirectiveSpec, 9> kDirectives = {{
    {"tos", Tos},
    {"tinker", Tinker},
    {"enable", EnableDisable},
    {"disable", EnableDisable},
    {"keys", Keys},
    {"trustedkey", Trustedkey},
    {"controlkey", Controlkey},
    {"requestkey", Requestkey},
    {"leapsmearinterval", Leapsmearinterval},
}};

}  // namespace

std::span<const DirectiveSpec> SystemDirectives() { return kDirectives; }

std::optional<uint32_t> ReadKeyId(Cursor& c, std::string_view what) {
  if (auto v = c.Integer(what, 1, 65535)) return static_cast<uint32_t>(*v);
  return std::nullopt;
}

}  // namespace tempus::config::internal

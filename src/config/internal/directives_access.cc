// restrict, unrestrict, interface/nic, discard and limit (ntp.conf(5) "Access Control Commands",
// ntpd 4.2.8 accopt.html, NTPsec accopt.html). Parsed into RestrictEntry/InterfaceRule; the
// daemon enforces them.
#include <fmt/format.h>

#include <array>
#include <charconv>

#include "config/internal/directives.h"

namespace tempus::config::internal {
namespace {

struct FlagName {
  std::string_view name;
  RestrictFlag flag;
};

constexpr std::array<FlagName, 16> kRestrictFlags = {{
    {"ignore", RestrictFlag::kIgnore},
    {"kod", RestrictFlag::kKod},
    {"limited", RestrictFlag::kLimited},
    {"lowpriotrap", RestrictFlag::kLowPrioTrap},
    {"mssntp", RestrictFlag::kMssntp},
    {"nomodify", RestrictFlag::kNoModify},
    {"nomrulist", RestrictFlag::kNoMruList},
    {"noepeer", RestrictFlag::kNoEpeer},
    {"nopeer", RestrictFlag::kNoPeer},
    {"noquery", RestrictFlag::kNoQuery},
    {"noserve", RestrictFlag::kNoServe},
    {"notrap", RestrictFlag::kNoTrap},
    {"notrust", RestrictFlag::kNoTrust},
    {"ntpport", RestrictFlag::kNtpPort},
    {"version", RestrictFlag::kVersion},
    {"flake", RestrictFlag::kFlake},
}};

// Flag names plus the options that take an argument, for lookups and suggestions.
constexpr std::array<std::string_view, 19> kRestrictWords = {
    "ignore",  "kod",    "limited",     "lowpriotrap",    "mssntp", "nomodify", "nomrulist",
    "noepeer", "nopeer", "noquery",     "noserve",        "notrap", "notrust",  "ntpport",
    "version", "flake",  "ippeerlimit", "serverresponse", "mask"};

// A mask of `bits` leading ones for `family`.
core::NetAddress PrefixMask(core::NetAddress::Family family, int bits) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < bits; ++i) b[static_cast<size_t>(i / 8)] |= static_cast<uint8_t>(0x80 >> (i % 8));
  if (family == core::NetAddress::Family::kIPv4) return core::NetAddress::IPv4({b[0], b[1], b[2], b[3]});
  return core::NetAddress::IPv6(b);
}

// "10.0.0.0/8" -> address and prefix length; nullopt when the text is not of that form.
std::optional<std::pair<core::NetAddress, int>> ParseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto a = ParseNumericAddress(text.substr(0, slash));
  if (!a) return std::nullopt;
  const std::string_view p = text.substr(slash + 1);
  int bits = -1;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
  if (ec != std::errc() || end != p.data() + p.size() || bits < 0 || bits > (a->is_v4() ? 32 : 128)) {
    return std::nullopt;
  }
  return std::make_pair(*a, bits);
}

// Reads the target of a restrict line: -4/-6, default, source, ADDRESS[/P] or a host name.
bool ReadRestrictTarget(Cursor& c, RestrictEntry& e, bool* has_prefix) {
  if (c.Accept("-4")) e.family = Family::kIPv4;
  else if (c.Accept("-6")) e.family = Family::kIPv6;
  const std::string what = fmt::format("an address, 'default' or 'source' after '{}'", c.directive().text);
  if (c.AtEnd()) {
    c.Expected(what);
    return false;
  }
  const Token& t = *c.Peek();
  e.where = c.At(t);
  if (t.text == "default" || t.text == "source") {
    e.target = t.text == "default" ? RestrictTarget::kDefault : RestrictTarget::kSource;
    c.Next();
    return true;
  }
  std::optional<core::NetAddress> addr;
  int bits = -1;
  if (const auto cidr = ParseCidr(t.text)) {
    addr = cidr->first;
    bits = cidr->second;
  } else {
    addr = ParseNumericAddress(t.text);
  }
  if (!addr) {
    if (t.text.find_first_of(":/") != std::string::npos ||
        t.text.find_first_not_of("0123456789.") == std::string::npos) {
      c.Expected(what);
      return false;
    }
    e.target = RestrictTarget::kHost;  // a name: the daemon resolves it
    e.host = t.text;
    c.Next();
    return true;
  }
  if ((e.family == Family::kIPv4 && !addr->is_v4()) || (e.family == Family::kIPv6 && !addr->is_v6())) {
    c.Expected(fmt::format("an {} address after '{}'", e.family == Family::kIPv4 ? "IPv4" : "IPv6",
                           e.family == Family::kIPv4 ? "-4" : "-6"));
    return false;
  }
  c.Next();
  e.target = RestrictTarget::kAddress;
  e.family = addr->is_v4() ? Family::kIPv4 : Family::kIPv6;
  e.address = *addr;
  e.mask = PrefixMask(addr->family(), bits >= 0 ? bits : (addr->is_v4() ? 32 : 128));
  *has_prefix = bits >= 0;
  return true;
}

void ReadMask(Cursor& c, RestrictEntry& e, const Token& mask_token, bool has_prefix) {
  const std::string what = "a numeric mask of the address's family after 'mask'";
  if (e.target != RestrictTarget::kAddress && e.target != RestrictTarget::kHost) {
    c.Error(c.At(mask_token), fmt::format("expected a restrict flag, got 'mask' ('mask' applies to an address, not "
                                          "'{}')",
                                          e.target == RestrictTarget::kDefault ? "default" : "source"));
    if (!c.AtEnd()) c.Next();
    return;
  }
  if (has_prefix) {
    c.Error(c.At(mask_token), "expected a restrict flag, got 'mask' (the address already has a /prefix)");
    if (!c.AtEnd()) c.Next();
    return;
  }
  const auto m = c.AtEnd() ? std::nullopt : ParseNumericAddress(c.Peek()->text);
  if (!m || (e.target == RestrictTarget::kAddress && m->family() != e.address.family())) {
    c.Expected(what);
    return;
  }
  c.Next();
  e.mask = *m;
}

void HandleRestrict(Cursor& c, ParseState& st, bool unrestrict) {
  RestrictEntry e;
  e.unrestrict = unrestrict;
  bool has_prefix = false;
  if (!ReadRestrictTarget(c, e, &has_prefix)) {
    c.SkipRest();
    return;
  }
  while (!c.AtEnd()) {
    const Token& t = *c.Peek();
    const int errors = c.errors();
    const auto idx = c.Keyword("a restrict flag", kRestrictWords);
    if (!idx) continue;
    const std::string_view w = kRestrictWords[*idx];
    if (w == "mask") {
      ReadMask(c, e, t, has_prefix);
    } else if (w == "ippeerlimit") {
      if (auto n = c.Integer("a peer count -1..65535 after 'ippeerlimit'", -1, 65535))
        e.ippeerlimit = static_cast<int>(*n);
    } else if (w == "serverresponse") {
      if (c.Accept("fuzz")) e.serverresponse_fuzz = 1;
      else c.Expected("'fuzz' after 'serverresponse'");
    } else {
      for (const FlagName& f : kRestrictFlags) {
        if (f.name == w) e.flags |= static_cast<uint32_t>(f.flag);
      }
    }
    // Flags and options tempus does not act on are warned about (the directive status table).
    if (c.errors() == errors) ReportOption(c, c.At(t), "restrict", w);
  }
  st.config.restricts.push_back(std::move(e));
}

void Restrict(Cursor& c, ParseState& st) { HandleRestrict(c, st, false); }
void Unrestrict(Cursor& c, ParseState& st) { HandleRestrict(c, st, true); }

constexpr std::array<std::string_view, 3> kInterfaceActions = {"listen", "ignore", "drop"};
constexpr std::array<std::string_view, 4> kInterfaceClasses = {"all", "ipv4", "ipv6", "wildcard"};

// interface|nic listen|ignore|drop all|ipv4|ipv6|wildcard|NAME|ADDRESS[/prefix]
void Interface(Cursor& c, ParseState& st) {
  InterfaceRule r;
  r.where = c.At(c.directive());
  const auto action =
      c.Keyword(fmt::format("'listen', 'ignore' or 'drop' after '{}'", c.directive().text), kInterfaceActions);
  if (!action) {
    c.SkipRest();
    return;
  }
  r.action = static_cast<InterfaceRule::Action>(*action);
  const std::string what = "'all', 'ipv4', 'ipv6', 'wildcard', an interface name or an address[/prefix]";
  if (c.AtEnd()) {
    c.Expected(what);
    return;
  }
  const std::string& text = c.Peek()->text;
  for (size_t i = 0; i < kInterfaceClasses.size(); ++i) {
    if (text == kInterfaceClasses[i]) r.match = static_cast<InterfaceRule::Match>(i);
  }
  if (r.match == InterfaceRule::Match::kAll && text != "all") {
    if (const auto cidr = ParseCidr(text)) {
      r.match = InterfaceRule::Match::kAddress;
      r.address = cidr->first;
      r.prefix_len = cidr->second;
    } else if (const auto a = ParseNumericAddress(text)) {
      r.match = InterfaceRule::Match::kAddress;
      r.address = *a;
    } else if (text.size() <= 15 && text.find_first_of("/:") == std::string::npos) {  // IFNAMSIZ - 1
      r.match = InterfaceRule::Match::kName;
      r.name = text;
    } else {
      c.Expected(what);
      c.SkipRest();
      return;
    }
  }
  c.Next();
  c.ExpectEnd();
  st.config.interfaces.push_back(std::move(r));
}

constexpr std::array<std::string_view, 3> kDiscardOptions = {"average", "minimum", "monitor"};

// discard [average LOG2S] [minimum S] [monitor PROB] (ntpd rate control).
void Discard(Cursor& c, ParseState& st) {
  if (c.AtEnd()) c.Expected("'average', 'minimum' or 'monitor' after 'discard'");
  while (!c.AtEnd()) {
    const auto idx = c.Keyword("a 'discard' option ('average', 'minimum' or 'monitor')", kDiscardOptions);
    if (!idx) continue;
    auto& d = st.config.discard;
    if (*idx == 0) {
      if (auto v = c.Integer("headway exponent 0..16 (log2 s) after 'average'", 0, 16))
        d.average_log2 = static_cast<int>(*v);
    } else if (*idx == 1) {
      if (auto v = c.Integer("guard time 0..65535 s after 'minimum'", 0, 65535)) d.minimum_s = static_cast<int>(*v);
    } else {
      if (auto v = c.Integer("a number 0..1000000 after 'monitor'", 0, 1000000)) d.monitor = static_cast<int>(*v);
    }
  }
}

constexpr std::array<std::string_view, 3> kLimitOptions = {"average", "burst", "kod"};

// NTPsec limit [average PPS] [burst N] [kod PPS].
void Limit(Cursor& c, ParseState& st) {
  if (c.AtEnd()) c.Expected("'average', 'burst' or 'kod' after 'limit'");
  while (!c.AtEnd()) {
    const Token& t = *c.Peek();
    const auto idx = c.Keyword("a 'limit' option ('average', 'burst' or 'kod')", kLimitOptions);
    if (!idx) continue;
    const auto v = c.Number(fmt::format("a positive number after '{}'", kLimitOptions[*idx]), 1e-9, 1e9);
    if (!v) continue;
    ReportOption(c, c.At(t), "limit", kLimitOptions[*idx]);
    auto& d = st.config.discard;
    (*idx == 0 ? d.limit_average_pps : *idx == 1 ? d.limit_burst : d.limit_kod_pps) = *v;
  }
}

constexpr std::array<DirectiveSpec, 6> kDirectives = {{
    {"restrict", Restrict},
    {"unrestrict", Unrestrict},
    {"interface", Interface},
    {"nic", Interface},
    {"discard", Discard},
    {"limit", Limit},
}};

}  // namespace

std::span<const DirectiveSpec> AccessDirectives() { return kDirectives; }

}  // namespace tempus::config::internal

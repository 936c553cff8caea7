// server, pool, peer, fudge, refclock and unpeer (ntp.conf(5) "Association Commands").
//
// Host names are checked for shape only and never resolved. Refclock pseudo-addresses
// 127.127.t.u are warned about (tempus has no refclock drivers), except 127.127.1.u, ntpd's LOCAL
// driver, which becomes the local-clock fallback (with `fudge 127.127.1.u stratum N`).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "base/shown.h"
#include "config/internal/directives.h"
#include "core/nts/ke_record.h"

namespace tempus::config::internal {
namespace {

constexpr std::array<std::string_view, 20> kServerOptions = {"iburst",  "burst",   "prefer",  "noselect", "true",
                                                             "key",     "version", "minpoll", "maxpoll",  "port",
                                                             "preempt", "xleave",  "mode",    "ttl",      "bias",
                                                             "nts",     "noval",   "ca",      "aead",     "autokey"};

constexpr std::string_view kPollWhat = "poll exponent 3..17 after '{}'";

// RFC 1123 host name shape: labels of letters, digits, '-' and '_' (seen in the wild), not all
// digits in the last label (that would be a malformed dotted quad).
bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.back() == '.') s.remove_suffix(1);
  size_t start = 0;
  bool last_all_digits = false;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    const std::string_view label = s.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    last_all_digits = true;
    for (char ch : label) {
      const unsigned char u = static_cast<unsigned char>(ch);
      if (!std::isalnum(u) && ch != '-' && ch != '_') return false;
      if (!std::isdigit(u)) last_all_digits = false;
    }
    start = dot + 1;
  }
  return !last_all_digits;
}

bool IsRefclock(const core::NetAddress& a) { return a.is_v4() && a.bytes()[0] == 127 && a.bytes()[1] == 127; }

// NTPsec's "HOST:PORT" and "[v6]:PORT" (for `nts`: the NTS-KE server's port): the host part, and
// the port's text and its offset in `text`; nothing when `text` has no such port (a bare IPv6
// address has several colons and none).
struct HostPortText {
  std::string host;
  std::string port;
  size_t port_offset = 0;
};
std::optional<HostPortText> SplitPort(const std::string& text) {
  size_t colon = std::string::npos;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close != std::string::npos && close + 1 < text.size() && text[close + 1] == ':') colon = close + 1;
  } else if (const size_t first = text.find(':');
             first != std::string::npos && text.find(':', first + 1) == std::string::npos) {
    colon = first;
  }
  if (colon == std::string::npos) return std::nullopt;
  return HostPortText{text.substr(0, colon), text.substr(colon + 1), colon + 1};
}

// Characters (not bytes) in `s`: columns count characters.
int Characters(std::string_view s) {
  return static_cast<int>(std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

// A port written in the host part: where it is, and the host token as written.
struct HostPort {
  Location where;
  std::string text;
};

// Reads the address and options of a server/pool/peer line into `s`; returns false when the
// address itself was unusable. A port in the host part ("HOST:PORT") sets `host_port`.
bool ReadAssociation(Cursor& c, ServerConfig& s, std::optional<HostPort>& host_port) {
  const std::string_view dir = c.directive().text;
  if (c.Accept("-4") || c.Accept("--ipv4")) s.family = Family::kIPv4;
  else if (c.Accept("-6") || c.Accept("--ipv6")) s.family = Family::kIPv6;
  const std::string what = fmt::format("a host name or numeric address after '{}'", dir);
  if (c.AtEnd()) {
    c.Expected(what);
    return false;
  }
  const Token& host = *c.Peek();
  s.where = c.At(host);
  std::string text = host.text;
  if (auto split = SplitPort(text)) {
    Location where = s.where;
    where.column += (host.quoted ? 1 : 0) + Characters(std::string_view(text).substr(0, split->port_offset));
    const bool digits =
        !split->port.empty() && split->port.size() <= 5 &&
        std::all_of(split->port.begin(), split->port.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    const int port = digits ? std::stoi(split->port) : 0;
    if (port < 1 || port > 65535) {
      c.Error(where,
              fmt::format("expected a port 1..65535 after ':' in '{}', got '{}'", Shown(text), Shown(split->port)));
      c.Next();
      return false;
    }
    s.port = static_cast<uint16_t>(port);
    host_port = HostPort{where, text};
    text = split->host;
  }
  // "[fe80::1]%eth0" (NTPsec): keep the zone for the daemon, check the address part.
  const size_t zone = text.find('%');
  if (const auto a = ParseNumericAddress(std::string_view(text).substr(0, zone))) {
    if ((s.family == Family::kIPv4 && !a->is_v4()) || (s.family == Family::kIPv6 && !a->is_v6())) {
      c.Expected(fmt::format("an {} address after '{}'", s.family == Family::kIPv4 ? "IPv4" : "IPv6",
                             s.family == Family::kIPv4 ? "-4" : "-6"));
      return false;
    }
    s.address = a->WithPort(s.port);
  } else if (!IsHostName(text)) {
    c.Expected(what, text.find(':') != std::string::npos ? " (write a port as 'port N')" : "");
    return false;
  }
  c.Next();
  s.host = text;
  return true;
}

void ReadOptions(Cursor& c, ServerConfig& s, const std::optional<HostPort>& host_port) {
  bool min_set = false, max_set = false;
  Location max_where;
  std::optional<Location> port_where;
  while (!c.AtEnd()) {
    const Token& t = *c.Peek();
    const int errors = c.errors();
    const auto idx = c.Keyword(fmt::format("a '{}' option", c.directive().text), kServerOptions);
    if (!idx) continue;
    const std::string_view opt = kServerOptions[*idx];
    if (opt == "iburst") s.iburst = true;
    else if (opt == "burst") s.burst = true;
    else if (opt == "prefer") s.prefer = true;
    else if (opt == "noselect") s.noselect = true;
    else if (opt == "true") s.truechimer = true;
    else if (opt == "key") s.key = ReadKeyId(c, "key id 1..65535 after 'key'");
    else if (opt == "version") {
      if (auto v = c.Integer("NTP version 1..4 after 'version'", 1, 4)) s.version = static_cast<int>(*v);
    } else if (opt == "minpoll" || opt == "maxpoll") {
      const Location where = c.Here();
      const auto v =
          c.Integer(fmt::format(fmt::runtime(kPollWhat), opt), core::PollExp::kMinPoll, core::PollExp::kMaxPoll);
      if (!v) continue;
      if (opt == "minpoll") {
        s.minpoll = core::PollExp(static_cast<int>(*v));
        min_set = true;
      } else {
        s.maxpoll = core::PollExp(static_cast<int>(*v));
        max_set = true;
        max_where = where;
      }
    } else if (opt == "port") {
      if (auto p = c.Integer("UDP port 1..65535 after 'port'", 1, 65535)) {
        s.port = static_cast<uint16_t>(*p);
        if (s.address) s.address = s.address->WithPort(s.port);
      }
    } else if (opt == "mode" || opt == "ttl") {
      c.Integer(fmt::format("a number 0..255 after '{}'", opt), 0, 255);
    } else if (opt == "bias") {
      c.Number("offset in seconds after 'bias'", -1e3, 1e3);
    } else if (opt == "nts") {
      s.nts = true;
    } else if (opt == "noval") {
      s.noval = true;
    } else if (opt == "ca") {
      const Location where = c.Here();
      if (const auto path = c.Word("a path after 'ca'")) {
        if (path->empty()) c.Error(where, "expected a path after 'ca', got ''");
        s.ca = *path;
      }
    } else if (opt == "aead") {
      // RFC 8915 §5.1: AEAD_AES_SIV_CMAC_256 is the one tempus (and every NTS server) speaks.
      const Location where = c.Here();
      if (const auto name = c.Word("an AEAD name after 'aead'");
          name && *name != "AES_SIV_CMAC_256" && *name != "AEAD_AES_SIV_CMAC_256") {
        c.Error(where, fmt::format("expected AES_SIV_CMAC_256 after 'aead' (the one AEAD tempus's NTS "
                                   "client speaks), got '{}'",
                                   *name));
      }
    }
    if (opt == "port") port_where = c.At(t);
    // What tempus does not do (mode, ttl, bias, preempt, xleave, autokey: warned).
    if (c.errors() == errors) ReportOption(c, c.At(t), "server", opt);
  }
  if (s.nts) {
    if (s.key) c.Error(s.where, "expected either 'key N' or 'nts' on one line, got both");
    if (s.kind == AssocKind::kPeer)
      c.Error(s.where, "expected 'nts' on a server or pool line (NTS has no symmetric mode), got 'peer'");
    if (host_port && port_where) {
      c.Error(*port_where, "expected one NTS-KE port, got one after ':' in the host and 'port N'");
    }
    // NTPsec: the port given is the NTS-KE server's (TCP); the NTP port comes from NTS-KE (§4.1.8).
    if (!port_where && !host_port) {
      s.port = core::nts::kKePort;
      if (s.address) s.address = s.address->WithPort(s.port);
    }
  } else if (host_port) {
    // Without `nts` NTPsec would look "HOST:PORT" up as a name; tempus says what it means instead.
    c.Error(s.where, fmt::format("expected a host name or numeric address after '{}', got '{}' (write a port as "
                                 "'port N'; 'HOST:PORT' names the NTS-KE port of an 'nts' line)",
                                 c.directive().text, host_port->text));
  } else if (s.noval || s.ca) {
    c.Error(s.where, fmt::format("expected 'nts' with '{}' (an option of NTS associations), got none",
                                 s.noval ? "noval" : "ca"));
  }
  if (s.minpoll > s.maxpoll) {
    if (min_set && max_set) {
      c.Error(max_where, fmt::format("expected maxpoll >= minpoll {}, got '{}'", s.minpoll.log2(), s.maxpoll.log2()));
    } else if (min_set) {
      s.maxpoll = s.minpoll;  // ntpd raises the default maxpoll to the given minpoll
    } else {
      s.minpoll = s.maxpoll;
    }
  }
}

void HandleAssoc(Cursor& c, ParseState& st, AssocKind kind) {
  ServerConfig s;
  s.kind = kind;
  std::optional<HostPort> host_port;
  if (!ReadAssociation(c, s, host_port)) {
    c.SkipRest();
    return;
  }
  if (s.address && IsRefclock(*s.address)) {
    if (s.address->bytes()[2] != 1) {  // the options of a line that is ignored do not matter
      c.SkipRest();
      ReportStatus(c, s.where, "server 127.127.t.u");
      return;
    }
    const Location options = c.Here();
    const int errors = c.errors();
    ReadOptions(c, s, host_port);  // still checked, so that a typo is an error as on any line
    if (options != c.Here() && c.errors() == errors) ReportStatus(c, options, "server 127.127.1.u options");
    st.local_refclock = s.where;
    st.local_unit = s.address->bytes()[3];
    return;
  }
  const int errors = c.errors();
  ReadOptions(c, s, host_port);
  if (kind == AssocKind::kPeer && c.errors() == errors) {
    // ntpd: burst and iburst are for server and pool; a symmetric peer answers on its own poll.
    if (s.iburst) ReportStatus(c, s.where, "peer iburst");
    if (s.burst) ReportStatus(c, s.where, "peer burst");
  }
  st.config.servers.push_back(std::move(s));
}

void Server(Cursor& c, ParseState& st) { HandleAssoc(c, st, AssocKind::kServer); }
void Pool(Cursor& c, ParseState& st) { HandleAssoc(c, st, AssocKind::kPool); }
void Peer(Cursor& c, ParseState& st) { HandleAssoc(c, st, AssocKind::kPeer); }

constexpr std::array<std::string_view, 10> kFudgeOptions = {"time1", "time2", "stratum", "refid",     "flag1",
                                                            "flag2", "flag3", "flag4",   "minjitter", "mode"};

// fudge 127.127.t.u [time1 S] [time2 S] [stratum N] [refid ID] [flagK 0|1] (ntpd refclock options).
void Fudge(Cursor& c, ParseState& st) {
  const Location where = c.Here();
  const auto addr = c.AtEnd() ? std::nullopt : ParseNumericAddress(c.Peek()->text);
  if (!addr || !IsRefclock(*addr)) {
    c.Expected("a refclock address 127.127.t.u after 'fudge'");
    c.SkipRest();
    return;
  }
  c.Next();
  const bool local = addr->bytes()[2] == 1;
  while (!c.AtEnd()) {
    const Token& t = *c.Peek();
    const int errors = c.errors();
    const auto idx = c.Keyword("a 'fudge' option", kFudgeOptions);
    if (!idx) continue;
    const std::string_view opt = kFudgeOptions[*idx];
    if (opt == "stratum") {
      if (auto n = c.Integer("stratum 0..15 after 'stratum'", 0, 15); n && local) {
        st.local_fudge_stratum = static_cast<int>(*n);
        st.local_fudge_where = where;
      }
    } else if (opt == "refid") {
      c.Word("a refid of 1..4 characters after 'refid'");
    } else if (opt.starts_with("flag")) {
      c.Integer(fmt::format("0 or 1 after '{}'", opt), 0, 1);
    } else if (opt == "mode") {
      c.Integer("a number after 'mode'", 0, 1 << 30);
    } else {
      c.Number(fmt::format("seconds after '{}'", opt), -1e6, 1e6);
    }
    // Only 'stratum' means something for LOCAL.
    if (local && c.errors() == errors) ReportOption(c, c.At(t), "fudge", opt);
  }
  if (!local) ReportStatus(c, where, "fudge 127.127.t.u");
}

// NTPsec `refclock NAME [options]`.
void Refclock(Cursor& c, ParseState&) {
  ReportStatus(c, c.At(c.directive()), "refclock");
  c.SkipRest();
}

// `unpeer` is a runtime (ntpq :config) command.
void Unpeer(Cursor& c, ParseState&) {
  c.Word("an address or association id after 'unpeer'");
  c.SkipRest();
  ReportStatus(c, c.At(c.directive()), "unpeer");
}

constexpr std::array<DirectiveSpec, 6> kDirectives = {{
    {"server", Server},
    {"pool", Pool},
    {"peer", Peer},
    {"fudge", Fudge},
    {"refclock", Refclock},
    {"unpeer", Unpeer},
}};

}  // namespace

std::span<const DirectiveSpec> AssocDirectives() { return kDirectives; }

void FinishAssoc(ParseState& st, Diagnostics& diags) {
  if (st.local_refclock) {
    LocalClockConfig local;
    local.where = *st.local_refclock;
    local.driver_unit = st.local_unit;
    if (st.local_fudge_stratum) {
      // The driver's stratum D is served as D + 1; D = 15 would serve 16, "unsynchronized".
      if (*st.local_fudge_stratum > 14) {
        diags.Error(*st.local_fudge_where, fmt::format("expected a LOCAL driver stratum 0..14 (served as stratum + 1), "
                                                       "got '{}'",
                                                       *st.local_fudge_stratum));
        return;
      }
      local.stratum = *st.local_fudge_stratum + 1;
    }
    if (!st.config.local_clock) st.config.local_clock = local;  // `local stratum N` wins
  } else if (st.local_fudge_where) {
    diags.Warning(*st.local_fudge_where, "'fudge 127.127.1.u' without 'server 127.127.1.u' has no effect");
  }
}

}  // namespace tempus::config::internal

// NTPsec's `nts` directive, server side (ntp.conf(5) "NTS Commands"): the NTS-KE server's
// switch, certificate, key and cookie key file, in NTPsec's spellings, several options to a line
// as NTPsec allows (`nts enable mintls TLS1.3`). tempus adds `nts port N` and `nts rotate S`. `nts ca
// FILE` is the client side's: the CA that `server ... nts` lines trust by default.
#include <fmt/format.h>

#include <array>

#include "config/internal/directives.h"

namespace tempus::config::internal {
namespace {

constexpr std::array<std::string_view, 13> kOptions = {"enable",        "disable", "cert",   "key", "cookie",
                                                       "port",          "mintls",  "maxtls", "ca",  "tlsciphersuites",
                                                       "tlsecdhcurves", "aead",    "rotate"};

// A path after `option` into `slot`, warning when it replaces an earlier one.
void Path(Cursor& c, std::string_view option, std::optional<std::string>* slot) {
  const Location where = c.Here();
  const auto path = c.Word(fmt::format("a path after 'nts {}'", option));
  if (!path) return;
  if (path->empty()) return c.Error(where, fmt::format("expected a path after 'nts {}', got ''", option));
  if (*slot && **slot != *path) {
    c.Warning(where, fmt::format("'nts {}' given again; '{}' replaces '{}'", option, *path, **slot));
  }
  *slot = *path;
}

// mintls/maxtls VERSION: RFC 8915 §3 requires TLS 1.3, the only version tempus's NTS-KE speaks.
void TlsVersion(Cursor& c, std::string_view option) {
  const Location where = c.Here();
  const auto v = c.Word(fmt::format("a TLS version after 'nts {}'", option));
  if (v && *v != "TLS1.3" && *v != "TLSv1.3") {
    c.Error(where,
            fmt::format("expected TLS1.3 after 'nts {}' (NTS-KE is TLS 1.3 only, RFC 8915 §3), got '{}'", option, *v));
  }
}

// nts OPTION...
void Nts(Cursor& c, ParseState& st) {
  NtsServerConfig& nts = st.config.nts;
  if (c.AtEnd()) c.Expected("an 'nts' option (enable, disable, cert, key, cookie, ...)");
  while (!c.AtEnd()) {
    const Location where = c.Here();
    const auto idx =
        c.Keyword("an 'nts' option (enable, disable, cert, key, cookie, port, mintls, maxtls, ...)", kOptions);
    if (!idx) continue;
    const std::string_view option = kOptions[*idx];
    switch (*idx) {
      case 0:
        nts.enable = true;
        nts.where = where;
        break;
      case 1: nts.enable = false; break;
      case 2: Path(c, option, &nts.cert); break;
      case 3: Path(c, option, &nts.key); break;
      case 4: Path(c, option, &nts.cookie); break;
      case 5:
        // 0: a port the kernel picks, logged at start (tests).
        if (auto p = c.Integer("a TCP port 0..65535 after 'nts port'", 0, 65535)) nts.port = static_cast<uint16_t>(*p);
        break;
      case 6:
      case 7: TlsVersion(c, option); break;
      case 12:
        if (auto r = c.Integer("a rotation period 0..31536000 s after 'nts rotate' (0: never)", 0, 31536000)) {
          nts.rotate_s = *r;
        }
        break;
      case 8: Path(c, option, &nts.ca); break;
      default:  // tlsciphersuites, tlsecdhcurves, aead: a value, warned about (directive status)
        if (c.Word(fmt::format("a value after 'nts {}'", option))) ReportOption(c, where, "nts", option);
        break;
    }
  }
}

constexpr std::array<DirectiveSpec, 1> kDirectives = {{{"nts", Nts}}};

}  // namespace

std::span<const DirectiveSpec> NtsDirectives() { return kDirectives; }

void FinishNts(ParseState& state, Diagnostics& diags) {
  const NtsServerConfig& nts = state.config.nts;
  if (!nts.enable) return;
  // ntp.conf(5): "When enabled, cert and key are required."
  if (!nts.cert) diags.Error(nts.where, "expected 'nts cert FILE' with 'nts enable', got none");
  if (!nts.key) diags.Error(nts.where, "expected 'nts key FILE' with 'nts enable', got none");
}

}  // namespace tempus::config::internal

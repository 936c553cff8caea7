// Directives tempus parses only to warn about: modes modern daemons dropped (broadcast, manycast,
// multicast, Autokey) and ntpd/NTPsec knobs with no meaning in tempus (mru, setvar, nts, ...).
// Each such line is reported as a warning, never silently ignored.
#include <fmt/format.h>

#include <array>

#include "config/internal/directives.h"

namespace tempus::config::internal {
namespace {

void Dropped(Cursor& c, std::string_view why) {
  c.SkipRest();
  c.Warning(fmt::format("'{}': {}; line ignored", c.directive().text, why));
}

void Broadcast(Cursor& c, ParseState&) {
  if (c.AtEnd()) {
    c.Expected("an address after 'broadcast'");
    return;
  }
  Dropped(c, "broadcast mode was dropped by modern NTP daemons");
}
void Broadcastclient(Cursor& c, ParseState&) { Dropped(c, "broadcast client mode was dropped by modern NTP daemons"); }
void Manycast(Cursor& c, ParseState&) { Dropped(c, "manycast was dropped by modern NTP daemons"); }
void Multicastclient(Cursor& c, ParseState&) { Dropped(c, "multicast client mode was dropped by modern NTP daemons"); }
void Autokey(Cursor& c, ParseState&) { Dropped(c, "Autokey (RFC 5906) was dropped by modern NTP daemons"); }
void Nts(Cursor& c, ParseState&) { Dropped(c, "NTS is not supported by tempus yet"); }
void Unsupported(Cursor& c, ParseState&) { Dropped(c, "parsed but not supported by tempus"); }

constexpr std::array<DirectiveSpec, 25> kDirectives = {{
    {"broadcast", Broadcast},
    {"broadcastclient", Broadcastclient},
    {"broadcastdelay", Broadcastclient},
    {"manycastserver", Manycast},
    {"manycastclient", Manycast},
    {"multicastclient", Multicastclient},
    {"autokey", Autokey},
    {"crypto", Autokey},
    {"revoke", Autokey},
    {"automax", Autokey},
    {"keysdir", Autokey},
    {"ident", Autokey},
    {"nts", Nts},
    {"mru", Unsupported},
    {"nonvolatile", Unsupported},
    {"setvar", Unsupported},
    {"rlimit", Unsupported},
    {"reset", Unsupported},
    {"phone", Unsupported},
    {"mdnstries", Unsupported},
    {"calldelay", Unsupported},
    {"saveconfigdir", Unsupported},
    {"ttl", Unsupported},
    {"trap", Unsupported},
    {"dscp", Unsupported},
}};

}  // namespace

std::span<const DirectiveSpec> LegacyDirectives() { return kDirectives; }

}  // namespace tempus::config::internal

// Directives tempus parses only to warn about: modes modern daemons dropped (broadcast, manycast,
// multicast, Autokey) and ntpd/NTPsec knobs with no meaning in tempus (mru, setvar, ...).
// Each such line is reported as a warning, never silently ignored; the words come from the
// directive status table (config/directive_status.h), as every directive's do (ReportStatus).
#include <fmt/format.h>

#include <array>

#include "base/check.h"
#include "config/directive_status.h"
#include "config/internal/directives.h"

namespace tempus::config::internal {
namespace {

// The whole line is warned about (the directive status table says why) and skipped.
void Dropped(Cursor& c, ParseState&) {
  c.SkipRest();
  ReportStatus(c, c.At(c.directive()), c.directive().text);
}

void Broadcast(Cursor& c, ParseState& st) {
  if (c.AtEnd()) {
    c.Expected("an address after 'broadcast'");
    return;
  }
  Dropped(c, st);
}

constexpr std::array<DirectiveSpec, 24> kDirectives = {{
    {"broadcast", Broadcast},
    {"broadcastclient", Dropped},
    {"broadcastdelay", Dropped},
    {"manycastserver", Dropped},
    {"manycastclient", Dropped},
    {"multicastclient", Dropped},
    {"autokey", Dropped},
    {"crypto", Dropped},
    {"revoke", Dropped},
    {"automax", Dropped},
    {"keysdir", Dropped},
    {"ident", Dropped},
    {"mru", Dropped},
    {"nonvolatile", Dropped},
    {"setvar", Dropped},
    {"rlimit", Dropped},
    {"reset", Dropped},
    {"phone", Dropped},
    {"mdnstries", Dropped},
    {"calldelay", Dropped},
    {"saveconfigdir", Dropped},
    {"ttl", Dropped},
    {"trap", Dropped},
    {"dscp", Dropped},
}};

}  // namespace

std::span<const DirectiveSpec> LegacyDirectives() { return kDirectives; }

void ReportStatus(Cursor& c, const Location& where, std::string_view key) {
  const DirectiveRow* row = FindDirectiveRow(key);
  TEMPUS_CHECK(row != nullptr && row->status != DirectiveStatus::kSupported);
  if (row->status == DirectiveStatus::kError) {
    c.Error(where, DirectiveMessage(*row));
  } else {
    c.Warning(where, DirectiveMessage(*row));
  }
}

void ReportOption(Cursor& c, const Location& where, std::string_view directive, std::string_view option) {
  const std::string key = fmt::format("{} {}", directive, option);
  const DirectiveRow* row = FindDirectiveRow(key);
  if (row != nullptr && row->status != DirectiveStatus::kSupported) ReportStatus(c, where, key);
}

}  // namespace tempus::config::internal

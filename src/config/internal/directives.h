// The directive table of the ntp.conf reader: each family of directives lives in its own file
// (directives_*.cc) and exposes its handlers here. Internal; not thread-safe.
#ifndef TEMPUS_CONFIG_INTERNAL_DIRECTIVES_H_
#define TEMPUS_CONFIG_INTERNAL_DIRECTIVES_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/internal/cursor.h"

namespace tempus::config::internal {

// What the handlers build, plus bookkeeping resolved once the whole file is read.
struct ParseState {
  Config config;
  std::optional<Location> local_refclock;  // `server 127.127.1.u` seen here
  int local_unit = 0;                      // its u
  std::optional<int> local_fudge_stratum;  // `fudge 127.127.1.0 stratum N`
  std::optional<Location> local_fudge_where;
};

// Handles one line whose directive token has been consumed.
using Handler = void (*)(Cursor&, ParseState&);

struct DirectiveSpec {
  std::string_view name;
  Handler handler;
};

std::span<const DirectiveSpec> AssocDirectives();   // server pool peer fudge refclock unpeer
std::span<const DirectiveSpec> AccessDirectives();  // restrict unrestrict interface nic discard limit
std::span<const DirectiveSpec> FileDirectives();    // driftfile leapfile logfile statsdir statistics filegen ...
std::span<const DirectiveSpec> SystemDirectives();  // tos tinker enable disable keys trustedkey ...
std::span<const DirectiveSpec> TempusDirectives();  // clock listen control metrics local makestep pidfile workers
std::span<const DirectiveSpec> NtsDirectives();     // nts (the NTS-KE server)
std::span<const DirectiveSpec> LegacyDirectives();  // broadcast manycast autokey ...: warned

// Applies what needs the whole file (the LOCAL clock and its fudge line).
void FinishAssoc(ParseState& state, Diagnostics& diags);
// Checks what `nts enable` requires of the whole file (a certificate and a key).
void FinishNts(ParseState& state, Diagnostics& diags);

// Reads one path token into `slot` (warning when it replaces an earlier value), then the end.
void ReadPath(Cursor& c, std::optional<std::string>* slot);

// A symmetric key id, 1..65535 (ntp.conf(5) "Authentication Commands").
std::optional<uint32_t> ReadKeyId(Cursor& c, std::string_view what);

// Reports the directive status row `key` (config/directive_status.h) at `where`: a warning for a
// warned row, an error for an error row. REQUIRES: the row exists and is not supported.
void ReportStatus(Cursor& c, const Location& where, std::string_view key);

// Reports the row "<directive> <option>" at `where` when the table says it is warned or an error;
// nothing for a supported option (or one without a row of its own).
void ReportOption(Cursor& c, const Location& where, std::string_view directive, std::string_view option);

}  // namespace tempus::config::internal

#endif  // TEMPUS_CONFIG_INTERNAL_DIRECTIVES_H_

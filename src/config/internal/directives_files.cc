// driftfile, leapfile, logfile, statsdir, statistics, filegen and logconfig (ntp.conf(5)
// "Monitoring Commands" and "Miscellaneous Options"). Paths are kept as written.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "config/internal/directives.h"

namespace tempus::config::internal {
namespace {

constexpr std::array<std::string_view, 9> kStatsNames = {"clockstats", "cryptostats", "loopstats",
                                                         "peerstats",  "protostats",  "rawstats",
                                                         "sysstats",   "timingstats", "usestats"};

// A statistics name; one tempusd does not write is warned about (directive status table).
std::optional<StatsKind> ReadStatsKind(Cursor& c) {
  const Location where = c.Here();
  const auto idx =
      c.Keyword("a statistics name (loopstats, peerstats, clockstats, rawstats, sysstats, protostats, ...)",
                kStatsNames);
  if (!idx) return std::nullopt;
  ReportOption(c, where, c.directive().text, kStatsNames[*idx]);
  return static_cast<StatsKind>(*idx);
}

void Driftfile(Cursor& c, ParseState& st) { ReadPath(c, &st.config.driftfile); }
void Leapfile(Cursor& c, ParseState& st) { ReadPath(c, &st.config.leapfile); }
void Logfile(Cursor& c, ParseState& st) { ReadPath(c, &st.config.logfile); }
void Statsdir(Cursor& c, ParseState& st) { ReadPath(c, &st.config.monitor.statsdir); }

// statistics NAME...
void Statistics(Cursor& c, ParseState& st) {
  if (c.AtEnd()) c.Expected("a statistics name after 'statistics'");
  auto& list = st.config.monitor.statistics;
  while (!c.AtEnd()) {
    const auto kind = ReadStatsKind(c);
    if (kind && std::find(list.begin(), list.end(), *kind) == list.end()) list.push_back(*kind);
  }
}

constexpr std::array<std::string_view, 6> kFileGenOptions = {"file", "type", "link", "nolink", "enable", "disable"};
constexpr std::array<std::string_view, 7> kFileGenTypes = {"none", "pid", "day", "week", "month", "year", "age"};

// filegen NAME [file F] [type T] [link|nolink] [enable|disable]
void Filegen(Cursor& c, ParseState& st) {
  FileGen g;
  g.where = c.At(c.directive());
  const auto kind = ReadStatsKind(c);
  if (!kind) {
    c.SkipRest();
    return;
  }
  g.kind = *kind;
  while (!c.AtEnd()) {
    const auto idx = c.Keyword("a 'filegen' option (file, type, link, nolink, enable, disable)", kFileGenOptions);
    if (!idx) continue;
    switch (*idx) {
      case 0: {
        const Location where = c.Here();
        const auto f = c.Word("a file name after 'file'");
        if (!f) break;
        // ntp.conf(5): no ".." in the name, so it cannot leave the statistics directory.
        if (f->find("..") != std::string::npos || f->find('/') != std::string::npos) {
          c.Error(where, fmt::format("expected a file name without '/' or '..' after 'file', got '{}'", *f));
          break;
        }
        g.file = *f;
        break;
      }
      case 1:
        if (auto t =
                c.Keyword("a file set type (none, pid, day, week, month, year, age) after 'type'", kFileGenTypes)) {
          g.type = static_cast<FileGen::Type>(*t);
        }
        break;
      case 2:
      case 3: g.link = *idx == 2; break;
      default: g.enable = *idx == 4; break;
    }
  }
  st.config.monitor.filegens.push_back(std::move(g));
}

// logconfig [=+-]KEYWORD...: syslog classes; tempus logs by its own rules.
void Logconfig(Cursor& c, ParseState&) {
  if (c.AtEnd()) c.Expected("a log class after 'logconfig'");
  c.SkipRest();
  ReportStatus(c, c.At(c.directive()), "logconfig");
}

constexpr std::array<DirectiveSpec, 7> kDirectives = {{
    {"driftfile", Driftfile},
    {"leapfile", Leapfile},
    {"logfile", Logfile},
    {"statsdir", Statsdir},
    {"statistics", Statistics},
    {"filegen", Filegen},
    {"logconfig", Logconfig},
}};

}  // namespace

std::span<const DirectiveSpec> FileDirectives() { return kDirectives; }

void ReadPath(Cursor& c, std::optional<std::string>* slot) {
  const std::string dir = c.directive().text;
  const Location where = c.Here();
  const auto path = c.Word(fmt::format("a path after '{}'", dir));
  if (!path) return;
  if (path->empty()) {
    c.Error(where, fmt::format("expected a path after '{}', got ''", dir));
    return;
  }
  c.ExpectEnd("end of line after the path (quote a path with spaces)");
  if (*slot && **slot != *path) {
    c.Warning(c.At(c.directive()), fmt::format("'{}' given again; '{}' replaces '{}'", dir, *path, **slot));
  }
  *slot = *path;
}

}  // namespace tempus::config::internal

#include "load_config.h"

#include <cstdio>

#include <fmt/format.h>

#include "config/driftfile.h"
#include "config/file_system.h"
#include "config/parser.h"
#include "config/to_core.h"
#include "io/resolver.h"

namespace tempus::daemon {
namespace {

// Prints every diagnostic; returns how many are errors.
size_t PrintDiagnostics(const std::vector<config::Diagnostic>& diagnostics) {
  size_t errors = 0;
  for (const auto& d : diagnostics) {
    fmt::print(stderr, "{}\n", d.ToString());
    errors += d.is_error() ? 1 : 0;
  }
  return errors;
}

core::NetAddress::Family ToFamily(config::Family f) {
  switch (f) {
    case config::Family::kIPv4: return core::NetAddress::Family::kIPv4;
    case config::Family::kIPv6: return core::NetAddress::Family::kIPv6;
    default: return core::NetAddress::Family::kNone;
  }
}

// The addresses of one server/pool line: a numeric address as is, a name resolved (all of a
// pool's addresses up to `max`, the first of a server's).
std::vector<core::NetAddress> AddressesOf(const config::ServerConfig& s, size_t max) {
  if (s.address) return {*s.address};
  auto resolved = io::Resolver().Resolve(s.host, s.port, ToFamily(s.family));
  if (!resolved || resolved->empty()) {
    fmt::print(stderr, "{}:{}:{}: warning: {}; will not be used\n", s.where.file, s.where.line, s.where.column,
               resolved ? "'" + s.host + "' has no address" : resolved.error());
    return {};
  }
  if (s.kind != config::AssocKind::kPool) resolved->resize(1);
  if (resolved->size() > max) resolved->resize(max);
  return *resolved;
}

}  // namespace

bool LoadConfig(const std::string& path, DaemonOptions* options) {
  config::RealFileSystem fs;
  auto parsed = config::ParseFile(fs, path);
  if (!parsed) {
    const size_t errors = PrintDiagnostics(parsed.error());
    fmt::print(stderr, "tempusd: {}: {} error(s); not starting\n", path, errors);
    return false;
  }
  PrintDiagnostics(parsed->warnings);
  const config::Config& c = parsed->config;

  options->clock_kind = c.clock.kind;
  options->clock.virtual_clock.initial_offset = core::NtpDuration::FromSeconds(c.clock.virtual_offset_s);
  options->clock.virtual_clock.freq_error_ppm = c.clock.virtual_freq_ppm;
  if (!c.listen.empty()) options->listen = c.listen;
  if (c.metrics) options->metrics = c.metrics;
  options->node.system = config::ToSystemConfig(c, options->node.system);
  const size_t max_clock = static_cast<size_t>(c.tos.maxclock.value_or(10));
  for (const auto& s : c.servers) {
    for (const auto& address : AddressesOf(s, max_clock)) {
      options->node.sources.push_back(config::ToAssociationConfig(s, address));
    }
  }
  std::vector<core::NetAddress> source_addresses;
  for (const auto& a : options->node.sources) source_addresses.push_back(a.address);
  options->node.access = config::ToAccessPolicy(c, source_addresses);
  if (c.driftfile) {
    options->driftfile = *c.driftfile;
    auto ppm = config::ReadDriftFile(*c.driftfile);
    if (ppm) {
      options->node.system.discipline.initial_frequency_ppm = *ppm;
      fmt::print(stderr, "tempusd: driftfile {}: {:+.3f} ppm\n", *c.driftfile, *ppm);
    } else {
      fmt::print(stderr, "tempusd: {}\n", ppm.error().message);
    }
  }
  return true;
}

int CheckConfig(const std::string& path) {
  config::RealFileSystem fs;
  auto parsed = config::ParseFile(fs, path);
  if (!parsed) {
    const size_t errors = PrintDiagnostics(parsed.error());
    fmt::print(stderr, "{}: {} error(s)\n", path, errors);
    return 1;
  }
  PrintDiagnostics(parsed->warnings);
  const config::Config& c = parsed->config;
  fmt::print("{}: OK ({} source line(s), {} restrict line(s), {} warning(s); clock {})\n", path, c.servers.size(),
             c.restricts.size(), parsed->warnings.size(), c.clock.kind);
  return 0;
}

}  // namespace tempus::daemon

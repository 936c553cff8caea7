// The simulator's ntp.conf reading: src/config's parser, then node and group names as addresses.
#include "sim/node_config.h"

#include <fmt/format.h>

#include "config/parser.h"
#include "config/to_core.h"

namespace tempus::sim {

Result<engine::NodeConfig, std::vector<std::string>> BuildNodeConfig(const std::vector<ConfigLine>& lines,
                                                                     std::string_view file,
                                                                     const NameResolver& resolve) {
  // Each line goes at its own line number, so diagnostics point into the scenario file.
  std::string text;
  int at = 1;
  for (const auto& l : lines) {
    for (; at < l.line; ++at) text += '\n';
    text += l.text;
    text += '\n';
    ++at;
  }
  auto parsed = config::ParseText(text, std::string(file));
  std::vector<std::string> errors;
  if (!parsed) {
    for (const auto& d : parsed.error()) {
      if (d.is_error()) errors.push_back(d.ToString());
    }
    return Unexpected(std::move(errors));
  }
  const config::Config& c = parsed->config;
  engine::NodeConfig out;
  out.system = config::ToSystemConfig(c, out.system);
  for (const auto& s : c.servers) {
    std::vector<core::NetAddress> addresses;
    if (s.address) {
      addresses.push_back(*s.address);
    } else if (auto named = resolve(s.host)) {
      addresses = *named;
    } else {
      errors.push_back(fmt::format("{}:{}:{}: expected an IP address or the name of a node or group, got '{}'",
                                   s.where.file, s.where.line, s.where.column, s.host));
      continue;
    }
    for (const auto& a : addresses) out.sources.push_back(config::ToAssociationConfig(s, a.WithPort(s.port)));
  }
  if (!errors.empty()) return Unexpected(std::move(errors));
  return out;
}

}  // namespace tempus::sim

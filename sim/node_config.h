// The ntp.conf lines of a simulated node -> engine::NodeConfig.
//
// The lines are read by the real ntp.conf parser (src/config) at their own line numbers, so every
// diagnostic names the scenario file, line and column; `server NAME` may name a simulated node or
// group (every member but the node itself), which becomes one association per address. As with
// tempusd, `peer` lines become client associations (the parser warns). Pure; thread-compatible.
#ifndef TEMPUS_SIM_NODE_CONFIG_H_
#define TEMPUS_SIM_NODE_CONFIG_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"
#include "engine/node.h"

namespace tempus::sim {

// One configuration line of a scenario file, with where it came from.
struct ConfigLine {
  std::string text;
  int line = 0;
};

// The server addresses a name stands for, or nothing if the name is unknown.
using NameResolver = std::function<std::optional<std::vector<core::NetAddress>>(std::string_view name)>;

// Builds the configuration; every error is "FILE:LINE: expected ..., got ..." and all are reported.
[[nodiscard]] Result<engine::NodeConfig, std::vector<std::string>> BuildNodeConfig(const std::vector<ConfigLine>& lines,
                                                                                   std::string_view file,
                                                                                   const NameResolver& resolve);

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_NODE_CONFIG_H_

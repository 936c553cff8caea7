// The ntp.conf lines of a simulated node -> engine::NodeConfig.
//
// A small stand-in, isolated here, until the real ntp.conf parser (src/config) lands; then this
// file becomes a call into it. It understands only what scenarios need:
//   server|pool ADDRESS|NAME [iburst] [burst] [prefer] [noselect] [true] [minpoll N] [maxpoll N]
//   tos orphan N | orphanwait S | minclock N | minsane N | maxclock N | maxdist S
//   local stratum N
//   tinker step S | stepout S | panic S
// NAME is a simulated node or group (every member but the node itself). `peer` is refused: the
// engine has no symmetric mode yet. Pure; thread-compatible.
#ifndef TEMPUS_SIM_NODE_CONFIG_H_
#define TEMPUS_SIM_NODE_CONFIG_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/net_address.h"
#include "core/result.h"
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
[[nodiscard]] Result<engine::NodeConfig, std::vector<std::string>> BuildNodeConfig(
    const std::vector<ConfigLine>& lines, std::string_view file, const NameResolver& resolve);

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_NODE_CONFIG_H_

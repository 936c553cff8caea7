// Prometheus text exposition (format 0.0.4) of a node's state, rendered from its snapshots: the
// system variables, each source, and the server's counters. Names follow Prometheus conventions:
// base units (`_seconds`, `_ratio`), counters end in `_total`. Pure rendering; call it on the
// thread that owns the Node.
#ifndef TEMPUS_OBS_PROMETHEUS_H_
#define TEMPUS_OBS_PROMETHEUS_H_

#include <string>
#include <string_view>

#include "engine/node.h"

namespace tempus::obs {

// The /metrics body for `node`. `version` goes into tempus_build_info.
std::string RenderPrometheus(const engine::Node& node, std::string_view version);

}  // namespace tempus::obs

#endif  // TEMPUS_OBS_PROMETHEUS_H_

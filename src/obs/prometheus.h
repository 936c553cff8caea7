// Prometheus text exposition (format 0.0.4) of a node's state, rendered from its one snapshot
// (core/report/node_snapshot.h, the one mode 6 answers from): the system variables, each source
// (the LOCAL clock among them), the server's and mode 6's counters. Names follow Prometheus
// conventions: base units (`_seconds`, `_ratio`), counters end in `_total`. Pure rendering.
#ifndef TEMPUS_OBS_PROMETHEUS_H_
#define TEMPUS_OBS_PROMETHEUS_H_

#include <string>
#include <string_view>

#include "core/report/node_snapshot.h"

namespace tempus::obs {

// The /metrics body for the node of `snapshot` (engine::Node::Snapshot). `version` goes into
// tempus_build_info.
std::string RenderPrometheus(const core::report::NodeSnapshot& snapshot, std::string_view version);

}  // namespace tempus::obs

#endif  // TEMPUS_OBS_PROMETHEUS_H_

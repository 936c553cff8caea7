#include "core/report/node_snapshot.h"

namespace tempus::core::report {

const SourceSnapshot* NodeSnapshot::Find(uint16_t association_id) const {
  for (const SourceSnapshot& s : sources) {
    if (s.association_id == association_id) return &s;
  }
  return nullptr;
}

const SourceSnapshot* NodeSnapshot::SystemPeerSource() const {
  const SourceSnapshot* peer = system_peer ? Find(*system_peer) : nullptr;
  return peer != nullptr && peer->clock_name.empty() ? peer : nullptr;
}

bool NodeSnapshot::LocalClockPeer() const {
  const SourceSnapshot* peer = system_peer ? Find(*system_peer) : nullptr;
  return peer != nullptr && !peer->clock_name.empty();
}

Counters SysStats(const NodeSnapshot& snapshot) {
  uint64_t accepted = 0;  // replies the NTP sources took: ntpd counts them in ss_processed too
  for (const SourceSnapshot& s : snapshot.sources) {
    if (s.clock_name.empty()) accepted += s.association.stats.accepted;
  }
  const NodeCounters& c = snapshot.counters;
  return SysStats(c.node, c.server, c.control, accepted);
}

}  // namespace tempus::core::report

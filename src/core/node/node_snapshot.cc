// core::node::Node::Snapshot: the one place the node's report::NodeSnapshot is built, for mode 6
// (OnControl), Prometheus, the systemd status line and the logs alike.
#include <algorithm>

#include "core/control/local_clock.h"
#include "core/node/node.h"

namespace tempus::core::node {

using assoc::Association;

report::NodeSnapshot Node::Snapshot(Instant now, std::optional<NtpDuration> system_clock_offset) const {
  report::NodeSnapshot v;
  v.system = system_.Snapshot();
  v.discipline = system_.discipline_state();
  v.system_offset = system_.offset();
  v.system_jitter = system_.jitter();
  v.system_poll = system_.RecommendedPoll();
  v.refusal = system_.refusal();
  v.panic_offset = system_.panic_offset();
  v.orphan_parent = system_.orphan_parent();
  if (last_peer_ && *last_peer_ <= 0xffff) v.system_peer = static_cast<uint16_t>(*last_peer_);
  const std::vector<system::SourceView> sources = system_.Sources();
  for (const auto& [id, a] : assocs_) {
    if (id > 0xffff) break;
    v.sources.push_back(SourceOf(id, *a, sources));
    if (auto it = nts_.find(id); it != nts_.end()) v.sources.back().nts = it->second;
  }
  // The LOCAL clock is a source like the others (ntpd's LOCAL driver), in association id order.
  if (local_id_ && *local_id_ <= 0xffff && config_.system.local_stratum > 0) {
    const auto id = static_cast<uint16_t>(*local_id_);
    const bool peer = system_.local_clock_peer();
    if (peer) v.system_peer = id;
    const control::LocalClockInput local{id,      config_.system.local_unit,    config_.system.local_stratum,
                                         peer,    system_.Snapshot().precision, start_,
                                         now.mono};
    auto at = std::find_if(v.sources.begin(), v.sources.end(), [id](const auto& p) { return p.association_id > id; });
    v.sources.insert(at, control::LocalClockSnapshot(local));
  }
  v.counters = {counters_, server_.stats(), control_.stats(), steps_, host_nts_server_};
  v.counters.node.Add(host_counters_);
  v.counters.server.Add(host_server_stats_);
  v.system_clock_offset = system_clock_offset;
  v.start = start_;
  v.now = now.mono;
  v.clock_now = now.local.ToNtp();
  if (const auto& table = system_.leap_table(); table && !table->entries.empty()) {
    v.leap_table = report::LeapView{LeapStatusAt(*table, NtpSecondsOf(now.local)).tai_utc,
                                    table->entries.back().ntp_seconds, table->expires};
  }
  v.local_address = config_.self_address;
  v.version = config_.version;
  return v;
}

report::SourceSnapshot Node::SourceOf(uint32_t id, const Association& a,
                                      const std::vector<system::SourceView>& sources) {
  report::SourceSnapshot p;
  p.association_id = static_cast<uint16_t>(id);
  p.association = a.Snapshot();
  for (const auto& s : sources) {
    if (s.id == id) p.source = s;
  }
  return p;
}

}  // namespace tempus::core::node

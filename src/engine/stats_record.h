// Records for ntpd-style statistics files (ntp.conf `statistics peerstats loopstats`): what a
// Node reports after each accepted clock-filter output and each clock update, stamped with its
// own clock. Plain values; the Node hands them to an observer (obs/stats_files.h writes them).
// Thread-compatible.
#ifndef TEMPUS_ENGINE_STATS_RECORD_H_
#define TEMPUS_ENGINE_STATS_RECORD_H_

#include <cstdint>
#include <functional>
#include <variant>

#include "core/node/actions.h"

namespace tempus::engine {

// The records are the core's (core/node/actions.h), stamped with the node's own clock.
using PeerStatsRecord = core::node::PeerStatsRecord;
using LoopStatsRecord = core::node::LoopStatsRecord;

using StatsRecord = std::variant<PeerStatsRecord, LoopStatsRecord>;
// Called on the Node's thread, in the order the events happened.
using StatsObserver = std::function<void(const StatsRecord&)>;

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_STATS_RECORD_H_

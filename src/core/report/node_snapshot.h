// core::report::NodeSnapshot: the one plain-value picture of a node (as chrony's reports.h) that
// every reader of its state reads: mode 6 (core::control::HandleControl), Prometheus
// (obs/prometheus.h), the systemd status line and the daemon's log summary. It is built in one
// place, core::node::Node::Snapshot (node_snapshot.cc there), from the System, every source (the
// NTP associations and the LOCAL clock alike) and the counters of each part, so that `ntpq rv`,
// `ntpq -p` and /metrics cannot disagree. It lives here, below core/control and core/node, because
// both read it (core/control may not include core/node). Value types; thread-compatible.
#ifndef TEMPUS_CORE_REPORT_NODE_SNAPSHOT_H_
#define TEMPUS_CORE_REPORT_NODE_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/assoc/association_snapshot.h"
#include "core/discipline/discipline.h"
#include "core/net/net_address.h"
#include "core/report/counters.h"
#include "core/server/drop_reason.h"
#include "core/system/snapshot.h"
#include "core/system/system.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_timestamp.h"
#include "core/time/poll_exp.h"

namespace tempus::core::report {

// An NTS association's state (`server HOST nts`, RFC 8915), as its host (tempusd's NtsSources,
// which runs NTS-KE and judges the replies before the core sees them) reports it to the Node.
struct NtsSourceState {
  size_t cookies = 0;               // cookies held (each is sent once, §5.7)
  std::string ke_server;            // the NTS-KE server, HOST:PORT as configured
  std::optional<MonoTime> last_ke;  // the last successful NTS-KE
  uint64_t ke_ok = 0;               // successful NTS-KE exchanges
  uint64_t ke_failed = 0;           // failed ones
  std::string last_failure;         // the last failure's reason (io::NtsKeErrorName); empty once one succeeds
  uint64_t requests = 0;            // NTS-protected requests sent
  uint64_t accepted = 0;            // replies authenticated
  uint64_t dropped = 0;             // replies that did not authenticate (NAKs among them)
};

// One source (an NTP association, or the LOCAL clock as ntpd's LOCAL driver) as every reader
// shows it.
struct SourceSnapshot {
  uint16_t association_id = 0;  // stable for the source's life
  assoc::AssociationSnapshot association;
  std::optional<system::SourceView> source;  // the System's view (tally, filter output)
  // A reference clock's name, "LOCAL(0)" (control/local_clock.h): mode 6 sends it as srchost,
  // which ntpq shows in place of the 127.127.t.u address (type `l`). Empty for NTP sources.
  std::string clock_name;
  std::optional<NtsSourceState> nts;  // an NTS association's state; absent for the others
};

// The NTS server's counts that only its host holds (tempusd's NTS-KE server and the cookie codec
// over its keys), reported by it (core::node::Node::SetNtsServerCounts). Mode 6 sends them as
// NTPsec's ntsinfo variables (control/nts_variables.h); the NTP port's NTS outcomes are the
// Server's own (ServerStats).
struct NtsServerCounts {
  uint64_t ke_answered = 0;          // NTS-KE requests answered
  uint64_t ke_failed = 0;            // NTS-KE connections dropped unanswered (TLS, time, size, capacity, ...)
  uint64_t cookies_made = 0;         // cookies sealed: in NTS-KE responses and in NTS replies
  uint64_t cookies_current = 0;      // cookies opened with the current key
  uint64_t cookies_previous = 0;     // cookies opened with the previous key (rotated out, still accepted)
  uint64_t cookies_unknown_key = 0;  // cookies of a key the server no longer (or never) had
  uint64_t cookies_bad = 0;          // cookies of a known key that did not open (forged, tampered, bad size)
};

// What ntpd's mode 6 shows of its leap table (tai=, leapsec=, expire=), NTP seconds.
struct LeapView {
  int tai_utc = 0;        // TAI-UTC in effect now
  int64_t last_leap = 0;  // the table's last transition (ntpd's lsig.ttime)
  int64_t expires = 0;    // the table's expiry (lsig.etime)
};

// Every counter of the node, each counted once by the part that decides it (counters.h).
struct NodeCounters {
  Counters node;               // datagrams by version, the sources' bad MACs
  server::ServerStats server;  // the time server's outcomes, by reason
  ControlStats control;        // mode 6's outcomes, by reason
  uint64_t steps = 0;          // clock steps commanded
  NtsServerCounts nts_server;  // the host's NTS-KE server and cookie keys (zero without `nts enable`)
};

struct NodeSnapshot {
  system::SystemSnapshot system;
  discipline::DisciplineState discipline;
  NtpDuration system_offset;                         // System::offset(): combined offset of the last selection
  NtpDuration system_jitter;                         // System::jitter()
  PollExp system_poll;                               // System::RecommendedPoll()
  system::Refusal refusal = system::Refusal::kNone;  // System::refusal()
  std::optional<NtpDuration> panic_offset;           // System::panic_offset()
  std::optional<uint16_t> system_peer;               // association id of the system peer (a source or LOCAL)
  bool orphan_parent = false;                        // System::orphan_parent()
  std::vector<SourceSnapshot> sources;               // by association id, ascending, the LOCAL clock among them
  NodeCounters counters;
  MonoTime start;                           // when the node started
  MonoTime now;                             // monotonic now
  NtpTimestamp clock_now;                   // the node's clock now (clock=, and to place rec=)
  std::optional<NetAddress> local_address;  // dstadr
  std::string version = "tempusd";          // version=
  std::string processor;                    // processor= (omitted when empty)
  std::string system_name;                  // system= (omitted when empty)
  std::optional<LeapView> leap_table;       // tai=, leapsec=, expire= (omitted without a leapfile)
  // clock observe: the time served minus the uncorrected system clock (positive: the system clock
  // is behind), read by the host when it asks for the snapshot. Absent for the other clocks.
  std::optional<NtpDuration> system_clock_offset;

  // The source with this id; null when there is none.
  const SourceSnapshot* Find(uint16_t association_id) const;
  // The system peer when it is an NTP source (not the LOCAL clock); null otherwise.
  const SourceSnapshot* SystemPeerSource() const;
  // Whether the LOCAL clock is the system peer.
  bool LocalClockPeer() const;
};

// ntpq's sysstats (counters.h SysStats) of `snapshot`'s counters; the replies its sources took
// count in ss_processed.
Counters SysStats(const NodeSnapshot& snapshot);

}  // namespace tempus::core::report

#endif  // TEMPUS_CORE_REPORT_NODE_SNAPSHOT_H_

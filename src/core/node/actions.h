// What a core::node::Node asks its host to do: the output of every Node call, as a flat list of
// values carried out in order (the engine visits NodeAction with std::visit, so that no kind can be left out):
// send a packet, answer a datagram, apply a clock command, write a statistics record, tell the
// operator an event.
// The Node reads no clock: the host reads it once per event and passes it in (core/time/instant.h);
// timers are NextDeadline(). Events are plain values (the host words them: engine/node_log.cc).
// Value types; thread-compatible.
#ifndef TEMPUS_CORE_NODE_ACTIONS_H_
#define TEMPUS_CORE_NODE_ACTIONS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "core/discipline/clock_command.h"
#include "core/net/net_address.h"
#include "core/system/refusal.h"
#include "core/time/ntp_duration.h"
#include "core/time/unix_time.h"
#include "core/wire/packet.h"

namespace tempus::core::node {

// A request (client mode 3) or symmetric (mode 1/2) packet of source `source` to its address.
// With `sign_key`, the host appends that key's MAC (RFC 5905 §7.3) before sending.
struct SendPacket {
  std::array<uint8_t, kHeaderSize> bytes{};
  NetAddress to;
  uint32_t source = 0;
  std::optional<uint32_t> sign_key;
};

// An answer to a datagram the node received (RFC 5905 §9.2: a time reply, a RATE kiss-o'-death, a
// crypto-NAK, a mode 2 reply to an unknown peer; RFC 9327: a mode 6 response), to `to`, sent from
// `local` when known (the address the datagram came to). Never longer than what it answers, the
// MAC the host appends included (core/server/server.h).
struct Reply {
  std::span<const uint8_t> bytes;  // owned by the Node: valid until its next call
  NetAddress to;
  std::optional<NetAddress> local;
  // The host writes the transmit time (T3, StampTransmit) from a clock read right before sending,
  // as late as possible; false for a kiss-o'-death or a mode 6 response (no time of ours).
  bool restamp = false;
  // Then the host appends the MAC by this key (key id + digest): the key of the request's valid MAC.
  std::optional<uint32_t> sign_key;
};

// Carry out a command of the discipline on the node's clock.
struct ApplyClock {
  discipline::ClockCommand command;
};

// One peerstats line (`statistics peerstats`): a source's new peer variables (RFC 5905 §10)
// after its clock filter. Built only while the host asks for statistics (Node::SetStatsWanted).
struct PeerStatsRecord {
  UnixTime when;           // the node's clock when it was recorded (before the update's commands)
  NetAddress address;      // the source
  uint16_t status = 0;     // its peer status word (RFC 9327 §2.4.2), as ntpq shows it
  NtpDuration offset;      // θ; positive: the source is ahead of us
  NtpDuration delay;       // δ
  NtpDuration dispersion;  // ε
  NtpDuration jitter;      // ψ
};

// One loopstats line: the discipline's state after a clock update.
struct LoopStatsRecord {
  UnixTime when;             // the node's clock after the update
  NtpDuration offset;        // the offset the update corrected; positive: the clock was behind
  double frequency_ppm = 0;  // frequency correction in effect
  NtpDuration jitter;        // clock jitter
  double wander_ppm = 0;     // frequency wander
  int time_constant = 0;     // the poll exponent the discipline recommends (ntpd's sys_poll)
};

// Events worth telling an operator; each once, when it happens.
struct SourceReachable {
  NetAddress address;
  bool reachable = false;  // became reachable, or unreachable (eight polls unanswered)
};
struct SourceDropped {
  NetAddress address;
  KissCode kiss = KissCode::kNone;  // DENY or RSTR; kNone: a passive peer that became unreachable
};
struct PassivePeerMobilized {
  NetAddress address;
  std::optional<uint32_t> key;
};
struct ClockStepped {
  NtpDuration step;
  std::optional<NtpDuration> beyond_panic;  // the threshold it exceeded (allowed once at start)
};
// The system peer changed: a source, the local clock (LOCAL(unit), serving `local_stratum`), or none.
struct SystemPeerChanged {
  std::optional<NetAddress> source;
  std::optional<int> local_unit;
  int local_stratum = 0;
  bool orphan_parent = false;  // with neither: this node became the orphan parent
};
// The node began or stopped serving as synchronized (stratum < 16): what a cold start of a tiered
// cluster waits for at each tier (issue 13).
struct ServingChanged {
  bool synchronized = false;
  int stratum = 16;
};
// A source found to be a timing loop for the first time: never selected.
struct LoopFound {
  NetAddress address;
  bool own_address = false;  // one of this node's own addresses (not polled); else synchronized to us
};
// A source's refusal appeared or changed (RefusalLog decided it is worth a line).
struct SourceRefused {
  NetAddress address;
  system::Refusal refusal = system::Refusal::kNone;
  std::optional<NtpDuration> root_distance;  // with kDistance: the distance, and ...
  NtpDuration max_distance;                  // ... the limit (tos maxdist)
};
// Why the system follows no source, when that appeared or changed.
struct SystemRefused {
  system::Refusal refusal = system::Refusal::kNone;
  std::optional<NtpDuration> panic_offset;  // with kPanic
  NtpDuration panic_threshold;
  bool panic_allowed_at_start = false;
  int min_sane = 0;  // with kTooFewSources
};
// An unauthenticated symmetric active packet from an address without a `peer` line (logged once
// per source: OncePerSource).
struct UnauthenticatedPeer {
  NetAddress address;
  bool answered = false;    // with a mode 2 reply
  uint64_t suppressed = 0;  // further sources not told (rate)
};

using NodeEvent = std::variant<SourceReachable, SourceDropped, PassivePeerMobilized, ClockStepped, SystemPeerChanged,
                               LoopFound, SourceRefused, SystemRefused, UnauthenticatedPeer, ServingChanged>;

using NodeAction = std::variant<SendPacket, Reply, ApplyClock, PeerStatsRecord, LoopStatsRecord, NodeEvent>;

// The list a Node call returns; reused from call to call (no allocation once it has grown).
using NodeActions = std::vector<NodeAction>;

}  // namespace tempus::core::node

#endif  // TEMPUS_CORE_NODE_ACTIONS_H_

// engine::Node: one NTP node (client of its sources and server to its clients) as I/O glue
// around the pure core::node::Node, with a Clock and a Transport. The same Node runs in tempusd
// (UDP sockets, system, observe or virtual clock) and in the simulator (simulated network and
// clocks).
//
// For each event (a datagram, a timer, a reload) it reads the clock once (Clock::Read), passes
// that Instant to the core, and carries out the actions the core returns, in order (std::visit):
// packets are signed (KeyRing) and sent, clock commands applied, statistics records handed to the
// observer, events worded into log lines (node_log.cc), replies restamped, signed and sent
// (reply.h FinishReply). Every datagram goes to the core (core::node::Node::OnDatagram), which
// routes it by mode: to an association, the core's Server or its ControlServer. Everything runs
// on the host's one timing thread; not thread-safe.
#ifndef TEMPUS_ENGINE_NODE_H_
#define TEMPUS_ENGINE_NODE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "core/assoc/association.h"
#include "core/control/control.h"
#include "core/node/node.h"
#include "core/system/system.h"
#include "engine/auth.h"
#include "engine/clock.h"
#include "engine/nts_client.h"
#include "engine/reply.h"
#include "engine/stats_record.h"
#include "engine/transport.h"

namespace tempus::engine {

// core::node::NodeConfig plus what only the edge holds: the symmetric keys (`keys` file,
// `trustedkey`). A source with a key id signs its requests and takes only replies with a valid MAC
// by that key; the server answers MACs (the core decides, the edge signs: FinishReply).
struct NodeConfig : core::node::NodeConfig {
  std::vector<AuthKey> keys;
};

// Authentication outcomes of the client side, across all sources (the per-source counts are the
// associations' kAuthFailed/kCryptoNak rejects).
struct AuthStats {
  uint64_t requests_signed = 0;    // requests sent with a MAC
  uint64_t unsigned_requests = 0;  // requests of a keyed source sent without MAC (key unknown/untrusted)
};

// One event worth telling an operator (sync gained or lost, step, source unreachable...).
using NodeLog = std::function<void(const std::string& message)>;

class Node {
 public:
  // `clock`, `transport` and `random` must outlive the Node.
  Node(const NodeConfig& config, Clock& clock, Transport& transport, Random& random, NodeLog log = {});
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Applies the driftfile frequency and starts polling every source (first requests go out now).
  void Start();
  // A datagram for this node, received at `rx_realtime` (kernel CLOCK_REALTIME, or the
  // simulator's true time), which the Node maps with Clock::FromKernelRealtime. `local` is the
  // address and port it was sent to, when known: replies leave from there. `route` is the host's
  // opaque token for the way back (Transport::Outgoing::route), handed to the transport with a
  // reply served in a batch; 0: none.
  // Inline: in a batch, a plain time request takes ServeInBatch's one call.
  void OnDatagram(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                  const std::optional<core::NetAddress>& local = std::nullopt, uint64_t route = 0) {
    if (batch_ && ServeInBatch(bytes, from, rx_realtime, local, route)) return;
    Dispatch(bytes, from, rx_realtime, local);
  }
  // A batch: the datagrams one wake-up of the loop (or one recvmmsg) received. Between BeginBatch
  // and EndBatch, OnDatagram reads no clock: all take the one reading of BeginBatch
  // (Clock::ReadBatch, which also maps their kernel receive stamps), and the time replies wait.
  // EndBatch stamps them (T3) from one more reading, signs them, and hands them to the transport
  // at once (Transport::SendBatch). Requests to sources, mode 6 responses and clock commands are
  // carried out at once, as outside a batch (a clock command sends the waiting replies first and
  // reads the clock again). Not nested.
  void BeginBatch();
  void EndBatch();
  // Runs everything due at the clock's monotonic now.
  void OnTimer();
  // When OnTimer should run next.
  core::MonoTime NextDeadline() const { return core_.NextDeadline(); }
  // Whether NextDeadline may have moved since the last call: false when every datagram since was
  // a time request served in a batch (ServeInBatch), which moves no deadline, so that a host's
  // wake-up that only served requests need not ask NextDeadline again. Clears the flag.
  bool TakeDeadlineMayHaveMoved() { return std::exchange(deadline_may_have_moved_, false); }

  // Mobilizes a new association (e.g. after a configuration reload, or a pool's replacement
  // address); once started, its first request goes out now. Returns its id, or the reason the
  // configuration is invalid. An address that already has an association is refused.
  [[nodiscard]] Result<uint32_t, std::string> AddSource(const core::assoc::AssociationConfig& source);
  // Demobilizes association `id`: its state, timer and place in selection go. False when unknown.
  bool RemoveSource(uint32_t id);
  // The NTS state of association `id`, reported by the host after each change
  // (core::node::Node::SetNtsState): mode 6 and every snapshot show it with the source.
  void SetNtsState(uint32_t id, core::report::NtsSourceState state) { core_.SetNtsState(id, std::move(state)); }

  // Replaces the leap table (the reread `leapfile`, or none) and brings the LI up to date now.
  void SetLeapTable(std::optional<core::LeapTable> table);
  // Reload setters: each replaces one part of the configuration at once and keeps every
  // association and its state. The restrict rules and rate limits of the server path and mode 6:
  void SetAccessPolicy(const core::server::AccessPolicy& access);
  // The symmetric keys (`keys` file, `trustedkey`); keyed sources sign and check with them next.
  void SetKeys(std::vector<AuthKey> keys);
  // NTS on the NTP port (core::node::Node::SetNts): both must outlive the Node; null: off.
  void SetNts(const core::nts::CookieCodec* cookies, const core::nts::Aead* aead) { core_.SetNts(cookies, aead); }
  // The NTS client of the associations with AssociationConfig::nts (nts_client.h); must outlive
  // the Node. Without one, such an association sends nothing.
  void SetNtsClient(NtsClient* client) { nts_client_ = client; }
  // Selection, orphan and local-clock settings (System::SetTunables); selection runs again now.
  void SetSystemTunables(const core::system::SystemConfig& config);

  const core::system::System& system() const { return core_.system(); }
  // The core's time server: its counters, restrict rules and the snapshot it answers from.
  const core::server::Server& server() const { return core_.server(); }
  // The associations, by id (ids are 1, 2, ... in configuration order).
  const std::map<uint32_t, std::unique_ptr<core::assoc::Association>>& associations() const {
    return core_.associations();
  }
  uint64_t packets_sent() const { return packets_sent_; }
  // The server's restrict rules and rate limits in force (the configuration's, or a reload's).
  const core::server::AccessPolicy& access() const { return config_.access; }
  // Whether the node answers time requests (NodeConfig::serve).
  bool serves() const { return config_.serve; }
  // The totals of the servers beside this node (core::node::Node::SetHostCounters).
  void SetHostCounters(const core::report::Counters& node, const core::server::ServerStats& server) {
    core_.SetHostCounters(node, server);
  }
  // Where the host's NTS server counts come from (core::node::Node::SetNtsServerCounts): asked only
  // when a snapshot is built (a mode 6 request, Snapshot()), never on the time-request path.
  void SetNtsServerCounts(std::function<core::report::NtsServerCounts()> counts) {
    nts_server_counts_ = std::move(counts);
  }
  // The node now as plain values (core::node::Node::Snapshot, one clock read), the one picture mode 6
  // answers from and Prometheus, the status line and log summaries render; with clock observe, the
  // uncorrected system clock's offset (Clock::SystemClockOffset) included. Association ids are the
  // ids above.
  core::report::NodeSnapshot Snapshot();
  uint64_t steps() const { return core_.steps(); }
  // Passive associations mobilized by peers that exist now, and ever.
  size_t ephemeral_count() const { return core_.ephemeral_count(); }
  uint64_t ephemeral_mobilized() const { return core_.ephemeral_mobilized(); }
  const AuthStats& auth_stats() const { return auth_stats_; }
  const KeyRing& keys() const { return keys_; }
  // Receives a record after every accepted clock-filter output (peerstats) and clock update
  // (loopstats); none are built while no observer is set.
  void SetStatsObserver(StatsObserver observer);

 private:
  // Carries out the core's actions of the event that began at `now`, in order.
  void Carry(const core::node::NodeActions& actions);
  void Send(const core::node::SendPacket& send);
  // An NTS association's request, wrapped by the NtsClient (none: not sent).
  void SendNts(const core::node::SendPacket& send);
  void SendReply(const core::node::Reply& reply);
  // OnDatagram for any datagram but one ServeInBatch took: to the core (core::node::Node::OnDatagram).
  void Dispatch(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                const std::optional<core::NetAddress>& local);
  // In a batch, a plain time request straight to the core's Server (core::node::Node::TryServe),
  // its reply encoded into the next waiting slot: no NodeActions, no copy. False: not one.
  bool ServeInBatch(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                    const std::optional<core::NetAddress>& local, uint64_t route);
  // Sends the replies waiting in the batch (node_batch.cc).
  void FlushReplies();
  // Applies a clock command; in a batch, after sending the waiting replies, then reads anew.
  void ApplyClock(const core::discipline::ClockCommand& command);
  void Log(const std::string& message) const;
  // Warns about a source whose key cannot sign (ntpd goes on too; its replies fail test 5).
  void WarnUnusableKey(const core::assoc::AssociationConfig& source) const;

  NodeConfig config_;
  Clock& clock_;
  Transport& transport_;
  NodeLog log_;
  StatsObserver stats_observer_;
  KeyRing keys_;
  core::node::Node core_;
  uint64_t packets_sent_ = 0;
  AuthStats auth_stats_;
  NtsClient* nts_client_ = nullptr;
  std::function<core::report::NtsServerCounts()> nts_server_counts_;  // SetNtsServerCounts
  bool deadline_may_have_moved_ = true;                               // TakeDeadlineMayHaveMoved
  // The batch (BeginBatch): its reading, and the replies waiting for EndBatch.
  struct Waiting {
    std::array<uint8_t, core::server::kReplyCapacity> bytes;
    size_t size;
    core::NetAddress to;
    std::optional<core::NetAddress> local;
    bool restamp;
    std::optional<uint32_t> sign_key;
    uint64_t route;  // OnDatagram's
  };
  static constexpr size_t kMaxWaiting = 64;
  std::optional<Clock::BatchReading> batch_;
  std::array<Waiting, kMaxWaiting> waiting_;  // the first waiting_count_ are in use
  size_t waiting_count_ = 0;
  std::array<Transport::Outgoing, kMaxWaiting> outgoing_;
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_NODE_H_

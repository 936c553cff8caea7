// core::node::Node: one NTP node's client side as pure code: its sources (associations and the
// local clock), the System they feed, and the coordination between them that RFC 5905 leaves to
// the host (§9-§13): measurements go to the System, the System's poll advice, start-up state,
// snapshot and clock steps go back to every association, passive associations come and go.
//
// The host (engine::Node in the daemon and the simulator, or a test) reads its clock once per
// event and passes that Instant in; it carries out the returned actions (actions.h) in order and
// calls OnTimer when NextDeadline() comes. Within one event the Node moves its copy of the local
// time by any step it commands, so later work of the same event sees the stepped clock, as the
// host's next read will. Nothing here reads a clock, touches a socket or a file, or computes a
// MAC (through Authenticator only); the same Node runs in tempusd, in `tempus sim` and in tests.
// Not thread-safe: one timing thread drives a Node.
#ifndef TEMPUS_CORE_NODE_NODE_H_
#define TEMPUS_CORE_NODE_NODE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "core/assoc/association.h"
#include "core/control/control.h"
#include "core/node/actions.h"
#include "core/node/node_config.h"
#include "core/node/once_per_source.h"
#include "core/node/refusal_log.h"
#include "core/random.h"
#include "core/result.h"
#include "core/system/system.h"
#include "core/time/instant.h"
#include "core/wire/auth.h"

namespace tempus::core::node {

// Why AddSource refused a source.
struct SourceError {
  enum class Kind : uint8_t { kInvalid, kDuplicate };
  NetAddress address;
  Kind kind = Kind::kInvalid;
  AssociationConfigError invalid{};  // with kInvalid
};

class Node {
 public:
  // `random` and `auth` (may be null: no keys) must outlive the Node. `precision_log2` is the
  // host clock's precision. Sources of `config` that are invalid are left out (rejected()).
  Node(const NodeConfig& config, Random& random, const Authenticator* auth, int precision_log2, MonoTime start);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Applies the driftfile frequency and starts polling every source (first requests go out now).
  const NodeActions& Start(Instant now);
  // Runs everything due at `now`.
  const NodeActions& OnTimer(Instant now);
  // A server reply (mode 4) or symmetric packet (mode 1/2) from `from`, received at `rx` on the
  // node's time scale. Taken by the association at `from`; anything else is ignored (see
  // RouteSymmetric for the host's server path).
  const NodeActions& OnPacket(std::span<const uint8_t> bytes, const NetAddress& from, UnixTime rx, Instant now);

  // Where a symmetric packet from `from` goes: its symmetric association (OnPacket), the server
  // path (an association in client mode: the host drops and counts it), or a new peer.
  enum class SymmetricRoute : uint8_t { kAssociation, kNotSymmetric, kNewPeer };
  SymmetricRoute RouteSymmetric(const NetAddress& from) const;
  // A new peer admitted by the server path (core::server::AdmitPassive): mobilizes its passive
  // association with `config`, takes `bytes` (MAC verified by config.key_id) and answers at once.
  const NodeActions& MobilizePassive(std::span<const uint8_t> bytes, const AssociationConfig& config, UnixTime rx,
                                     Instant now);
  // A mode 1 packet that may not mobilize for want of a valid MAC: an event once per source.
  const NodeActions& OnUnauthenticatedPeer(const NetAddress& from, bool answered, Instant now);

  // Mobilizes a new association (a reload, a pool's replacement address); once started, its first
  // request goes out now (actions()). An address that already has an association is refused; a
  // passive one there is replaced.
  [[nodiscard]] Result<uint32_t, SourceError> AddSource(const AssociationConfig& source, Instant now);
  // Demobilizes association `id`; selection runs again (actions()). False when unknown.
  bool RemoveSource(uint32_t id, Instant now);
  // Replaces the leap table and brings the LI up to date (actions()).
  void SetLeapTable(std::optional<LeapTable> table, Instant now);
  // Selection, orphan and local-clock settings (System::SetTunables); selection runs again now.
  void SetSystemTunables(const system::SystemConfig& config, Instant now);
  // Whether the host wants PeerStatsRecord/LoopStatsRecord actions (statistics files).
  void SetStatsWanted(bool wanted) { stats_wanted_ = wanted; }

  // The actions of the last call.
  const NodeActions& actions() const { return actions_; }
  // When OnTimer should run next.
  MonoTime NextDeadline() const;

  // The view the control protocol (mode 6) answers from, at `now`; the host adds what only it
  // knows (counters of its paths, the clock's system offset, its version string).
  control::NodeView View(Instant now) const;
  const system::System& system() const { return system_; }
  // The associations, by id (ids are 1, 2, ... in configuration order; the local clock takes one).
  const std::map<uint32_t, std::unique_ptr<Association>>& associations() const { return assocs_; }
  // Sources of the configuration that were left out, and why.
  const std::vector<SourceError>& rejected() const { return rejected_; }
  uint64_t steps() const { return steps_; }
  size_t ephemeral_count() const { return ephemeral_.size(); }
  uint64_t ephemeral_mobilized() const { return ephemeral_mobilized_; }
  // Mode 6 sysstats counters kept on this side (datagrams received by version, bad MACs).
  void CountReceived(std::span<const uint8_t> bytes);
  const control::Counters& counters() const { return counters_; }
  control::Counters& counters() { return counters_; }
  // Incremented whenever the System's snapshot changed (the host republishes it to the server).
  uint64_t snapshot_serial() const { return snapshot_serial_; }
  const NodeConfig& config() const { return config_; }

 private:
  const NodeActions& Begin(Instant now);
  // Polls the sources that are due, and runs the System's tick when due.
  void RunDue();
  void Carry(uint32_t id, const AssocActions& actions);
  void Apply(const system::SystemUpdate& update);
  void PropagatePoll();
  void UpdateQuiet(uint32_t id);
  void Event(NodeEvent event) { actions_.emplace_back(std::move(event)); }
  void TellSystemPeer();
  void TellRefusals(bool always);
  void ReportSamples(const system::SystemUpdate& update);
  Result<uint32_t, SourceError> Mobilize(uint32_t id, const AssociationConfig& source);
  bool Remove(uint32_t id);
  void ReapRetired();
  bool IsOwnAddress(const NetAddress& address) const;
  control::PeerView PeerViewOf(uint32_t id, const Association& a, const std::vector<system::SourceView>& sources) const;

  NodeConfig config_;
  Random& random_;
  const Authenticator* auth_;
  const int precision_log2_;
  system::System system_;
  NodeActions actions_;
  Instant now_;  // the current event's time (moved by the steps it commands)
  std::map<uint32_t, std::unique_ptr<Association>> assocs_;
  std::map<uint32_t, MonoTime> deadlines_;
  std::map<NetAddress, uint32_t> by_address_;
  std::set<uint32_t> ephemeral_;      // ids of passive associations mobilized by peers
  std::set<uint32_t> self_;           // ids of associations at one of our own addresses: never polled
  std::optional<uint32_t> local_id_;  // the local clock's id (mode 6), when configured
  std::vector<uint32_t> retired_;     // ephemeral ids to remove once the current event is done
  std::vector<SourceError> rejected_;
  OncePerSource unauthenticated_told_;
  RefusalLog refusal_log_;
  uint64_t refusal_changes_seen_ = 0;
  uint64_t ephemeral_mobilized_ = 0;
  MonoTime next_tick_;
  PollExp system_poll_;
  bool startup_ = false;  // the associations were told the clock is not synchronized yet
  std::optional<uint32_t> last_peer_;
  bool last_local_ = false;  // the local clock was the system peer at the last update
  bool serving_synchronized_ = false;  // the snapshot of the last ServingChanged
  uint32_t next_id_ = 1;
  bool started_ = false;
  bool stats_wanted_ = false;
  uint64_t steps_ = 0;
  uint64_t snapshot_serial_ = 0;
  MonoTime start_;
  control::Counters counters_;
};

}  // namespace tempus::core::node

#endif  // TEMPUS_CORE_NODE_NODE_H_

// engine::Node: one NTP node (client of its sources and server to its clients) driving the pure
// core with a Clock and a Transport. The same Node runs in tempusd (UDP sockets, system, observe
// or virtual clock) and in the simulator (simulated network and clocks).
//
// The host delivers datagrams with OnDatagram and calls OnTimer when NextDeadline() comes; the
// Node routes replies (mode 4) and symmetric packets (modes 1/2) to their Association, mobilizing
// a passive association for a new symmetric peer, requests to the ServerPath, measurements to the
// System, and carries out the System's ClockCommands on the Clock. Everything runs on the host's
// one timing thread; not thread-safe.
#ifndef TEMPUS_ENGINE_NODE_H_
#define TEMPUS_ENGINE_NODE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "core/assoc/association.h"
#include "core/control/control.h"
#include "core/control/control_server.h"
#include "core/system/system.h"
#include "engine/auth.h"
#include "engine/clock.h"
#include "engine/once_per_source.h"
#include "engine/refusal_log.h"
#include "engine/server_path.h"
#include "engine/stats_record.h"
#include "engine/transport.h"

namespace tempus::engine {

struct NodeConfig {
  core::system::SystemConfig system;           // self_id is filled from self_address
  std::vector<core::assoc::AssociationConfig> sources;  // validated by the Node
  std::optional<core::NetAddress> self_address;  // this node's address as its peers see it
  // This node's other addresses, each with the port it serves on: its listen sockets and, behind
  // a wildcard socket, the machine's interface addresses (the daemon enumerates them). A source
  // at one of them (or at self_address) is this node itself: never polled, never selected (a
  // timing loop, logged once). A source whose refid is one of them (loopback ones excepted:
  // every host has those) is synchronized to this node (System's loop test).
  std::vector<core::NetAddress> own_addresses;
  bool serve = true;                             // answer client requests
  core::server::AccessPolicy access;             // restrict rules and discard limits
  // Mode 6 (ntpq, RFC 9327) requests: answered read-only, from loopback sources only unless
  // control_from_any is set (core::control::ControlServer decides).
  bool control = true;
  bool control_from_any = false;
  // The rate at which allowed sources are answered (per client and across all clients).
  core::control::ControlLimitConfig control_limit;
  std::string version = "tempusd";               // the control protocol's version= variable
  // Symmetric mode (RFC 5905 §9.2): a mode 1 packet from an address without an association
  // mobilizes a passive (ephemeral) association only when it carries a valid MAC by a trusted key
  // (ntpd's sys_authenticate, `enable auth`); the association then uses that key. An
  // unauthenticated one gets a mode 2 reply at most and never an association (counted as
  // unauthenticated_peer, logged once per source): otherwise any host could become a source.
  // false mobilizes unauthenticated peers too (unsafe; tempusd keeps it on: its `disable auth`
  // is warned and ignored; tests use it to show the attack). core::server::DecideNewPeer has the
  // restrict rules.
  bool authenticate_peers = true;
  // At most this many passive associations exist at once; further ones are dropped (counted as
  // peer_limit). An ephemeral association goes when its peer becomes unreachable. 0: none.
  size_t max_ephemeral = 8;
  // Symmetric keys (`keys` file, `trustedkey` marks). A source with a key id signs its requests
  // and takes only replies with a valid MAC by that key; the server answers MACs (ServerPath).
  std::vector<AuthKey> keys;
  // How often the System re-runs selection and fallbacks without a new sample.
  core::NtpDuration tick = core::NtpDuration::FromWholeSeconds(8);
};

// Authentication outcomes of the client side, across all sources (the per-source counts are the
// associations' kAuthFailed/kCryptoNak rejects). The edge's: it is the edge that signs requests.
struct AuthStats {
  uint64_t requests_signed = 0;  // requests sent with a MAC
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
  // address and port it was sent to, when known: replies leave from there.
  void OnDatagram(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                  const std::optional<core::NetAddress>& local = std::nullopt);
  // Runs everything due at the clock's monotonic now.
  void OnTimer();
  // When OnTimer should run next.
  core::MonoTime NextDeadline() const;

  // Mobilizes a new association (e.g. after a configuration reload, or a pool's replacement
  // address); once started, its first request goes out now. Returns its id, or the reason the
  // configuration is invalid. An address that already has an association is refused.
  [[nodiscard]] Result<uint32_t, std::string> AddSource(const core::assoc::AssociationConfig& source);
  // Demobilizes association `id`: its state, timer and place in selection go. False when unknown.
  bool RemoveSource(uint32_t id);

  // Replaces the leap table (the reread `leapfile`, or none) and brings the LI up to date now.
  void SetLeapTable(std::optional<core::LeapTable> table);
  // Reload setters: each replaces one part of the configuration at once and keeps every
  // association and its state. The restrict rules and rate limits of the server path and mode 6:
  void SetAccessPolicy(const core::server::AccessPolicy& access);
  // The symmetric keys (`keys` file, `trustedkey`); keyed sources sign and check with them next.
  void SetKeys(std::vector<AuthKey> keys);
  // Selection, orphan and local-clock settings (System::SetTunables); selection runs again now.
  void SetSystemTunables(const core::system::SystemConfig& config);

  const core::system::System& system() const { return system_; }
  const ServerPath& server() const { return server_; }
  // The associations, by id (ids are 1, 2, ... in configuration order).
  const std::map<uint32_t, std::unique_ptr<core::assoc::Association>>& associations() const { return assocs_; }
  uint64_t packets_sent() const { return packets_sent_; }
  // What a mode 6 request is answered from (association ids are the ids above).
  core::control::NodeView ControlView() const;
  uint64_t steps() const { return steps_; }
  // Clock::SystemClockOffset(): with clock observe, how far the uncorrected system clock is behind.
  std::optional<core::NtpDuration> SystemClockOffset() const { return clock_.SystemClockOffset(); }
  // Passive associations mobilized by peers that exist now, and ever.
  size_t ephemeral_count() const { return ephemeral_.size(); }
  uint64_t ephemeral_mobilized() const { return ephemeral_mobilized_; }
  // What became of the mode 6 requests (Prometheus tempus_control_*; sysstats folds them in).
  const core::control::ControlStats& control_stats() const { return control_.stats(); }
  const AuthStats& auth_stats() const { return auth_stats_; }
  const KeyRing& keys() const { return keys_; }
  // Receives a record after every accepted clock-filter output (peerstats) and clock update
  // (loopstats); none are built while no observer is set.
  void SetStatsObserver(StatsObserver observer) { stats_observer_ = std::move(observer); }

 private:
  void Carry(uint32_t id, const core::assoc::AssocActions& actions);
  void Apply(const core::system::SystemUpdate& update);
  void PropagatePoll();
  // Tells the System whether source `id` left its last two polls unanswered (System::SetQuiet).
  void UpdateQuiet(uint32_t id);
  void Log(const std::string& message) const;
  // One line for each refusal that appeared or changed (node_refusals.cc, refusal_log.h): when
  // the System's refusals changed, or on `always` (each tick) while a value settles or is held.
  void LogRefusals(bool always);
  // "clock stepped by S s", saying so when the step was beyond the panic threshold.
  std::string StepMessage(core::NtpDuration step) const;
  // Hand the update's peer samples (before its clock commands) and its clock update (after
  // them) to the stats observer.
  void ReportSamples(const core::system::SystemUpdate& update);
  void ReportLoop(const core::system::SystemUpdate& update);
  // The association's PeerView for the control protocol (status word, variables).
  core::control::PeerView PeerViewOf(uint32_t id, const core::assoc::Association& a,
                                     const std::vector<core::system::SourceView>& sources) const;
  void CountReceived(std::span<const uint8_t> bytes);
  void HandleControl(std::span<const uint8_t> bytes, const core::NetAddress& from,
                     const std::optional<core::NetAddress>& local);
  Result<uint32_t, std::string> Mobilize(uint32_t id, const core::assoc::AssociationConfig& source);
  // Symmetric packets and new peers (node_peers.cc).
  void OnSymmetric(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                   const std::optional<core::NetAddress>& local);
  void OnNewPeer(std::span<const uint8_t> bytes, const core::NetAddress& from, core::UnixTime rx_realtime,
                 const std::optional<core::NetAddress>& local);
  void MobilizePassive(std::span<const uint8_t> bytes, const core::assoc::AssociationConfig& config, core::UnixTime t4);
  void Reply(std::span<const uint8_t> bytes, const core::NetAddress& to, const std::optional<core::NetAddress>& local);
  // Whether `address` is this node's own (NodeConfig::own_addresses, self_address).
  bool IsOwnAddress(const core::NetAddress& address) const;
  // Logs the sources the System found to be a timing loop for the first time.
  void LogNewLoops(const std::vector<uint32_t>& ids) const;
  // "LOCAL(u)": the local clock as a source (`local stratum N`, ntpd's LOCAL driver).
  std::string LocalClockName() const;
  // Removes the ephemeral associations that demobilized (after the actions that said so).
  void ReapRetired();

  NodeConfig config_;
  Clock& clock_;
  Transport& transport_;
  Random& random_;
  NodeLog log_;
  StatsObserver stats_observer_;
  core::system::System system_;
  KeyRing keys_;
  ServerPath server_;
  std::map<uint32_t, std::unique_ptr<core::assoc::Association>> assocs_;
  std::map<uint32_t, core::MonoTime> deadlines_;
  std::map<core::NetAddress, uint32_t> by_address_;
  std::set<uint32_t> ephemeral_;      // ids of passive associations mobilized by peers
  std::set<uint32_t> self_;           // ids of associations at one of our own addresses: never polled
  std::optional<uint32_t> local_id_;  // the local clock's association id (mode 6), when configured
  OncePerSource unauthenticated_logged_;  // unauthenticated peers logged about
  std::vector<uint32_t> retired_;     // ephemeral ids to remove once the current event is done
  uint64_t ephemeral_mobilized_ = 0;
  core::MonoTime next_tick_;
  core::PollExp system_poll_;
  bool startup_ = false;  // the associations were told the clock is not synchronized yet
  std::optional<uint32_t> last_peer_;
  bool last_local_ = false;  // the local clock was the system peer at the last update
  uint32_t next_id_ = 1;
  bool started_ = false;
  uint64_t packets_sent_ = 0;
  uint64_t steps_ = 0;
  core::MonoTime start_;
  core::control::Counters counters_;  // the node's own part of ntpq sysstats (counters.h SysStats)
  core::control::ControlServer control_;
  AuthStats auth_stats_;
  RefusalLog refusal_log_;
  uint64_t refusal_changes_seen_ = 0;
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_NODE_H_

// core::node::Node: one NTP node as pure code: its sources (associations and the local clock), the
// System they feed, and the coordination between them that RFC 5905 leaves to the host (§9-§13):
// measurements go to the System, the System's poll advice, start-up state, snapshot and clock
// steps go back to every association, passive associations come and go. And its servers: every
// datagram enters by OnDatagram, which routes it by mode (node_datagram.cc): replies and
// symmetric packets to their association, requests and new peers to the core::server::Server,
// mode 6 to the core::control::ControlServer; their answers are Reply actions.
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

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "core/assoc/association.h"
#include "core/control/control.h"
#include "core/control/control_server.h"
#include "core/node/actions.h"
#include "core/node/node_config.h"
#include "core/node/once_per_source.h"
#include "core/node/refusal_log.h"
#include "core/report/node_snapshot.h"
#include "core/server/server.h"
#include "core/system/system.h"
#include "core/time/instant.h"
#include "core/wire/auth.h"

namespace tempus::core::node {

// Why AddSource refused a source.
struct SourceError {
  enum class Kind : uint8_t { kInvalid, kDuplicate };
  NetAddress address;
  Kind kind = Kind::kInvalid;
  assoc::AssociationConfigError invalid{};  // with kInvalid
};

// A datagram for the node: `bytes` from `from`, received at `rx` on the node's time scale (the host
// maps the kernel's receive stamp onto its clock), sent to `local` when known (replies leave from
// there). With clock observe, `system_clock_offset` is how far the uncorrected system clock is
// off (mode 6 sysclk_offset, the snapshot's field): the host reads it for a mode 6 datagram only.
struct Datagram {
  std::span<const uint8_t> bytes;
  NetAddress from;
  UnixTime rx;
  std::optional<NetAddress> local;
  std::optional<NtpDuration> system_clock_offset = std::nullopt;
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
  // Any datagram for the node, by mode: a server reply (4) to the association at `from`; a
  // symmetric packet (1, 2) to its association, else the Server's new-peer gate (a passive
  // association or a mode 2 reply); mode 6 to the ControlServer; anything else to the Server
  // (requests, and the drops it counts). Answers are Reply actions.
  const NodeActions& OnDatagram(const Datagram& datagram, Instant now);
  // The server's lean route, for a host that queues replies itself (the daemon's batches): a time
  // request of 48 bytes (no MAC, no extension; server::IsTimeRequestByte) from `from`, received at
  // `rx`, is judged by the Server (the same policy and counters as OnDatagram), its reply encoded
  // in `reply` (>= server::kReplyCapacity), and no NodeActions are built. Any other datagram, or
  // a node that does not serve, gets kNone and is left for OnDatagram. A reply is the first
  // kHeaderSize bytes of `reply` (server::TimeAnswer). Inline: the batch's every request.
  [[nodiscard]] server::TimeAnswer TryServe(std::span<const uint8_t> bytes, const NetAddress& from, UnixTime rx,
                                            MonoTime now, std::span<uint8_t> reply) {
    if (!config_.serve || bytes.size() != kHeaderSize || !server::IsTimeRequestByte(bytes[0])) {
      return server::TimeAnswer::kNone;
    }
    counters_.CountDatagram(bytes);
    return server_.AnswerTimeRequest(bytes, from, rx.ToNtp(), now, reply);
  }

  // Mobilizes a new association (a reload, a pool's replacement address); once started, its first
  // request goes out now (actions()). An address that already has an association is refused; a
  // passive one there is replaced.
  [[nodiscard]] Result<uint32_t, SourceError> AddSource(const assoc::AssociationConfig& source, Instant now);
  // Demobilizes association `id`; selection runs again (actions()). False when unknown.
  bool RemoveSource(uint32_t id, Instant now);
  // Replaces the leap table and brings the LI up to date (actions()).
  void SetLeapTable(std::optional<LeapTable> table, Instant now);
  // Selection, orphan and local-clock settings (System::SetTunables); selection runs again now.
  void SetSystemTunables(const system::SystemConfig& config, Instant now);
  // Replaces the restrict rules and rate limits of the server and mode 6 (a reload). The rate
  // limiter's hash key is drawn (from the Node's Random) once there are restrict rules.
  void SetAccess(const server::AccessPolicy& access);
  // Lets the Server answer NTS requests (RFC 8915 §5) with cookies opened and sealed by
  // `cookies`, authenticators by `aead`, nonces from the Node's Random; both null: NTS off. Both
  // must outlive the Node.
  void SetNts(const nts::CookieCodec* cookies, const nts::Aead* aead) {
    server_.SetNts(cookies != nullptr && aead != nullptr ? server::NtsServerContext{cookies, aead, &random_}
                                                         : server::NtsServerContext{});
  }
  // The NTS state of association `id` (`server HOST nts`) as its host reports it after each change;
  // Snapshot shows it with the source (mode 6 ntscookies and ntske_*). Forgotten with the source.
  void SetNtsState(uint32_t id, report::NtsSourceState state) {
    if (assocs_.contains(id)) nts_[id] = std::move(state);
  }
  // Whether the host wants PeerStatsRecord/LoopStatsRecord actions (statistics files).
  void SetStatsWanted(bool wanted) { stats_wanted_ = wanted; }

  // The actions of the last call.
  const NodeActions& actions() const { return actions_; }
  // When OnTimer should run next.
  MonoTime NextDeadline() const;

  // The node at `now` as plain values (node_snapshot.cc): the System, every source (the LOCAL
  // clock among them), every counter. Mode 6 answers from it; the host renders Prometheus text,
  // status lines and log summaries from it. `system_clock_offset`: the host's observe clock's
  // reading (Datagram::system_clock_offset), if any.
  report::NodeSnapshot Snapshot(Instant now, std::optional<NtpDuration> system_clock_offset = std::nullopt) const;
  const system::System& system() const { return system_; }
  // The counts of servers that run beside this node (tempusd's worker threads), as totals; Snapshot
  // adds them to the node's own, so that mode 6 and the host's reports show the sum.
  void SetHostCounters(const report::Counters& node, const server::ServerStats& server) {
    host_counters_ = node;
    host_server_stats_ = server;
  }
  // The host's NTS server counts (its NTS-KE server, its cookie codec), as totals: Snapshot sends
  // them (NodeCounters::nts_server), mode 6 as NTPsec's ntsinfo variables.
  void SetNtsServerCounts(const report::NtsServerCounts& counts) { host_nts_server_ = counts; }
  // The associations, by id (ids are 1, 2, ... in configuration order; the local clock takes one).
  const std::map<uint32_t, std::unique_ptr<assoc::Association>>& associations() const { return assocs_; }
  // Sources of the configuration that were left out, and why.
  const std::vector<SourceError>& rejected() const { return rejected_; }
  uint64_t steps() const { return steps_; }
  size_t ephemeral_count() const { return ephemeral_.size(); }
  uint64_t ephemeral_mobilized() const { return ephemeral_mobilized_; }
  // The time server (its counters, restrict rules, the snapshot it answers from).
  const server::Server& server() const { return server_; }
  const NodeConfig& config() const { return config_; }

 private:
  const NodeActions& Begin(Instant now);
  // Polls the sources that are due, and runs the System's tick when due.
  void RunDue();
  void Carry(uint32_t id, const assoc::AssocActions& actions);
  // The routes of OnDatagram (node_datagram.cc).
  void OnPacket(const Datagram& d);
  void OnSymmetric(const Datagram& d);
  void OnNewPeer(const Datagram& d);
  void OnControl(const Datagram& d);
  void Serve(const Datagram& d);
  void AddReply(const server::Respond& respond, const Datagram& d);
  const Authenticator& auth() const { return auth_ != nullptr ? *auth_ : no_keys_; }
  // MobilizePassive: a new peer admitted by the Server: its passive association with `config`
  // takes `d` (MAC verified by config.key_id) and answers at once.
  void MobilizePassive(const Datagram& d, const assoc::AssociationConfig& config);
  void Apply(const system::SystemUpdate& update);
  void PropagatePoll();
  void UpdateQuiet(uint32_t id);
  void Event(const NodeEvent& event) { actions_.emplace_back(event); }
  void TellSystemPeer();
  void TellRefusals(bool always);
  void ReportSamples(const system::SystemUpdate& update);
  Result<uint32_t, SourceError> Mobilize(uint32_t id, const assoc::AssociationConfig& source);
  bool Remove(uint32_t id);
  void ReapRetired();
  bool IsOwnAddress(const NetAddress& address) const;
  static report::SourceSnapshot SourceOf(uint32_t id, const assoc::Association& a,
                                         const std::vector<system::SourceView>& sources);

  NodeConfig config_;
  Random& random_;
  const Authenticator* auth_;
  // Verifies nothing: the Authenticator when the host has no keys (every MAC fails).
  class NoKeys final : public Authenticator {
   public:
    bool Verify(uint32_t /*key_id*/, std::span<const uint8_t> /*covered*/,
                std::span<const uint8_t> /*digest*/) const override {
      return false;
    }
  } no_keys_;
  const int precision_log2_;
  system::System system_;
  NodeActions actions_;
  Instant now_;  // the current event's time (moved by the steps it commands)
  std::map<uint32_t, std::unique_ptr<assoc::Association>> assocs_;
  std::map<uint32_t, MonoTime> deadlines_;
  std::map<uint32_t, report::NtsSourceState> nts_;  // SetNtsState, by association id
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
  bool last_local_ = false;            // the local clock was the system peer at the last update
  bool serving_synchronized_ = false;  // the snapshot of the last ServingChanged
  uint32_t next_id_ = 1;
  bool started_ = false;
  bool stats_wanted_ = false;
  uint64_t steps_ = 0;
  MonoTime start_;
  report::Counters counters_;                // the node's own counts (datagrams by version, sources' bad MACs)
  report::Counters host_counters_;           // SetHostCounters
  server::ServerStats host_server_stats_;    // SetHostCounters
  report::NtsServerCounts host_nts_server_;  // SetNtsServerCounts
  server::Server server_;
  control::ControlServer control_;
  // A Reply's bytes (server, new peer): room for an NTS reply too.
  std::array<uint8_t, server::kNtsReplyCapacity> reply_{};
  static_assert(server::kNtsReplyCapacity >= server::kReplyCapacity);
  control::Datagrams control_reply_;  // a mode 6 response's datagrams
};

}  // namespace tempus::core::node

#endif  // TEMPUS_CORE_NODE_NODE_H_

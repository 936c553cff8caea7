// System: the system process of RFC 5905 §11 for one node. Each source's measurements go through
// its clock filter (§10); selection, clustering and combining (§11.2) choose the system peer and
// offset; the discipline turns that into ClockCommands; the system variables (§9.1: stratum,
// refid, root delay and dispersion, reference time, leap) follow, and a SystemSnapshot is what
// the server answers from.
//
// Orphan mode (`tos orphan N`, RFC 5905 §A.5.5.5's role; ntpd 4.2.8's clock_select() typeorphan
// rule, extended): when no source below stratum N can be selected, a cluster keeps one time
// instead of drifting apart. Each node is identified by the refid of its own address (`self_id`,
// what its peers see as its address). Selection first runs over the sources below stratum N
// (normal operation); only when it yields no system peer, because there are none or too few
// (`tos minsane`), does the orphan election run, before this node may become a parent itself:
//   - a source at stratum N is a parent and stands for its own id; one at N+1 is a child and
//     stands for its refid (its parent's address id); deeper sources stand for nothing;
//   - the elected parent is the lowest id a usable source stands for, if lower than ours; the
//     candidates are that parent and its children (one hop: a child relays the parent to a node
//     that does not hear it), and merit (stratum first) makes the parent the system peer whenever
//     it is heard directly, its children then combining nothing. They are marked `true` (they
//     relay one clock: nothing for a vote to weigh) and `minsane` does not apply: requiring
//     several would make the children parents too, a split;
//   - with no lower id to follow, the node becomes the parent: it serves its own clock at stratum
//     N (refid 127.0.0.1) after `orphanwait` at start, at once after losing its system peer.
// So exactly one parent, the reachable node with the lowest id, whatever minsane and minclock;
// every follower has a lower id above it, so the sync graph has no cycle; the parent has no
// candidate at all (its children report our id as refid, a loop), so nothing steers its clock;
// strata are N, N+1 and, through a child, N+2. A parent that selects a source leaves the role at
// once (unsynchronized until its frequency is known, at a cold start), so two parents never
// coexist for longer than it takes the lower one's packet to arrive. `local stratum N` is the
// designated-master fallback: with no usable source, serve the local clock at stratum N.
// Loops: a timing loop is never selected (RFC 5905 §A.5.1.1 fit(), ntpd's TEST12; Loop()): a
// source at one of our own addresses, one that reports one of our own ids as its refid
// (synchronized to us), and, while we follow a real upstream, one that reports the refid we
// serve (synchronized to our own system peer; not for stratum-1 and orphan-level sources, whose
// refids are codes or shared). A source synchronized to one of our sources that is quiet (going away, not yet
// unreachable), and not updated since it fell quiet, is a sibling that has not noticed yet
// (ntpd's sys_refid test in peer_unfit) and is not selected either. And when our stratum would
// rise (the system peer was lost or now serves from our level or below), a hold-down of
// kHoldDownPolls system polls admits only sources at our old stratum or lower, which no node
// synchronized through us can serve (a distance-vector protocol's feasibility condition):
// otherwise a cluster that loses its upstream follows itself in a cycle A -> B -> C -> A whose
// strata climb one per poll, for hours at 1024 s polls, before the orphan election takes over.
//
// Leap seconds (RFC 5905 §7.3 LI): without a leap table the system peer's LI is passed on. With a
// table (`leapfile`) that has not expired, the table alone decides, as in ntpd: its leap is
// announced during the last day before it (core/time/leap_table.h), also when this node is the
// reference (local clock, orphan parent), and an upstream's LI the table does not confirm is not
// passed on. The kernel (SetSyncStatus) gets a leap only during the last day of the month, since
// Linux inserts it at the end of the UTC day on which STA_INS is set.
// Refusals (core/system/refusal.h): each source carries why it is not used now: its association's
// packet-test verdict (SetAssociationRefusal; LI = 3, stratum 0/16, test 7 and zero timestamps
// also take it out of selection, as ntpd's peer_unfit does with the leap and stratum of the last
// packet), then unreachability, noselect, the loop tests (the sibling rule and the hold-down
// count as loops), and selection's verdict (root distance beyond maxdist, falseticker, fewer
// truechimers than minsane). The system's own refusal() says why it follows no source.
//
// Panic (`tinker panic`, 1000 s): beyond it the discipline refuses the offset (after the first
// update, which may step any amount unless configured otherwise: DisciplineConfig). The System
// then follows nothing and serves as unsynchronized (leap 3, stratum 16, no orphan or local
// fallback: the sources say this clock is wrong) until an update is within the threshold again
// (the sources were fixed, or the clock stepped by hand); selection's survivors carry kPanic.
// Pure; not thread-safe (the engine publishes Snapshot() to other threads by value).
#ifndef TEMPUS_CORE_SYSTEM_SYSTEM_H_
#define TEMPUS_CORE_SYSTEM_SYSTEM_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/discipline/clock_command.h"
#include "core/discipline/discipline.h"
#include "core/filter/clock_filter.h"
#include "core/select/select.h"
#include "core/system/refusal.h"
#include "core/system/snapshot.h"
#include "core/time/leap_table.h"
#include "core/time/mono_time.h"
#include "core/time/poll_exp.h"
#include "core/time/unix_time.h"
#include "core/wire/exchange.h"

namespace tempus::core::system {

struct SystemConfig {
  select::SelectConfig select;
  discipline::DisciplineConfig discipline;
  filter::FilterConfig filter;
  int orphan_stratum = kMaxStratum;                              // `tos orphan N`; 16: off
  NtpDuration orphan_wait = NtpDuration::FromWholeSeconds(300);  // `tos orphanwait`
  int local_stratum = 0;                                         // `local stratum N`; 0: off
  // The refid served from the local clock: chrony's 127.127.1.1 (`local stratum N`), or what ntpd
  // serves for its LOCAL driver (config::ToSystemConfig); `local_unit` is the u of LOCAL(u), the
  // name the local clock is shown under as a source.
  RefId local_refid = RefId::FromRaw(0x7f7f0101);
  uint8_t local_unit = 1;
  int8_t precision = -20;  // sys.precision, log2 s
  RefId self_id;           // the refid of this node's address (loop detection, orphan election)
  // The refids of this node's other addresses (listen addresses, interface addresses behind a
  // wildcard socket): a source reporting one of them is synchronized to us (loop detection only).
  std::vector<RefId> own_ids;
  std::optional<LeapTable> leap_table;  // `leapfile`; none: the system peer's LI is passed on
};

// A source's per-association settings that selection uses.
struct SourceFlags {
  bool prefer = false;
  bool noselect = false;
  bool truechimer = false;  // ntp.conf `true`
  bool self = false;        // the source's address is one of this node's own: never selected
  bool symmetric = false;   // a `peer` (or a passive peer): symmetric mode, RFC 5905 modes 1 and 2
};

// What ntpq, metrics and tests see of a source.
struct SourceView {
  uint32_t id = 0;
  RefId address_id;
  SourceFlags flags;
  bool reachable = false;
  select::Tally tally = select::Tally::kReject;
  std::optional<filter::FilterOutput> filtered;  // the clock filter's peer variables
  std::optional<Header> last_header;             // stratum, refid, leap, root values of the last reply
  NtpDuration root_distance;                     // λ at the last selection
  Refusal refusal = Refusal::kNone;              // why it is not used now (see the file comment)
  std::array<filter::StageView, filter::ClockFilter::kStages> stages{};  // the filter register, newest first
  bool loop = false;  // a timing loop (ntpd's TEST12, System::Loop): never selected
};

// A clock-filter output accepted for a source (what ntpd's peerstats records, RFC 5905 §10).
struct PeerSampleEvent {
  uint32_t id = 0;
  filter::FilterOutput output;
};

// A clock update by the discipline (what ntpd's loopstats records): the state after it.
struct LoopEvent {
  NtpDuration offset;        // the offset the update corrected
  double frequency_ppm = 0;  // frequency correction now in effect
  NtpDuration jitter;        // clock jitter
  double wander_ppm = 0;     // frequency wander
  PollExp poll;              // the time constant: the recommended poll exponent
  bool stepped = false;      // the update stepped the clock (else it slewed)
};

struct SystemUpdate {
  std::vector<discipline::ClockCommand> commands;  // for the engine's Clock, in order
  bool snapshot_changed = false;                   // publish Snapshot() again
  bool stepped = false;
  // Plain records for statistics (the engine hands them to whoever writes stats files).
  std::vector<PeerSampleEvent> peer_samples;  // at most one: the measured source's new filter output
  std::optional<LoopEvent> loop;              // set when the discipline updated the clock
  std::vector<uint32_t> new_loops;            // sources found to be a timing loop for the first time
};

class System {
 public:
  System(const SystemConfig& config, MonoTime start);
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  // Registers a source. `address_id` is the refid of its address (engine::RefIdForAddress).
  void AddSource(uint32_t id, SourceFlags flags, RefId address_id);
  void RemoveSource(uint32_t id);
  // Reachability from the association (reach register zero / non-zero).
  [[nodiscard]] SystemUpdate SetReachable(uint32_t id, bool reachable, MonoTime now, UnixTime local_now);
  // Whether the source left its last two polls unanswered while still reachable (reach & 0x07
  // is zero at the start of a poll). A quiet source is not a candidate, so a dead system peer is
  // replaced after two missed polls rather than eight (ntpd's "not heard for three consecutive
  // polls, stuff infinity in the clock filter", one poll sooner); its filter is kept.
  [[nodiscard]] SystemUpdate SetQuiet(uint32_t id, bool quiet, MonoTime now, UnixTime local_now);
  // A measurement that passed the association's tests. `poll` is the source's poll exponent.
  [[nodiscard]] SystemUpdate OnMeasurement(uint32_t id, const Measurement& m, MonoTime received, PollExp poll,
                                           MonoTime now, UnixTime local_now);
  // Time passes: orphan/local fallback activation and holdover. Call at least every few seconds
  // to a minute; cheap.
  [[nodiscard]] SystemUpdate OnTick(MonoTime now, UnixTime local_now);
  // Whether OnTick has work of its own by `at` (when the host would run it): the node follows no
  // source (an election, a fallback, holdover; orphan and LOCAL keep their reference time fresh),
  // a hold-down or the start-up wait runs, or a leap second is due this month (its LI and kernel
  // bits change at a second of their own). Otherwise every poll and measurement runs selection
  // anyway, as ntpd's and chrony's do, and an idle node needs no wake-up between its polls.
  bool TickWanted(MonoTime at) const;
  // When the discipline's phase correction in progress ends: call EndCorrection then.
  std::optional<MonoTime> CorrectionEnd() const { return discipline_.CorrectionEnd(); }
  // The clock back at the frequency estimate once the correction is done (none before).
  [[nodiscard]] SystemUpdate EndCorrection(MonoTime now) {
    SystemUpdate u;
    u.commands = discipline_.EndCorrection(now);
    return u;
  }

  // The commands to apply once at start (the driftfile frequency), possibly none.
  [[nodiscard]] std::vector<discipline::ClockCommand> InitialCommands() const { return discipline_.InitialCommands(); }

  // Replaces the selection (`tos`), orphan and local-clock (`local`, LOCAL `fudge`) settings of
  // `config` (a reload); sources, their filters and the discipline are kept. Takes effect at the
  // next selection (OnTick). A fallback in use that `config` turns off ends at once: the snapshot
  // is unsynchronized again (returns true) until selection or another fallback gives a time.
  [[nodiscard]] bool SetTunables(const SystemConfig& config);

  // Replaces the leap table (SIGHUP rereads the leapfile); takes effect at the next update.
  void SetLeapTable(std::optional<LeapTable> table) { config_.leap_table = std::move(table); }
  const std::optional<LeapTable>& leap_table() const { return config_.leap_table; }

  const SystemSnapshot& Snapshot() const { return snapshot_; }
  // The poll the discipline recommends, for every association (RFC 5905 sys.poll).
  // With `tos orphan` a cluster holds over on its own when the upstreams go: the poll stays at
  // or below kOrphanMaxPoll so that the nodes notice the loss, and each other's orphan parent,
  // within minutes of one another rather than 1024 s polls apart (two parents meanwhile, and a
  // holdover frequency measured at long polls).
  PollExp RecommendedPoll() const {
    const PollExp poll = discipline_.state().poll;
    if (config_.orphan_stratum >= kMaxStratum || poll.log2() <= kOrphanMaxPoll) return poll;
    return PollExp(kOrphanMaxPoll);
  }
  static constexpr int kOrphanMaxPoll = 6;
  std::optional<uint32_t> system_peer() const { return system_peer_; }
  const discipline::DisciplineState& discipline_state() const { return discipline_.state(); }
  // The combined offset Θ and system jitter ϑ of the last selection.
  NtpDuration offset() const { return last_offset_; }
  NtpDuration jitter() const { return last_jitter_; }
  bool orphan_parent() const { return mode_ == Mode::kOrphanParent; }
  // Serving the local clock (`local stratum N`, ntpd's LOCAL driver) with no source selected: the
  // local clock is the system peer (ntpd selects its LOCAL driver only when nothing else survives).
  bool local_clock_peer() const { return mode_ == Mode::kLocal && !system_peer_; }
  // Still settling after start: not synchronized, or (while the regression holds fewer than
  // kSettleSamples) its frequency error is above kSettledPpm or its samples span less than
  // kSettleSpanSeconds (a burst's few seconds overstate what they know). Sources are polled
  // faster meanwhile (Association::SetStartup). 0.5 ppm and 24 samples, not 1 ppm and 16: a WAN
  // client (1 ms jitter) once left with a 1.6 ppm error and drifted just below 1 ms for ten
  // minutes at 64 s polls (wan seed 14: below 1 ms after 698 s, now 52 s).
  bool Settling() const;
  static constexpr double kSettledPpm = 0.5;
  static constexpr int kSettleSamples = 24;
  static constexpr double kSettleSpanSeconds = 64.0;
  // The hold-down lasts this many system polls (the time a silent source takes to be declared
  // unreachable): long enough for the cluster's stale strata to be replaced.
  static constexpr double kHoldDownPolls = 8.0;
  static constexpr int kSettleMinSamples = 8;
  // At start, how long the first update waits for silent configured sources while those heard
  // are no majority of the configured ones (AwaitMajorityAtStart in system.cc).
  static constexpr NtpDuration kStartWait = NtpDuration::FromWholeSeconds(120);
  std::vector<SourceView> Sources() const;

  // The association's packet-test verdict on source `id` (Association::refusal()). A change
  // reruns selection.
  [[nodiscard]] SystemUpdate SetAssociationRefusal(uint32_t id, Refusal refusal, MonoTime now, UnixTime local_now);
  // Why the system follows no source: kPanic, kTooFewSources, kFalseticker, or the refusal every
  // source shares (e.g. all unreachable); kNone while it follows one or serves as the reference.
  Refusal refusal() const { return refusal_; }
  // The offset refused as beyond the panic threshold, while it is (refusal() == kPanic).
  std::optional<NtpDuration> panic_offset() const { return panic_offset_; }
  // Each source's refusal, by id (cheaper than Sources() for a caller that only logs changes).
  std::vector<std::pair<uint32_t, Refusal>> Refusals() const;
  // Counts the changes of any refusal (a source's or the system's): a caller that logs them need
  // not look while it stands still.
  uint64_t refusal_changes() const { return refusal_changes_; }

 private:
  enum class Mode { kUnsynchronized, kSynced, kHoldover, kOrphanParent, kLocal };
  struct Source {
    SourceFlags flags;
    RefId address_id;
    filter::ClockFilter filter;
    std::optional<Header> header;
    bool reachable = false;
    select::Tally tally = select::Tally::kReject;
    NtpDuration root_distance;
    bool quiet = false;
    Refusal assoc_refusal = Refusal::kNone;  // SetAssociationRefusal
    Refusal pre_selection = Refusal::kNone;  // Reselect's part of the verdict (PreSelection)
    Refusal refusal = Refusal::kNone;        // the whole verdict (Explain)
    bool loop = false;                       // Loop() at the last selection
    bool loop_reported = false;              // in an update's new_loops once
    NtpTimestamp quiet_since;                // local time it fell quiet (the sibling rule)
  };

  // Runs selection: over the upstreams (below the orphan stratum), else the orphan election.
  select::SelectResult Reselect(MonoTime now);
  // Source `id` as selection sees it; `reachable` only if it may be used at all (answering, no
  // timing loop, no sibling). Records its root distance.
  select::Candidate MakeCandidate(uint32_t id, Source& s, MonoTime now);
  // Selection over the sources below the orphan stratum (and the hold-down's limit, if any);
  // `have_upstream`: whether any of them may be used. (system_orphan.cc, as the next three.)
  select::SelectResult SelectUpstream(std::vector<select::Candidate> candidates, bool& have_upstream) const;
  // Whether result `r` would raise our stratum as a synchronized node: start a hold-down.
  bool StartsHoldDown(const select::SelectResult& r) const;
  // The sources the hold-down keeps out are refused as a possible loop.
  void MarkHeldDown(const std::vector<select::Candidate>& candidates);
  // The orphan election over `candidates` (one per source, in sources_ order; system_orphan.cc).
  select::SelectResult ElectOrphan(std::vector<select::Candidate> candidates);
  // The orphan parent a source stands for: itself at the orphan stratum, its refid one below.
  std::optional<RefId> OrphanRoot(const Source& s) const;
  // Serves nothing: mode and snapshot as at start.
  void Unsynchronize();
  // An orphan parent that selected `peer` stops serving at the orphan stratum (system_orphan.cc).
  void LeaveOrphanParent(uint32_t peer, const select::SelectResult& r, SystemUpdate& u, UnixTime local_now);
  // Whether selection combined source `id` (a candidate or the system peer).
  static bool Combined(uint32_t id, const select::SelectResult& r);
  // Adds a combined source's new sample (not the system peer's) to the discipline's history.
  void FeedSurvivor(uint32_t id, const filter::Sample& sample, const select::SelectResult& r, MonoTime now);
  // Before the first discipline update: the combined sources' stored samples older than `before`.
  void FeedBacklog(const select::SelectResult& r, MonoTime before, MonoTime now);
  // Before selection: the association's verdict, unreachable, noselect, a loop (system_refusal.cc).
  static Refusal PreSelection(const Source& s, bool loop);
  // After selection: each source's refusal from its tally, and the system's (system_refusal.cc).
  void Explain(const select::SelectResult& r);
  Refusal SystemRefusal(const select::SelectResult& r) const;
  // The discipline refused `offset` as beyond the panic threshold: follow nothing, unsynchronized.
  SystemUpdate RefusePanic(NtpDuration offset, SystemUpdate u, UnixTime local_now);
  // RFC 5905 §A.5.1.1 fit()'s loop test (ntpd's TEST12): see system.cc.
  bool Loop(const Source& s) const;
  bool Sibling(const Source& s) const;
  SystemUpdate AfterSelection(const select::SelectResult& r, std::optional<uint32_t> measured,
                              const filter::Sample* sample, MonoTime now, UnixTime local_now);
  SystemUpdate SelectAndDiscipline(const select::SelectResult& r, std::optional<uint32_t> measured,
                                   const filter::Sample* sample, MonoTime now, UnixTime local_now);
  // The LI to serve at `local_now` given the upstream's (see the file comment).
  Leap WireLeap(UnixTime local_now) const;
  // The leap bits for the kernel: `wire`'s leap only during the month's last day (Linux inserts
  // at the end of the UTC day on which STA_INS is set).
  static Leap KernelLeap(Leap wire, UnixTime local_now);
  // Brings snapshot_.leap and the kernel's leap bits up to date with the table and the date.
  void RefreshLeap(SystemUpdate& u, UnixTime local_now);
  void SetSyncedVariables(uint32_t peer, const select::SelectResult& r, UnixTime local_now);
  bool Fallback(MonoTime now, UnixTime local_now);
  bool AwaitOthersAtStart() const;
  bool AwaitMajorityAtStart(const select::SelectResult& r, MonoTime now) const;
  void PushStatus(SystemUpdate& u, UnixTime local_now);

  SystemConfig config_;
  MonoTime start_;
  std::map<uint32_t, Source> sources_;
  discipline::Discipline discipline_;
  SystemSnapshot snapshot_;
  Mode mode_ = Mode::kUnsynchronized;
  std::optional<uint32_t> system_peer_;
  std::optional<RefId> followed_;  // the address id of the last system peer
  std::optional<MonoTime> lost_sync_since_;
  // After our stratum would have risen: only sources at `stratum` or lower until `until`.
  struct HoldDown {
    int stratum = 0;
    MonoTime until;
  };
  std::optional<HoldDown> hold_down_;
  NtpDuration last_offset_;
  NtpDuration last_jitter_;
  Leap upstream_leap_ = Leap::kNoWarning;    // the system peer's LI (none as the reference)
  Leap kernel_leap_ = Leap::kNoWarning;      // the leap of the last SetSyncStatus
  bool leap_month_ = false;                  // the leap table has a leap at this month's end
  std::optional<NtpDuration> panic_offset_;  // set while the discipline refuses (kPanic)
  Refusal refusal_ = Refusal::kNone;
  uint64_t refusal_changes_ = 0;
  std::vector<uint32_t> new_loops_;  // for the next update's new_loops
};

}  // namespace tempus::core::system

#endif  // TEMPUS_CORE_SYSTEM_SYSTEM_H_

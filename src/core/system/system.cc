#include "core/system/system.h"

#include <algorithm>

#include "core/select/root_distance.h"

namespace tempus::core::system {

using discipline::ClockCommand;
using discipline::SetSyncStatus;
using filter::Sample;

namespace {

// The refid an orphan parent reports (RFC 5905 orphan mode; NTPsec sends 127.0.0.1).
constexpr RefId kOrphanRefId = RefId::FromRaw(0x7f000001);

// The server's last reply said it has no time to give (LI = 3, stratum 0/16, test 7, test 3):
// its older samples must not be followed either (ntpd's peer_unfit tests the last packet's leap
// and stratum). Other refusals (a kiss RATE, a poll of bad MACs or origins) leave them usable.
bool HasNoUsableTime(Refusal r) {
  return r == Refusal::kUnsynchronized || r == Refusal::kBadStratum || r == Refusal::kServerDistance ||
         r == Refusal::kZeroTimestamps;
}

}  // namespace

System::System(const SystemConfig& config, MonoTime start)
    : config_(config), start_(start), discipline_(config.discipline) {
  snapshot_.precision = config.precision;
}

void System::AddSource(uint32_t id, SourceFlags flags, RefId address_id) {
  Source s{flags,
           address_id,
           filter::ClockFilter(config_.filter),
           std::nullopt,
           false,
           select::Tally::kReject,
           {},
           false,
           Refusal::kNone,
           Refusal::kNone,
           Refusal::kNone,
           false,
           false,
           {}};
  sources_.insert_or_assign(id, s);
}

void System::RemoveSource(uint32_t id) {
  sources_.erase(id);
  if (system_peer_ == id) system_peer_.reset();
}

std::vector<SourceView> System::Sources() const {
  std::vector<SourceView> out;
  out.reserve(sources_.size());
  for (const auto& [id, s] : sources_) {
    out.push_back(SourceView{id, s.address_id, s.flags, s.reachable, s.tally, s.filter.Current(), s.header,
                             s.root_distance, s.refusal, s.filter.Stages(), s.loop});
  }
  return out;
}

// RFC 5905 §A.5.1.1 fit(): "a loop error occurs if the remote peer is synchronized to the local
// peer or the remote peer is synchronized to the current system peer" (ntpd's TEST12). A source
// at or below stratum 1 reports a reference code, never an address. 127.0.0.1 at the orphan
// stratum is what every orphan parent serves (NTPsec and tempus), not a sign it follows us. The
// refid we serve is tested only while we follow a real upstream: as the local clock or an orphan
// parent we serve a refid that other nodes serve too (127.127.1.1, 127.0.0.1), and an
// orphan-level source that follows our system peer is a sibling for the orphan election.
bool System::Loop(const Source& s) const {
  if (s.flags.self) return true;
  if (!s.header || s.header->stratum <= 1) return false;
  const RefId refid = s.header->refid;
  const bool orphan_level = s.header->stratum >= config_.orphan_stratum;
  const bool orphan_refid = orphan_level && refid == kOrphanRefId;
  const auto& own = config_.own_ids;
  if (!orphan_refid && (refid == config_.self_id || std::find(own.begin(), own.end(), refid) != own.end())) {
    return true;
  }
  return mode_ == Mode::kSynced && !orphan_level && refid == snapshot_.refid;
}

// Synchronized to a source of ours that is quiet, and not updated since it fell quiet: see
// system.h. A sibling whose clock was updated later (its reference time) hears that source, and
// once the source is declared unreachable the rule lapses, so a node that alone lost its route
// to the upstream follows a sibling that still reaches it.
bool System::Sibling(const Source& s) const {
  if (!s.header || s.header->stratum <= 1 || s.header->stratum >= config_.orphan_stratum) return false;
  const NtpTimestamp updated = s.header->reference_time;
  for (const auto& [id, f] : sources_) {
    if (&f == &s || f.address_id != s.header->refid || !f.reachable || !f.quiet) continue;
    if (updated.IsZero() || updated - f.quiet_since < NtpDuration::Zero()) return true;
  }
  return false;
}

select::Candidate System::MakeCandidate(uint32_t id, Source& s, MonoTime now) {
  select::Candidate c;
  c.id = id;
  c.prefer = s.flags.prefer;
  c.noselect = s.flags.noselect;
  c.trusted = s.flags.truechimer;
  if (!s.header || !s.filter.Current()) {
    s.pre_selection = PreSelection(s, s.loop);
    return c;
  }
  const filter::FilterOutput& f = *s.filter.Current();
  c.offset = f.offset;
  c.jitter = f.jitter;
  c.stratum = s.header->stratum;
  c.root_distance = select::RootDistance({f.delay, f.dispersion, f.jitter, f.when, s.header->root_delay.ToDuration(),
                                          s.header->root_dispersion.ToDuration()},
                                         now, config_.select.min_distance);
  s.root_distance = c.root_distance;
  c.quality = (s.header->root_delay.ToDuration() + f.delay).Half() + s.header->root_dispersion.ToDuration() + f.jitter;
  const bool loop = s.loop || Sibling(s);
  c.reachable = s.reachable && !s.quiet && !loop && !HasNoUsableTime(s.assoc_refusal);
  s.pre_selection = PreSelection(s, loop);
  return c;
}

select::SelectResult System::Reselect(MonoTime now) {
  for (auto& [id, s] : sources_) {
    s.loop = Loop(s);
    if (s.loop && !s.loop_reported) {
      s.loop_reported = true;
      new_loops_.push_back(id);
    }
  }
  if (hold_down_ && now >= hold_down_->until) hold_down_.reset();
  std::vector<select::Candidate> all;
  all.reserve(sources_.size());
  for (auto& [id, s] : sources_) all.push_back(MakeCandidate(id, s, now));
  // Normal operation: only sources below the orphan stratum.
  bool have_upstream = false;
  select::SelectResult r = SelectUpstream(all, have_upstream);
  if (StartsHoldDown(r)) {
    hold_down_ = HoldDown{snapshot_.stratum, now + RecommendedPoll().Interval().Scaled(kHoldDownPolls)};
    r = SelectUpstream(all, have_upstream);
  }
  if (hold_down_) MarkHeldDown(all);
  if (r.system_peer || config_.orphan_stratum >= kMaxStratum) return r;
  // No upstream, or too few to select from (minsane): the orphan election, before this node
  // may become a parent itself.
  select::SelectResult orphan = ElectOrphan(std::move(all));
  return orphan.system_peer || !have_upstream ? orphan : r;
}

// chrony's rule before the first selection: while a source has answered fewer times than the
// selectable ones, or is one sample short of selectable itself, wait for it, so that the first
// source to become selectable, perhaps a falseticker, is not followed (and stepped to) alone.
// Waits at most until the selectable ones have kStartSamples samples (a dead server costs that).
bool System::AwaitOthersAtStart() const {
  constexpr int kStartSamples = 4;
  int fit_samples = 0;
  for (const auto& [id, s] : sources_) {
    if (s.tally != select::Tally::kReject) fit_samples = std::max(fit_samples, s.filter.size());
  }
  if (fit_samples >= kStartSamples) return false;
  for (const auto& [id, s] : sources_) {
    if (s.flags.noselect || s.loop || s.quiet || s.tally != select::Tally::kReject) continue;
    if (s.filter.size() < fit_samples || s.filter.size() + 1 >= fit_samples) return true;
  }
  return false;
}

// The first update waits while the sources selection combines are no majority of the configured
// sources that have, or may have, a time of their own, and one of those has never answered (down,
// still resolving, a server restarting), for at most kStartWait from start: a wrong minority
// would otherwise be stepped to and the majority, once heard, would need a second step. After
// kStartWait the minority is followed (the others may be gone for good); if it proves wrong, the
// jump rule steps back once (docs/discipline.md). Not counted (they cannot outvote anything now):
// noselect, our own addresses, a source whose last answer had no usable time (LI = 3, stratum
// 16: it is up and says so), and a symmetric peer not heard yet. The symmetric exchange yields
// nothing before the peer's second transmit, a whole poll after the first (64 s), so its silence
// says nothing about it being down; and a cluster's peers start unsynchronized as we do and take
// their time from the same upstreams (peers.scn waited until the peers' second packets, 64-100 s,
// where its upstream alone had set every clock after 7 s).
bool System::AwaitMajorityAtStart(const select::SelectResult& r, MonoTime now) const {
  if (now - start_ >= kStartWait) return false;
  int configured = 0;
  int combined = 0;
  bool unheard = false;
  for (const auto& [id, s] : sources_) {
    if (s.flags.noselect || s.flags.self) continue;
    const bool answered = s.header || s.reachable;
    if (answered && HasNoUsableTime(s.assoc_refusal)) continue;
    if (!answered && s.flags.symmetric) continue;
    ++configured;
    if (!answered) unheard = true;
    if (Combined(id, r)) ++combined;
  }
  return unheard && 2 * combined <= configured;
}

void System::SetSyncedVariables(uint32_t peer, const select::SelectResult& r, UnixTime local_now) {
  const Source& s = sources_.at(peer);
  const filter::FilterOutput& f = *s.filter.Current();
  const Header& h = *s.header;
  upstream_leap_ = h.leap == Leap::kUnsynchronized ? Leap::kNoWarning : h.leap;
  snapshot_.leap = WireLeap(local_now);
  snapshot_.stratum = static_cast<uint8_t>(std::min<int>(h.stratum + 1, kMaxStratum - 1));
  snapshot_.refid = s.address_id;
  followed_ = s.address_id;
  snapshot_.precision = config_.precision;
  // RFC 5905 §11.2.3: the root delay and dispersion grow by this hop's.
  snapshot_.root_delay = h.root_delay.ToDuration() + f.delay;
  snapshot_.root_dispersion = h.root_dispersion.ToDuration() + f.dispersion + r.jitter;
  snapshot_.reference_time = local_now.ToNtp();
}

Leap System::WireLeap(UnixTime local_now) const {
  if (!config_.leap_table) return upstream_leap_;
  const LeapStatus s = LeapStatusAt(*config_.leap_table, NtpSecondsOf(local_now));
  if (s.expired) return upstream_leap_;  // the table no longer knows what comes: as without one
  return s.announce ? s.month_end : Leap::kNoWarning;
}

Leap System::KernelLeap(Leap wire, UnixTime local_now) {
  const bool leap = wire == Leap::kInsertSecond || wire == Leap::kDeleteSecond;
  return leap && !InLastDayOfMonth(NtpSecondsOf(local_now)) ? Leap::kNoWarning : wire;
}

void System::PushStatus(SystemUpdate& u, UnixTime local_now) {
  const NtpDuration max_error = snapshot_.root_delay.Half() + snapshot_.root_dispersion;
  kernel_leap_ = KernelLeap(snapshot_.leap, local_now);
  u.commands.emplace_back(SetSyncStatus{snapshot_.synchronized(), kernel_leap_, max_error, last_jitter_});
}

void System::RefreshLeap(SystemUpdate& u, UnixTime local_now) {
  leap_month_ = false;
  if (config_.leap_table) {
    const LeapStatus s = LeapStatusAt(*config_.leap_table, NtpSecondsOf(local_now));
    leap_month_ = !s.expired && s.leap_at.has_value();
  }
  if (!snapshot_.synchronized()) return;
  const Leap wire = WireLeap(local_now);
  if (wire != snapshot_.leap) {
    snapshot_.leap = wire;
    u.snapshot_changed = true;
  }
  if (KernelLeap(wire, local_now) != kernel_leap_) PushStatus(u, local_now);
}

bool System::Fallback(MonoTime now, UnixTime local_now) {
  const bool orphan_on = config_.orphan_stratum < kMaxStratum;
  // With `tos orphan`, a node that lost its system peer serves at the orphan stratum at once
  // (after `orphanwait` only at start-up). Keeping its old stratum instead (holdover) would make
  // the cluster's nodes look like upstream sources to each other and follow each other in loops
  // until their strata climbed; at the orphan stratum the lowest-id election applies at once.
  Mode next = mode_ == Mode::kSynced ? Mode::kHoldover : mode_;
  if (orphan_on && (mode_ != Mode::kUnsynchronized || now - start_ >= config_.orphan_wait)) {
    next = Mode::kOrphanParent;
  } else if (config_.local_stratum > 0) {
    next = Mode::kLocal;
  }
  const bool changed = next != mode_;
  mode_ = next;
  if (mode_ == Mode::kOrphanParent || mode_ == Mode::kLocal) {
    upstream_leap_ = Leap::kNoWarning;  // the reference: only a leap table announces a leap
    snapshot_.leap = WireLeap(local_now);
    snapshot_.stratum =
        static_cast<uint8_t>(mode_ == Mode::kOrphanParent ? config_.orphan_stratum : config_.local_stratum);
    snapshot_.refid = mode_ == Mode::kOrphanParent ? kOrphanRefId : config_.local_refid;
    snapshot_.root_delay = NtpDuration::Zero();
    snapshot_.root_dispersion = NtpDuration::Zero();
    snapshot_.reference_time = local_now.ToNtp();  // the local clock is its own reference, always fresh
    return true;
  }
  return changed;  // holdover: the snapshot ages (root dispersion grows at PHI from the reftime)
}

SystemUpdate System::AfterSelection(const select::SelectResult& r, std::optional<uint32_t> measured,
                                    const Sample* sample, MonoTime now, UnixTime local_now) {
  // A correction due to end ends first (its timer may come after this event).
  std::vector<ClockCommand> ended = discipline_.EndCorrection(now);
  SystemUpdate u = SelectAndDiscipline(r, measured, sample, now, local_now);
  u.commands.insert(u.commands.begin(), ended.begin(), ended.end());
  Explain(r);
  RefreshLeap(u, local_now);
  u.new_loops.swap(new_loops_);
  return u;
}

SystemUpdate System::SelectAndDiscipline(const select::SelectResult& r, std::optional<uint32_t> measured,
                                         const Sample* sample, MonoTime now, UnixTime local_now) {
  for (const auto& v : r.verdicts) sources_.at(v.id).tally = v.tally;
  last_offset_ = r.offset;
  last_jitter_ = r.jitter;
  SystemUpdate u;
  if (!r.system_peer) {
    system_peer_.reset();
    if (panic_offset_) return u;  // still refused: no fallback to this clock either
    u.snapshot_changed = Fallback(now, local_now);
    if (u.snapshot_changed) PushStatus(u, local_now);
    return u;
  }
  if (!system_peer_ && mode_ == Mode::kUnsynchronized && (AwaitOthersAtStart() || AwaitMajorityAtStart(r, now))) {
    return u;
  }
  const uint32_t peer = *r.system_peer;
  // Beyond the panic threshold nothing is followed until the peer's next sample decides again.
  if (panic_offset_ && (measured != peer || sample == nullptr)) return u;
  const bool peer_changed = system_peer_ != peer;
  system_peer_ = peer;
  if (mode_ == Mode::kOrphanParent) LeaveOrphanParent(peer, r, u, local_now);
  // After the first update, a new sample of any combined source updates the clock, as chrony
  // updates its reference on every selected source's sample: with N sources polled in turn the
  // clock is corrected N times per poll with the newest measurement instead of waiting up to a
  // poll for the system peer's (lan2p4: 16 s polls, the other server's sample 8 s older).
  const bool survivor_update = measured && sample != nullptr && measured != peer && !panic_offset_ &&
                               discipline_.state().updates > 0 && Combined(*measured, r);
  if (measured && sample != nullptr && measured != peer && !survivor_update) FeedSurvivor(*measured, *sample, r, now);
  if ((measured != peer && !survivor_update) || sample == nullptr) {
    if (peer_changed && mode_ == Mode::kSynced) {
      SetSyncedVariables(peer, r, local_now);
      u.snapshot_changed = true;
    }
    return u;
  }
  // A new sample of the system peer (or, once running, of any combined source) drives the
  // discipline; the samples of the other survivors join its history as they come, so the
  // regression combines them sample by sample, each weighted by its own delay
  // (docs/discipline.md). Before the first update they wait (FeedBacklog). Combining the
  // filters' picks instead mixes offsets of different ages: before the frequency is known that
  // is an error of the frequency error times the age gap (6 ms for 100 ppm and 64 s polls).
  // A falseticker's samples leave the history: fitted with the truechimers' they would span two
  // time scales (a first step onto a minority that proved wrong).
  for (const auto& v : r.verdicts) {
    if (v.tally == select::Tally::kFalseticker) discipline_.ForgetSource(v.id);
  }
  if (discipline_.state().updates == 0) FeedBacklog(r, sample->when, now);
  const discipline::DisciplineInput in{sample->offset, sample->delay, r.jitter, sample->when, now, *measured};
  discipline::DisciplineUpdate d = discipline_.Update(in);
  if (survivor_update && d.kind == discipline::UpdateKind::kIgnored) discipline_.AddSample(in);  // older than the last
  if (d.kind == discipline::UpdateKind::kPanic) return RefusePanic(sample->offset, std::move(u), local_now);
  if (panic_offset_ && d.kind == discipline::UpdateKind::kIgnored) {
    return RefusePanic(*panic_offset_, std::move(u), local_now);
  }
  u.commands = std::move(d.commands);
  u.stepped = d.kind == discipline::UpdateKind::kStepped;
  // The filters' samples predate these corrections: rewrite them as if the corrections had always
  // been in effect (as the discipline does with its own history), so that a filter's pick, which
  // may be several polls old, does not carry the drift the corrections removed into selection and
  // combining; after a step this also keeps the filters instead of emptying them (an emptied
  // filter needs about four polls before its source is selectable again, §10's dispersion).
  // (A sample taken while a correction runs carries its unfinished part: at most the estimate's
  // noise, and selection works at the scale of root distances.) A jump's step restores the clock
  // the samples before the jump were measured on: only the later ones are corrected.
  for (auto& [id, s] : sources_)
    s.filter.Correct(d.phase, d.frequency_change_ppm * 1e-6, now, discipline_.jump_since());
  // Synchronized once the frequency is measured too: after a first step without it the clock runs
  // off at its full frequency error (6 ms per 64 s at 100 ppm), and nodes that followed it then
  // would learn a wrong frequency from it (ntpd's FREQ state likewise withholds sync).
  const bool corrected = d.kind == discipline::UpdateKind::kSlewed || d.kind == discipline::UpdateKind::kStepped;
  if (corrected) {
    panic_offset_.reset();
    const discipline::DisciplineState& st = discipline_.state();
    u.loop = LoopEvent{st.offset, st.frequency_ppm, st.jitter, st.wander_ppm, st.poll, u.stepped};
  }
  if (corrected && discipline_.state().frequency_known) {
    mode_ = Mode::kSynced;
    SetSyncedVariables(peer, r, local_now);
    u.snapshot_changed = true;
    PushStatus(u, local_now);
  }
  return u;
}

bool System::Settling() const {
  if (!snapshot_.synchronized() || discipline_.state().holding) return true;
  if (mode_ != Mode::kSynced) return false;  // orphan parent, local clock, holdover
  const discipline::DisciplineState& d = discipline_.state();
  return d.samples < kSettleSamples &&
         (d.samples < kSettleMinSamples || d.frequency_error_ppm > kSettledPpm || d.span_s < kSettleSpanSeconds);
}

bool System::Combined(uint32_t id, const select::SelectResult& r) {
  for (const auto& v : r.verdicts) {
    if (v.id == id) return v.tally == select::Tally::kCandidate || v.tally == select::Tally::kSystemPeer;
  }
  return false;
}

void System::FeedSurvivor(uint32_t id, const Sample& sample, const select::SelectResult& r, MonoTime now) {
  if (discipline_.state().updates == 0 || !Combined(id, r)) return;  // before the first update: FeedBacklog
  discipline_.AddSample({sample.offset, sample.delay, r.jitter, sample.when, now, id});
}

void System::FeedBacklog(const select::SelectResult& r, MonoTime before, MonoTime now) {
  for (const auto& [id, s] : sources_) {
    if (!Combined(id, r)) continue;
    for (const Sample& x : s.filter.samples()) {
      if (x.when < before) discipline_.AddSample({x.offset, x.delay, r.jitter, x.when, now, id});
    }
  }
}

SystemUpdate System::SetReachable(uint32_t id, bool reachable, MonoTime now, UnixTime local_now) {
  auto it = sources_.find(id);
  if (it == sources_.end()) return {};
  it->second.reachable = reachable;
  if (!reachable) it->second.filter.Reset();
  return AfterSelection(Reselect(now), std::nullopt, nullptr, now, local_now);
}

SystemUpdate System::SetQuiet(uint32_t id, bool quiet, MonoTime now, UnixTime local_now) {
  auto it = sources_.find(id);
  if (it == sources_.end() || it->second.quiet == quiet) return {};
  it->second.quiet = quiet;
  if (quiet) it->second.quiet_since = local_now.ToNtp();
  return AfterSelection(Reselect(now), std::nullopt, nullptr, now, local_now);
}

SystemUpdate System::OnMeasurement(uint32_t id, const Measurement& m, MonoTime received, PollExp poll, MonoTime now,
                                   UnixTime local_now) {
  auto it = sources_.find(id);
  if (it == sources_.end()) return {};
  Source& s = it->second;
  s.header = m.server;
  s.reachable = true;
  s.assoc_refusal = Refusal::kNone;  // the reply passed every packet test
  const Sample sample{m.offset, m.delay, m.dispersion, received};
  const std::optional<filter::FilterOutput> accepted = s.filter.Add(sample, poll);
  SystemUpdate u = s.filter.Current() ? AfterSelection(Reselect(now), id, &sample, now, local_now)
                                      : AfterSelection(Reselect(now), std::nullopt, nullptr, now, local_now);
  // Recorded as it was accepted: the discipline's correction of the filter comes after.
  if (accepted) u.peer_samples.push_back(PeerSampleEvent{id, *accepted});
  return u;
}

bool System::SetTunables(const SystemConfig& config) {
  config_.select = config.select;
  config_.orphan_stratum = config.orphan_stratum;
  config_.orphan_wait = config.orphan_wait;
  config_.local_stratum = config.local_stratum;
  config_.local_refid = config.local_refid;
  config_.local_unit = config.local_unit;
  // Never serve stratum 0 (a `local` line removed) or a stratum-16 "orphan parent".
  const bool orphan_off = mode_ == Mode::kOrphanParent && config_.orphan_stratum >= kMaxStratum;
  const bool local_off = mode_ == Mode::kLocal && config_.local_stratum <= 0;
  if (!orphan_off && !local_off) return false;
  Unsynchronize();
  return true;
}

void System::Unsynchronize() {
  mode_ = Mode::kUnsynchronized;
  upstream_leap_ = Leap::kNoWarning;
  snapshot_ = SystemSnapshot{};
  snapshot_.precision = config_.precision;
}

bool System::TickWanted(MonoTime at) const {
  if (!system_peer_ || hold_down_ || at - start_ < kStartWait || leap_month_) return true;
  return snapshot_.leap != Leap::kNoWarning || upstream_leap_ != Leap::kNoWarning || kernel_leap_ != Leap::kNoWarning;
}

SystemUpdate System::OnTick(MonoTime now, UnixTime local_now) {
  return AfterSelection(Reselect(now), std::nullopt, nullptr, now, local_now);
}

}  // namespace tempus::core::system

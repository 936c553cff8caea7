// System, orphan election (the rule is in system.h's file comment; RFC 5905 has none: this is
// ntpd 4.2.8's clock_select() typeorphan rule, with a one-hop relay through a child and without
// the minsane count).
#include <utility>

#include "core/system/system.h"

namespace tempus::core::system {

select::SelectResult System::SelectUpstream(std::vector<select::Candidate> candidates, bool& have_upstream) const {
  have_upstream = false;
  for (select::Candidate& c : candidates) {
    const bool feasible = !hold_down_ || c.stratum <= hold_down_->stratum;
    c.reachable = c.reachable && c.stratum < config_.orphan_stratum && feasible;
    have_upstream |= c.reachable;
  }
  return select::Select(candidates, config_.select, system_peer_);
}

// Our stratum would rise (the peer was lost, fell quiet, or serves from our level or below
// now): the sources above our stratum may be synchronized through us, with news up to a poll
// old, and following one of them starts a cycle whose strata climb one per poll (at 1024 s polls
// a cluster could not climb to the orphan stratum within an hour; the partition scenario did).
// As a distance-vector protocol's feasibility condition: until the hold-down ends, only sources
// at our stratum or lower, which no node synchronized through us can serve.
bool System::StartsHoldDown(const select::SelectResult& r) const {
  if (hold_down_ || mode_ != Mode::kSynced || snapshot_.stratum >= config_.orphan_stratum) return false;
  if (!r.system_peer) return true;
  const Source& peer = sources_.at(*r.system_peer);
  return peer.header && peer.header->stratum >= snapshot_.stratum;
}

// For all we know they are synchronized through us: ntpd's TEST12, as a loop.
void System::MarkHeldDown(const std::vector<select::Candidate>& candidates) {
  size_t i = 0;
  for (auto& [id, s] : sources_) {
    const select::Candidate& c = candidates[i++];
    const bool held = c.stratum < config_.orphan_stratum && c.stratum > hold_down_->stratum;
    if (c.reachable && held && s.pre_selection == Refusal::kNone) s.pre_selection = Refusal::kLoop;
  }
}

// At the orphan stratum a source is a parent and stands for itself; one stratum below it is a
// child whose refid is its parent's address id (RFC 5905 §7.3: refid = the address of the
// system peer). Deeper sources are not followed in orphan operation (see system.h).
std::optional<RefId> System::OrphanRoot(const Source& s) const {
  if (!s.header) return std::nullopt;
  if (s.header->stratum == config_.orphan_stratum) return s.address_id;
  if (s.header->stratum == config_.orphan_stratum + 1) return s.header->refid;
  return std::nullopt;
}

select::SelectResult System::ElectOrphan(std::vector<select::Candidate> candidates) {
  std::vector<std::optional<RefId>> roots;
  roots.reserve(sources_.size());
  for (const auto& [id, s] : sources_) roots.push_back(OrphanRoot(s));
  // The lowest root a usable source stands for, if lower than our own id: otherwise we lead.
  std::optional<uint32_t> elected;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const select::Candidate& c = candidates[i];
    const bool usable = c.reachable && !c.noselect && c.root_distance <= config_.select.max_distance;
    if (!usable || !roots[i] || roots[i]->raw() >= config_.self_id.raw()) continue;
    if (!elected || roots[i]->raw() < *elected) elected = roots[i]->raw();
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    select::Candidate& c = candidates[i];
    c.reachable = c.reachable && elected && roots[i] && roots[i]->raw() == *elected;
    // The parent's children only relay its clock: their agreement is no evidence a vote could
    // weigh, so none of them is a falseticker or an outlier (the stratum-first merit order and
    // combining make the parent itself the peer whenever it is heard directly).
    c.trusted = c.trusted || c.reachable;
  }
  // One reference by construction: `tos minsane` (independent upstreams that must agree) does
  // not apply; requiring it would make the children parents too (a split).
  select::SelectConfig config = config_.select;
  config.min_sane = 1;
  return select::Select(candidates, config, system_peer_);
}

// A second node serving at the orphan stratum would split the cluster, so a parent that follows a
// source leaves the role at once: with its frequency known it serves the peer's stratum + 1 (as
// after any change of system peer); before that (a cold start: every node became a parent when
// `orphanwait` ran out) it is unsynchronized until its discipline knows the frequency.
void System::LeaveOrphanParent(uint32_t peer, const select::SelectResult& r, SystemUpdate& u, UnixTime local_now) {
  if (discipline_.state().frequency_known) {
    mode_ = Mode::kSynced;
    SetSyncedVariables(peer, r, local_now);
  } else {
    Unsynchronize();
  }
  u.snapshot_changed = true;
  PushStatus(u, local_now);
}

}  // namespace tempus::core::system

// System: why each source is not used, why the system follows none, and the panic refusal
// (see system.h).
#include "core/system/system.h"

namespace tempus::core::system {
namespace {

bool Survivor(select::Tally t) {
  return t == select::Tally::kCandidate || t == select::Tally::kBackup || t == select::Tally::kSystemPeer ||
         t == select::Tally::kPpsPeer;
}

}  // namespace

std::vector<std::pair<uint32_t, Refusal>> System::Refusals() const {
  std::vector<std::pair<uint32_t, Refusal>> out;
  out.reserve(sources_.size());
  for (const auto& [id, s] : sources_) out.emplace_back(id, s.refusal);
  return out;
}

SystemUpdate System::SetAssociationRefusal(uint32_t id, Refusal refusal, MonoTime now, UnixTime local_now) {
  auto it = sources_.find(id);
  if (it == sources_.end() || it->second.assoc_refusal == refusal) return {};
  it->second.assoc_refusal = refusal;
  return AfterSelection(Reselect(now), std::nullopt, nullptr, now, local_now);
}

// The association's verdict first: it says why a source that answers is unreachable (bad MACs,
// bad origins) or why its samples stopped. Then ntpd's peer_unfit order: unreachable or noselect
// (TEST13), a loop (TEST12).
Refusal System::PreSelection(const Source& s, bool loop) {
  if (s.assoc_refusal != Refusal::kNone) return s.assoc_refusal;
  if (!s.reachable || s.quiet) return Refusal::kUnreachable;
  if (s.flags.noselect) return Refusal::kNoSelect;
  if (loop) return Refusal::kLoop;
  return Refusal::kNone;
}

void System::Explain(const select::SelectResult& r) {
  const bool too_few = !r.system_peer && r.truechimers > 0;
  for (const select::Verdict& v : r.verdicts) {
    Source& s = sources_.at(v.id);
    // While the panic refusal lasts nothing is the system peer ('*' would claim it is followed).
    if (panic_offset_ && (s.tally == select::Tally::kSystemPeer || s.tally == select::Tally::kPpsPeer)) {
      s.tally = select::Tally::kCandidate;
    }
    Refusal why = s.pre_selection;  // PreSelection's verdict stands when it has one
    if (why != Refusal::kNone) {
    } else if (s.tally == select::Tally::kFalseticker) {
      why = Refusal::kFalseticker;
    } else if (s.tally == select::Tally::kReject) {
      // Reachable, selectable and measured, yet not sane: λ beyond maxdist (RFC 5905 §11.2.1).
      if (s.header && s.filter.Current() && s.root_distance > config_.select.max_distance) why = Refusal::kDistance;
    } else if (too_few) {
      why = Refusal::kTooFewSources;
    } else if (panic_offset_ && Survivor(s.tally)) {
      why = Refusal::kPanic;
    }
    if (why != s.refusal) ++refusal_changes_;
    s.refusal = why;
  }
  const Refusal system = SystemRefusal(r);
  if (system != refusal_) ++refusal_changes_;
  refusal_ = system;
}

Refusal System::SystemRefusal(const select::SelectResult& r) const {
  if (panic_offset_) return Refusal::kPanic;
  if (system_peer_ || r.system_peer || mode_ == Mode::kOrphanParent || mode_ == Mode::kLocal) return Refusal::kNone;
  if (r.truechimers > 0) return Refusal::kTooFewSources;
  std::optional<Refusal> shared;
  for (const auto& [id, s] : sources_) {
    if (s.refusal == Refusal::kFalseticker) return Refusal::kFalseticker;
    if (!shared) shared = s.refusal;
    if (*shared != s.refusal) shared = Refusal::kNone;
  }
  return shared.value_or(Refusal::kNone);
}

SystemUpdate System::RefusePanic(NtpDuration offset, SystemUpdate u, UnixTime local_now) {
  panic_offset_ = offset;
  system_peer_.reset();
  mode_ = Mode::kUnsynchronized;
  if (snapshot_.synchronized()) {
    upstream_leap_ = Leap::kNoWarning;
    snapshot_.leap = Leap::kUnsynchronized;
    snapshot_.stratum = kMaxStratum;
    snapshot_.refid = RefId::FromCode("INIT");  // as before the first synchronization
    u.snapshot_changed = true;
    PushStatus(u, local_now);
  }
  return u;
}

}  // namespace tempus::core::system

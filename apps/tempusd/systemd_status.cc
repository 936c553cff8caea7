#include "systemd_status.h"

#include <fmt/format.h>

#include "cli/why.h"
#include "notify.h"

namespace tempus::daemon {

std::string SyncStatusLine(const core::report::NodeSnapshot& snapshot) {
  if (const core::report::SourceSnapshot* peer = snapshot.SystemPeerSource()) {
    return fmt::format("synchronized to {}, offset {:+.6f} s", peer->association.config.address.ToStringWithPort(),
                       snapshot.system_offset.Seconds());
  }
  if (snapshot.LocalClockPeer()) return fmt::format("serving the local clock at stratum {}", snapshot.system.stratum);
  if (snapshot.orphan_parent) return "orphan parent: serving its own clock";
  std::optional<double> refused;
  if (snapshot.panic_offset) refused = snapshot.panic_offset->Seconds();
  const std::string why = cli::WhyNotSynchronized(snapshot.refusal, refused);
  return why.empty() ? "not synchronized" : "not synchronized: " + why;
}

std::string SystemdStatus::Line() { return reload_note_ + SyncStatusLine(node_.Snapshot()); }

void SystemdStatus::Ready() {
  sync_sent_ = SyncStatusLine(node_.Snapshot());
  sent_ = Line();
  NotifyReady(sent_);
}

void SystemdStatus::Tick() {
  const std::string sync = SyncStatusLine(node_.Snapshot());
  if (sync != sync_sent_ && !note_sticks_) reload_note_.clear();
  const std::string line = reload_note_ + sync;
  if (line == sent_) return;
  sync_sent_ = sync;
  sent_ = line;
  NotifyStatus(sent_);
}

void SystemdStatus::Reloading() { NotifyReloading(); }

void SystemdStatus::Reloaded(const ReloadOutcome& outcome) {
  note_sticks_ = !outcome.ok;
  reload_note_ = outcome.ok ? "reload ok; "
                            : fmt::format("reload failed: {} (running configuration kept); ", outcome.error);
  Ready();
}

}  // namespace tempus::daemon

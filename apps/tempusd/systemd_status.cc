#include "systemd_status.h"

#include <fmt/format.h>

#include "cli/why.h"
#include "notify.h"

namespace tempus::daemon {

std::string SyncStatusLine(const engine::Node& node) {
  const auto& sys = node.system();
  if (auto peer = sys.system_peer(); peer && node.associations().count(*peer)) {
    return fmt::format("synchronized to {}, offset {:+.6f} s",
                       node.associations().at(*peer)->config().address.ToStringWithPort(), sys.offset().Seconds());
  }
  if (sys.local_clock_peer()) return fmt::format("serving the local clock at stratum {}", sys.Snapshot().stratum);
  if (sys.orphan_parent()) return "orphan parent: serving its own clock";
  std::optional<double> refused;
  if (auto panic = sys.panic_offset()) refused = panic->Seconds();
  const std::string why = cli::WhyNotSynchronized(sys.refusal(), refused);
  return why.empty() ? "not synchronized" : "not synchronized: " + why;
}

std::string SystemdStatus::Line() const { return reload_note_ + SyncStatusLine(node_); }

void SystemdStatus::Ready() {
  sync_sent_ = SyncStatusLine(node_);
  sent_ = Line();
  NotifyReady(sent_);
}

void SystemdStatus::Tick() {
  const std::string sync = SyncStatusLine(node_);
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

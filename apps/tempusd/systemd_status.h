// What systemd is told about a running tempusd (sd_notify, notify.h): READY=1 once serving, the
// STATUS= line whenever its text changes (synchronized to whom and the offset, or why not, in
// the words `tempus status` uses: cli/why.h), RELOADING=1 ... READY=1 around a SIGHUP reload with
// the reload's outcome in STATUS=. A failed reload's error stays in the line until a reload
// succeeds; "reload ok" until the synchronization part changes. Runs on the loop's thread.
#ifndef TEMPUS_APPS_TEMPUSD_SYSTEMD_STATUS_H_
#define TEMPUS_APPS_TEMPUSD_SYSTEMD_STATUS_H_

#include <string>

#include "engine/node.h"
#include "reload.h"

namespace tempus::daemon {

// "synchronized to 127.0.0.2:123, offset +0.000012 s", "not synchronized: no source is reachable":
// read from the node's snapshot alone (engine::Node::Snapshot), as mode 6 and Prometheus are.
std::string SyncStatusLine(const core::report::NodeSnapshot& snapshot);

class SystemdStatus {
 public:
  // `node` must outlive this object.
  explicit SystemdStatus(engine::Node& node) : node_(node) {}

  // READY=1 with the first STATUS= line.
  void Ready();
  // Sends STATUS= when the line changed (call every second or so).
  void Tick();
  // RELOADING=1 before a reload; READY=1 after it with its outcome.
  void Reloading();
  void Reloaded(const ReloadOutcome& outcome);

  // The line as it is now.
  std::string Line();

 private:
  engine::Node& node_;        // Snapshot() reads its clock
  std::string reload_note_;   // "reload ok; " or "reload failed: ...; ", prefixed to the line
  bool note_sticks_ = false;  // a failure stays until a reload succeeds
  std::string sync_sent_;     // the synchronization part last sent
  std::string sent_;          // the whole line last sent
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_SYSTEMD_STATUS_H_

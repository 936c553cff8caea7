// What a tempusd or ntpd says of its own synchronization over mode 6 (RFC 9327 READVAR of
// association 0, then the system peer's address): read by `tempus status` to print it and by
// `tempus waitsync` to wait for it, so that both judge "synchronized" the same way.
#ifndef TEMPUS_APPS_TEMPUS_SYNC_STATE_H_
#define TEMPUS_APPS_TEMPUS_SYNC_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "mode6_client.h"
#include "nts_view.h"

namespace tempus::app {

struct SyncState {
  std::map<std::string, std::string> variables;  // the system variables as read
  uint16_t status = 0;                           // the system status word
  int leap = 3;
  int stratum = 16;
  bool synchronized = false;               // leap != 3 and stratum 1..15
  std::string system_peer;                 // "127.0.0.2:123", "LOCAL(0)"; empty: none
  std::optional<NtsView> system_peer_nts;  // the system peer's NTS state, when it is an NTS source of a tempusd
  double offset_ms = 0;                    // the system offset at the last clock update
  // clock observe: how far the system clock is behind the time served (sysclk_offset), ms.
  std::optional<double> system_clock_offset_ms;
  std::string why;  // tempusd: why it follows no source (cli/why.h); empty otherwise
};

// Reads the state of the server `client` talks to.
[[nodiscard]] Result<SyncState, Mode6Failure> ReadSyncState(Mode6Client& client);

// A number of `v` (0 when absent or not a number).
double NumberOf(const std::map<std::string, std::string>& v, const std::string& name);

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_SYNC_STATE_H_

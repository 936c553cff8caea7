// DriftKeeper: the daemon's side of the driftfile: what is applied at start, what is written when.
//
// At start it removes temporaries a killed write left and hands the stored frequency to the
// discipline (unless `tinker freq` gave one). Hourly and at exit it writes the discipline's
// estimate only when it is better than the stored one (config::ShouldReplaceDrift): a run of a
// few seconds no longer replaces what a long run measured. With `clock observe` the file is
// neither applied nor written (logged once): the kernel clock is not steered, its frequency is
// whatever another program set, and what observe measures on top of it is no driftfile value
// (ntpd's /var/lib/ntp/drift pointed at by a trial must stay ntpd's). Logs through Log().
#ifndef TEMPUS_APPS_TEMPUSD_DRIFT_KEEPER_H_
#define TEMPUS_APPS_TEMPUSD_DRIFT_KEEPER_H_

#include <optional>
#include <string>
#include <string_view>

#include "config/driftfile.h"
#include "core/discipline/discipline.h"

namespace tempus::daemon {

class DriftKeeper {
 public:
  // `path`: the driftfile ("" for none); `stored`: what it held at start (nullopt: missing or
  // unusable, already reported by LoadConfig).
  DriftKeeper(std::string path, std::string_view clock_kind, std::optional<config::DriftEstimate> stored);

  // Before the node starts: cleans up and sets discipline->initial_frequency_ppm as described.
  void Start(core::discipline::DisciplineConfig* discipline);
  // Writes `state`'s estimate if it is better than the stored one. `at_exit` also logs a kept file.
  void Save(const core::discipline::DisciplineState& state, bool at_exit);

 private:
  std::string path_;
  bool observe_;
  std::optional<config::DriftEstimate> stored_;
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_DRIFT_KEEPER_H_

// Config -> core settings.
#include "config/to_core.h"

#include <climits>

namespace tempus::config {

core::AssociationConfig ToAssociationConfig(const ServerConfig& server, const core::NetAddress& resolved) {
  core::AssociationConfig a;
  a.address = resolved.port() != 0 ? resolved : resolved.WithPort(server.port);
  a.mode = core::Mode::kClient;
  a.minpoll = server.minpoll;
  a.maxpoll = server.maxpoll;
  a.version = static_cast<uint8_t>(server.version);
  a.iburst = server.iburst;
  a.burst = server.burst;
  a.prefer = server.prefer;
  a.noselect = server.noselect;
  a.truechimer = server.truechimer;
  a.pool = server.kind == AssocKind::kPool;
  return a;
}

core::system::SystemConfig ToSystemConfig(const Config& config, core::system::SystemConfig defaults) {
  core::system::SystemConfig s = std::move(defaults);
  const TosConfig& tos = config.tos;
  if (tos.minsane) s.select.min_sane = *tos.minsane;
  if (tos.minclock) s.select.min_clock = *tos.minclock;
  if (tos.maxclock) s.select.max_clock = *tos.maxclock;
  if (tos.maxdist_s) s.select.max_distance = core::NtpDuration::FromSeconds(*tos.maxdist_s);
  if (tos.mindist_s) s.select.min_distance = core::NtpDuration::FromSeconds(*tos.mindist_s);
  if (tos.orphan) s.orphan_stratum = *tos.orphan;
  if (tos.orphanwait_s) s.orphan_wait = core::NtpDuration::FromSeconds(*tos.orphanwait_s);

  const TinkerConfig& t = config.tinker;
  auto& d = s.discipline;
  if (t.step_s) d.step_threshold = core::NtpDuration::FromSeconds(*t.step_s);
  if (t.stepout_s) d.stepout = core::NtpDuration::FromSeconds(*t.stepout_s);
  if (t.panic_s) d.panic_threshold = core::NtpDuration::FromSeconds(*t.panic_s);
  if (t.freq_ppm) d.initial_frequency_ppm = *t.freq_ppm;  // tinker freq overrides the driftfile
  if (config.makestep) {
    d.makestep_threshold = core::NtpDuration::FromSeconds(config.makestep->threshold_s);
    d.makestep_limit = config.makestep->limit < 0 ? INT_MAX : config.makestep->limit;
  }
  if (config.local_clock) s.local_stratum = config.local_clock->stratum;
  return s;
}

}  // namespace tempus::config

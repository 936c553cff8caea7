// sd_notify(3) when built with libsystemd (Type=notify units); otherwise nothing happens. Every
// call is a no-op when NOTIFY_SOCKET is not set (not started by systemd).
#ifndef TEMPUS_APPS_TEMPUSD_NOTIFY_H_
#define TEMPUS_APPS_TEMPUSD_NOTIFY_H_

#include <optional>
#include <string>

#include "core/time/ntp_duration.h"

namespace tempus::daemon {

// Tells systemd the daemon is serving (READY=1), with a STATUS= line; also ends a reload.
void NotifyReady(const std::string& status);
// Updates the STATUS= line systemctl status shows ("synchronized to X, offset Y").
void NotifyStatus(const std::string& status);
// Starts a reload: RELOADING=1 with MONOTONIC_USEC= (CLOCK_MONOTONIC now, µs), which systemd 253's
// Type=notify-reload requires and older versions ignore; NotifyReady ends it.
void NotifyReloading();
void NotifyStopping();
// WATCHDOG=1: the timing loop is alive.
void NotifyWatchdog();
// The interval within which systemd expects WATCHDOG=1 (WatchdogSec=, passed as WATCHDOG_USEC and
// WATCHDOG_PID: sd_watchdog_enabled(3)); nothing when the watchdog is off or the build lacks
// libsystemd.
std::optional<core::NtpDuration> WatchdogInterval();

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_NOTIFY_H_

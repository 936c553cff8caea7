// sd_notify(3) when built with libsystemd (Type=notify units); otherwise nothing happens.
#ifndef TEMPUS_APPS_TEMPUSD_NOTIFY_H_
#define TEMPUS_APPS_TEMPUSD_NOTIFY_H_

#include <string>

namespace tempus::daemon {

// Tells systemd the daemon is serving (READY=1), with a first STATUS= line.
void NotifyReady(const std::string& status);
// Updates the STATUS= line systemctl status shows ("synchronized to X, offset Y").
void NotifyStatus(const std::string& status);
// RELOADING=1 then READY=1 around a SIGHUP reload, and STOPPING=1 at exit.
void NotifyReloading();
void NotifyStopping();

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_NOTIFY_H_

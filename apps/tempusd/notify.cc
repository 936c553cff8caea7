#include "notify.h"

#ifdef TEMPUS_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace tempus::daemon {

#ifdef TEMPUS_HAVE_SYSTEMD
void NotifyReady(const std::string& status) { sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str()); }
void NotifyStatus(const std::string& status) { sd_notifyf(0, "STATUS=%s", status.c_str()); }
void NotifyReloading() { sd_notify(0, "RELOADING=1"); }
void NotifyStopping() { sd_notify(0, "STOPPING=1"); }
#else
void NotifyReady(const std::string&) {}
void NotifyStatus(const std::string&) {}
void NotifyReloading() {}
void NotifyStopping() {}
#endif

}  // namespace tempus::daemon

#include "notify.h"

#include <time.h>

#include <cinttypes>
#include <cstdint>

#ifdef TEMPUS_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace tempus::daemon {

#ifdef TEMPUS_HAVE_SYSTEMD
namespace {

// The status text on one line: a newline in it (from a file name or a configuration error) would
// start another assignment of the notification (READY=1, MAINPID=...).
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return text;
}

}  // namespace

void NotifyReady(const std::string& status) { sd_notifyf(0, "READY=1\nSTATUS=%s", OneLine(status).c_str()); }
void NotifyStatus(const std::string& status) { sd_notifyf(0, "STATUS=%s", OneLine(status).c_str()); }
void NotifyReloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t usec = static_cast<uint64_t>(now.tv_sec) * 1000000u + static_cast<uint64_t>(now.tv_nsec) / 1000u;
  sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, usec);
}
void NotifyStopping() { sd_notify(0, "STOPPING=1"); }
void NotifyWatchdog() { sd_notify(0, "WATCHDOG=1"); }
std::optional<core::NtpDuration> WatchdogInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return core::NtpDuration::FromSeconds(static_cast<double>(usec) / 1e6);
}
#else
void NotifyReady(const std::string&) {}
void NotifyStatus(const std::string&) {}
void NotifyReloading() {}
void NotifyStopping() {}
void NotifyWatchdog() {}
std::optional<core::NtpDuration> WatchdogInterval() { return std::nullopt; }
#endif

}  // namespace tempus::daemon

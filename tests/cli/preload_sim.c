/* preload_sim.c: LD_PRELOAD stand-in for clknetsim's client library, for tests/cli/preload_sim.sh.
 *
 * clknetsim (the simulator of chrony's test suite) runs real daemons with a preloaded library
 * that replaces their clock and network calls. The project's tests cannot depend on it, so this
 * library copies the parts of its contract that a daemon's start and main loop meet
 * (clknetsim's client.c):
 *   - syscall(2) with a number it does not know aborts ("client.c: syscall: Assertion 0");
 *     clock_adjtime, getrandom, futex and gettid are known;
 *   - cap_set_proc() is a stub that succeeds (chronyd drops its privileges through it);
 *   - every clock adjustment (adjtimex, ntp_adjtime, clock_adjtime, clock_settime,
 *     settimeofday, adjtime) goes to the simulator, here a stored struct timex: never the kernel;
 *   - poll() reports a descriptor it does not know (anything but a socket) as readable at once,
 *     where clknetsim's simulated time would move only while poll waits.
 * At exit it appends "polls N clock_writes M" to $PRELOAD_SIM_LOG (or stderr), so that the test
 * can tell a loop that waits from one that spins.
 *
 * Build: cc -O2 -Wall -Wextra -Werror -shared -fPIC -o preload_sim.so preload_sim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static unsigned long polls;
static unsigned long clock_writes;
static struct timex simulated; /* the simulated kernel clock state */

static void Report(const char *line) {
  const char *path = getenv("PRELOAD_SIM_LOG");
  int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : 2;
  if (fd < 0) return;
  ssize_t w = write(fd, line, strlen(line));
  (void)w;
  if (path) close(fd);
}

__attribute__((destructor)) static void AtExit(void) {
  char line[96];
  snprintf(line, sizeof line, "polls %lu clock_writes %lu\n", polls, clock_writes);
  Report(line);
}

static int SimulatedAdjtime(struct timex *tx) {
  if (tx == NULL) {
    errno = EFAULT;
    return -1;
  }
  if (tx->modes != 0) ++clock_writes;
  if (tx->modes & ADJ_FREQUENCY) simulated.freq = tx->freq;
  if (tx->modes & ADJ_STATUS) simulated.status = tx->status;
  *tx = simulated;
  return TIME_OK;
}

int adjtimex(struct timex *tx) { return SimulatedAdjtime(tx); }
int __adjtimex(struct timex *tx) { return SimulatedAdjtime(tx); }
int ntp_adjtime(struct timex *tx) { return SimulatedAdjtime(tx); }
int clock_adjtime(clockid_t clk, struct timex *tx) {
  (void)clk;
  return SimulatedAdjtime(tx);
}
int clock_settime(clockid_t clk, const struct timespec *ts) {
  (void)clk;
  (void)ts;
  ++clock_writes;
  return 0;
}
int settimeofday(const struct timeval *tv, const struct timezone *tz) {
  (void)tv;
  (void)tz;
  ++clock_writes;
  return 0;
}
int adjtime(const struct timeval *delta, struct timeval *old) {
  if (delta != NULL) ++clock_writes;
  if (old != NULL) memset(old, 0, sizeof *old);
  return 0;
}

int cap_set_proc(void *caps) {
  (void)caps;
  return 0;
}

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(ap, long);
  va_end(ap);
  switch (number) {
    case SYS_clock_adjtime:
      return SimulatedAdjtime((struct timex *)a[1]);
    case SYS_getrandom:
    case SYS_futex:
    case SYS_gettid: {
      typedef long (*Fn)(long, ...);
      Fn real = (Fn)dlsym(RTLD_NEXT, "syscall");
      return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    default: {
      char line[96];
      snprintf(line, sizeof line, "preload_sim: syscall %ld: Assertion 0 (as clknetsim)\n", number);
      Report(line);
      abort();
    }
  }
}

int poll(struct pollfd *fds, nfds_t count, int timeout) {
  ++polls;
  int unknown = 0;
  for (nfds_t i = 0; i < count; ++i) {
    struct stat st;
    fds[i].revents = 0;
    if (fds[i].fd < 0 || !(fds[i].events & POLLIN)) continue;
    if (fstat(fds[i].fd, &st) == 0 && S_ISSOCK(st.st_mode)) continue;
    fds[i].revents = POLLIN;
    ++unknown;
  }
  if (unknown > 0) return unknown;
  typedef int (*Fn)(struct pollfd *, nfds_t, int);
  Fn real = (Fn)dlsym(RTLD_NEXT, "poll");
  return real(fds, count, timeout);
}

int __poll_chk(struct pollfd *fds, nfds_t count, int timeout, size_t size) {
  (void)size;
  return poll(fds, count, timeout);
}

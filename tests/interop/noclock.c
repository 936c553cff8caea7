/* noclock.c: LD_PRELOAD guard that keeps the interop tests' processes off the system clock.
 *
 * The interop tests run real chronyd, NTPsec ntpd and tempus next to each other. This library
 * is the third of three safety layers (private network namespace, CAP_SYS_TIME dropped, this
 * guard; see tests/interop/lib.sh). Every libc entry point that can change the clock is
 * intercepted: pure reads (modes == 0, adjtime with a NULL delta) pass through to libc; every
 * write is never forwarded, is logged as one "BLOCKED" line to $NOCLOCK_LOG (or stderr) and
 * fails with EPERM, as the kernel itself would without CAP_SYS_TIME. NTPsec 1.2.2 calls
 * ntp_adjtime with mode bits at every start even with "disable ntp", so its log is not empty.
 *
 * Build: cc -O2 -Wall -Wextra -Werror -shared -fPIC -o noclock.so noclock.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

extern char *program_invocation_short_name;

/* Appends one line "noclock: PROG[PID] BLOCKED ..." to $NOCLOCK_LOG (or stderr); keeps errno. */
static void Note(const char *fmt, ...) {
  int saved_errno = errno;
  char line[320];
  int n = snprintf(line, sizeof line, "noclock: %s[%d] BLOCKED ", program_invocation_short_name,
                   (int)getpid());
  if (n < 0) n = 0;
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
  va_end(ap);
  if (m > 0) n += m;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  const char *path = getenv("NOCLOCK_LOG");
  int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : 2;
  if (fd >= 0) {
    ssize_t w = write(fd, line, (size_t)n);
    (void)w;
    if (path) close(fd);
  }
  errno = saved_errno;
}

/* Looks up the next definition of SYMBOL (libc's), or NULL. */
static void *Next(const char *symbol) { return dlsym(RTLD_NEXT, symbol); }

/* NULL test that the compiler cannot drop: libc's headers declare some of these pointers
 * nonnull, but a caller may still pass NULL and the guard must not crash on it. */
static int IsNull(const void *p) {
  const void *volatile q = p;
  return q == NULL;
}

static int Refuse(void) {
  errno = EPERM;
  return -1;
}

typedef int (*TimexFn)(struct timex *);

/* adjtimex, __adjtimex and ntp_adjtime: a read when modes == 0, else a write. */
static int GuardTimex(const char *name, struct timex *tx) {
  if (!IsNull(tx) && tx->modes == 0) {
    TimexFn real = (TimexFn)Next(name);
    if (real == NULL) real = (TimexFn)Next("adjtimex");
    if (real == NULL) return Refuse();
    return real(tx);
  }
  Note("%s(modes=0x%x)", name, IsNull(tx) ? 0u : tx->modes);
  return Refuse();
}

int adjtimex(struct timex *tx) { return GuardTimex("adjtimex", tx); }
int __adjtimex(struct timex *tx) { return GuardTimex("__adjtimex", tx); }
int ntp_adjtime(struct timex *tx) { return GuardTimex("ntp_adjtime", tx); }

int clock_adjtime(clockid_t clk, struct timex *tx) {
  if (!IsNull(tx) && tx->modes == 0) {
    typedef int (*Fn)(clockid_t, struct timex *);
    Fn real = (Fn)Next("clock_adjtime");
    if (real == NULL) return Refuse();
    return real(clk, tx);
  }
  Note("clock_adjtime(clock=%d, modes=0x%x)", (int)clk, IsNull(tx) ? 0u : tx->modes);
  return Refuse();
}

int adjtime(const struct timeval *delta, struct timeval *old) {
  if (IsNull(delta)) { /* reads the outstanding slew only */
    typedef int (*Fn)(const struct timeval *, struct timeval *);
    Fn real = (Fn)Next("adjtime");
    if (real == NULL) return Refuse();
    return real(NULL, old);
  }
  Note("adjtime(%ld.%06ld)", (long)delta->tv_sec, (long)delta->tv_usec);
  return Refuse();
}

int settimeofday(const struct timeval *tv, const struct timezone *tz) {
  (void)tz;
  Note("settimeofday(%ld)", IsNull(tv) ? -1L : (long)tv->tv_sec);
  return Refuse();
}

int clock_settime(clockid_t clk, const struct timespec *ts) {
  Note("clock_settime(clock=%d, %ld)", (int)clk, IsNull(ts) ? -1L : (long)ts->tv_sec);
  return Refuse();
}

int stime(const time_t *t) {
  Note("stime(%ld)", IsNull(t) ? -1L : (long)*t);
  return Refuse();
}

/* syscall(2) wrapper: refuses the clock-writing system calls made through it, passes all others. */
long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(ap, long);
  va_end(ap);
  switch (number) {
    case SYS_settimeofday:
    case SYS_clock_settime:
      Note("syscall(%ld)", number);
      return Refuse();
    case SYS_adjtimex:
      if (a[0] != 0 && ((struct timex *)a[0])->modes == 0) break;
      Note("syscall(adjtimex)");
      return Refuse();
    case SYS_clock_adjtime:
      if (a[1] != 0 && ((struct timex *)a[1])->modes == 0) break;
      Note("syscall(clock_adjtime)");
      return Refuse();
    default:
      break;
  }
  typedef long (*Fn)(long, ...);
  Fn real = (Fn)Next("syscall");
  if (real == NULL) return Refuse();
  return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

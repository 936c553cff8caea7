// PollLoop: poll(), timers from the monotonic clock, and signals through flags and a self-pipe
// (or flags alone under a poll that reports the pipe always readable).
#include "io/poll_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>

#include "base/check.h"
#include "core/time/unix_time.h"

namespace tempus::io {
namespace {

// Signal handlers can reach nothing but globals: these are the only ones in the edge. One flag
// per signal number, and the write end of the owning loop's self-pipe.
volatile sig_atomic_t g_pending[NSIG];
// Set after a flag of g_pending (a lock-free atomic: safe in a handler, and ordered for a handler
// that runs on another thread): the loop reads the flags only when it is set.
std::atomic<bool> g_any_pending{false};
static_assert(std::atomic<bool>::is_always_lock_free);
volatile sig_atomic_t g_wake_fd = -1;
std::atomic<bool> g_signals_owned{false};

extern "C" void OnSignal(int signal) {
  const int saved_errno = errno;
  if (signal > 0 && signal < NSIG) g_pending[signal] = 1;
  g_any_pending.store(true, std::memory_order_release);
  const int fd = g_wake_fd;
  if (fd >= 0) {
    const char byte = 0;
    [[maybe_unused]] const ssize_t ignored = write(fd, &byte, 1);  // a full pipe already wakes the loop
  }
  errno = saved_errno;
}

bool MakeNonBlockingCloexec(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  const int fdfl = fcntl(fd, F_GETFD);
  return fl >= 0 && fdfl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) == 0;
}

}  // namespace

core::MonoTime MonoNow() {
  timespec ts{};
  TEMPUS_CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
  // MonoTime::FromNanos(tv_sec * 1e9 + tv_nsec) to the bit (whole seconds are whole units),
  // without its divisions: the loop reads this on every wake-up.
  const core::UnixTime t = core::UnixTime::FromTimespec(ts.tv_sec, ts.tv_nsec);
  return core::MonoTime::FromSinceOrigin(core::NtpDuration::FromRaw(t.seconds() * (int64_t{1} << 32) + t.fraction()));
}

PollLoop::PollLoop() : PollLoop(&MonoNow) {}

PollLoop::PollLoop(MonoClock mono) : PollLoop(std::move(mono), &::poll) {}

PollLoop::PollLoop(MonoClock mono, PollFunction poll_function)
    : mono_(std::move(mono)), poll_(std::move(poll_function)) {
  TEMPUS_CHECK(mono_ != nullptr && poll_ != nullptr);
}

PollLoop::~PollLoop() {
  if (!saved_actions_.empty() || wake_read_ >= 0) {
    // Reverse order, so a signal registered twice gets its original disposition back.
    for (auto it = saved_actions_.rbegin(); it != saved_actions_.rend(); ++it)
      ::sigaction(it->first, &it->second, nullptr);
    g_wake_fd = -1;
    g_signals_owned = false;
  }
  if (wake_read_ >= 0) close(wake_read_);
  if (wake_write_ >= 0) close(wake_write_);
}

void PollLoop::Watch(int fd, short events, FdCallback callback) {
  TEMPUS_CHECK(fd >= 0 && callback != nullptr);
  watchers_[fd] = Watcher{events, std::make_shared<FdCallback>(std::move(callback))};
}

void PollLoop::Unwatch(int fd) { watchers_.erase(fd); }

PollLoop::TimerId PollLoop::AddTimer(core::MonoTime deadline, TimerCallback callback) {
  TEMPUS_CHECK(callback != nullptr);
  const TimerId id = next_timer_id_++;
  timers_.emplace(std::make_pair(deadline, id), std::move(callback));
  timer_deadlines_.emplace(id, deadline);
  return id;
}

bool PollLoop::CancelTimer(TimerId id) {
  const auto it = timer_deadlines_.find(id);
  if (it == timer_deadlines_.end()) return false;
  timers_.erase({it->second, id});
  timer_deadlines_.erase(it);
  return true;
}

Result<void, SysError> PollLoop::HandleSignals(const std::vector<int>& signals, SignalCallback callback) {
  TEMPUS_CHECK(callback != nullptr);
  if (wake_read_ < 0) {
    bool expected = false;
    TEMPUS_CHECK(g_signals_owned.compare_exchange_strong(expected, true));  // one loop per process
    int fds[2];
    if (pipe(fds) < 0) return Unexpected(SysError{"pipe for signal wake-ups", errno});
    wake_read_ = fds[0];
    wake_write_ = fds[1];
    if (!MakeNonBlockingCloexec(wake_read_) || !MakeNonBlockingCloexec(wake_write_)) {
      return Unexpected(SysError{"fcntl on the signal pipe", errno});
    }
    g_wake_fd = wake_write_;
  }
  signal_callback_ = std::move(callback);
  for (int signal : signals) {
    TEMPUS_CHECK(signal > 0 && signal < NSIG);
    struct ::sigaction action {};
    action.sa_handler = &OnSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // poll() is never restarted, so the loop still wakes
    struct ::sigaction old {};
    g_pending[signal] = 0;
    if (::sigaction(signal, &action, &old) < 0) {
      return Unexpected(SysError{"sigaction " + std::to_string(signal), errno});
    }
    saved_actions_.emplace_back(signal, old);
  }
  return {};
}

bool PollLoop::DrainWakePipe() {
  char buf[64];
  ssize_t got = read(wake_read_, buf, sizeof buf);
  if (got <= 0) return false;
  for (int i = 0; i < 64 && got == static_cast<ssize_t>(sizeof buf); ++i) got = read(wake_read_, buf, sizeof buf);
  return true;
}

void PollLoop::DispatchSignals() {
  // The common case costs one exchange; a handler that sets the flag again after it still has its
  // signal's flag read below, or on the next turn.
  if (!g_any_pending.exchange(false, std::memory_order_acq_rel)) return;
  for (const auto& entry : saved_actions_) {
    const int signal = entry.first;
    if (g_pending[signal] != 0) {
      g_pending[signal] = 0;
      if (signal_callback_) signal_callback_(signal);
    }
  }
}

bool PollLoop::RunDueTimers(core::MonoTime now) {
  // Bounded, so that a timer re-arming itself in the past cannot starve descriptors.
  int ran = 0;
  for (; ran < 1000 && !timers_.empty() && !stop_; ++ran) {
    auto first = timers_.begin();
    if (first->first.first > now) break;
    TimerCallback callback = std::move(first->second);
    timer_deadlines_.erase(first->first.second);
    timers_.erase(first);
    callback();
  }
  return ran > 0;
}

int PollLoop::TimeoutMs(std::optional<core::MonoTime> until, core::MonoTime now) const {
  std::optional<core::MonoTime> wake = until;
  if (!timers_.empty() && (!wake || timers_.begin()->first.first < *wake)) wake = timers_.begin()->first.first;
  if (!wake) return -1;
  const int64_t ns = (*wake - now).Nanos();
  if (ns <= 0) return 0;
  // Round up: waking before the deadline would only spin.
  const int64_t ms = (ns + 999999) / 1000000;
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX / 2));
}

int PollLoop::CapForSignals(int timeout_ms) const {
  if (saved_actions_.empty() || polls_wake_pipe()) return timeout_ms;
  return timeout_ms < 0 ? kSignalCheckMs : std::min(timeout_ms, kSignalCheckMs);
}

Result<void, SysError> PollLoop::Run(std::optional<core::MonoTime> until) {
  std::vector<pollfd> fds;
  while (true) {
    DispatchSignals();
    // One clock reading per turn (this runs for every wake-up), again only after a timer ran.
    core::MonoTime now = mono_();
    if (RunDueTimers(now)) now = mono_();
    if (stop_) break;
    if (until && now >= *until) break;
    const int timeout = CapForSignals(TimeoutMs(until, now));
    if (watchers_.empty() && timers_.empty() && saved_actions_.empty()) break;  // nothing left to wait for
    fds.clear();
    for (const auto& [fd, w] : watchers_) fds.push_back(pollfd{fd, w.events, 0});
    if (polls_wake_pipe()) fds.push_back(pollfd{wake_read_, POLLIN, 0});
    const int n = poll_(fds.data(), fds.size(), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;  // a signal: its flag is handled at the top
      return Unexpected(SysError{"poll", errno});
    }
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == wake_read_) {
        // Readable yet empty: not the kernel's poll (see the file comment). The flags, read
        // after every poll, carry the signals from now on.
        if (!DrainWakePipe()) {
          wake_pipe_polled_ = false;
          g_wake_fd = -1;
        }
        continue;
      }
      // Look up again: an earlier callback may have unwatched or replaced this fd.
      const auto it = watchers_.find(p.fd);
      if (it == watchers_.end()) continue;
      const std::shared_ptr<FdCallback> callback = it->second.callback;
      (*callback)(p.revents);
      if (stop_) break;
    }
  }
  stop_ = false;
  return {};
}

}  // namespace tempus::io

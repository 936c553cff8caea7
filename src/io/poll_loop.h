// PollLoop: the single-threaded event loop of the edge: descriptors, one-shot timers, signals.
//
// Waits with poll() only (ARCHITECTURE.md "I/O rules"); timers are poll timeouts computed from a
// monotonic clock (CLOCK_MONOTONIC unless one is injected). Every descriptor poll reports ready is
// dispatched, and a loop that gets one ready descriptor per poll works the same. SIGINT, SIGTERM,
// SIGHUP (any signals asked for) are caught with sigaction; the handler only sets a flag, which the
// loop reads whenever poll returns (a signal interrupts poll with EINTR), and writes a byte to a
// self-pipe the loop also polls, which closes the race with a signal that lands just before poll.
// An LD_PRELOAD clock-and-network simulator (clknetsim) reports every descriptor it does not
// know, the pipe included, as always readable: its simulated time moves only while poll waits.
// When poll reports the pipe readable and it holds nothing, the loop knows its poll is not the
// kernel's and stops polling the pipe; it then waits at most kSignalCheck at a time, so a signal
// that lands just before poll is still handled within that long. Callbacks may watch, unwatch,
// add and cancel timers, and Stop. At most one PollLoop handles signals at a time. Not
// thread-safe: everything runs on the thread that calls Run.
#ifndef TEMPUS_IO_POLL_LOOP_H_
#define TEMPUS_IO_POLL_LOOP_H_

#include <poll.h>
#include <signal.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/sys_error.h"
#include "core/time/mono_time.h"

namespace tempus::io {

// CLOCK_MONOTONIC as a MonoTime, on the same origin as clock::KernelTimeSource::Monotonic.
core::MonoTime MonoNow();

class PollLoop {
 public:
  using FdCallback = std::function<void(short revents)>;
  using TimerCallback = std::function<void()>;
  using SignalCallback = std::function<void(int signal)>;
  using MonoClock = std::function<core::MonoTime()>;
  // poll(2)'s contract: ready count, 0 on timeout, -1 with errno.
  using PollFunction = std::function<int(pollfd* fds, nfds_t count, int timeout_ms)>;
  using TimerId = uint64_t;

  // Timers follow CLOCK_MONOTONIC.
  PollLoop();
  // Timers follow `mono`, which must advance with real time (poll sleeps in real time).
  explicit PollLoop(MonoClock mono);
  // Timers follow `mono`, and the loop waits with `poll_function` instead of ::poll (tests give
  // one that behaves as an LD_PRELOAD simulator's poll).
  PollLoop(MonoClock mono, PollFunction poll_function);
  PollLoop(const PollLoop&) = delete;
  PollLoop& operator=(const PollLoop&) = delete;
  // Restores the signal dispositions HandleSignals replaced.
  ~PollLoop();

  // Calls `callback(revents)` whenever poll reports `events` (or POLLERR/POLLHUP/POLLNVAL) on `fd`.
  // Replaces an earlier registration of the same fd. The loop does not own `fd`: Unwatch it before
  // closing it, or poll reports POLLNVAL on every turn.
  void Watch(int fd, short events, FdCallback callback);
  void Unwatch(int fd);

  // Runs `callback` once at or after `deadline`. Timers due at the same time run in the order added.
  TimerId AddTimer(core::MonoTime deadline, TimerCallback callback);
  // False when `id` already ran or was cancelled.
  bool CancelTimer(TimerId id);
  size_t pending_timers() const { return timers_.size(); }

  // Catches `signals` (e.g. SIGINT, SIGTERM, SIGHUP) and calls `callback(signal)` from the loop.
  [[nodiscard]] Result<void, SysError> HandleSignals(const std::vector<int>& signals, SignalCallback callback);

  // Dispatches events until Stop() is called, `until` passes, or nothing is left to wait for (no
  // descriptors, timers or signal handlers).
  [[nodiscard]] Result<void, SysError> Run(std::optional<core::MonoTime> until = std::nullopt);
  // False once poll reported the empty self-pipe readable (see the file comment).
  bool polls_wake_pipe() const { return wake_read_ >= 0 && wake_pipe_polled_; }

  // Longest wait while signals are handled without the self-pipe.
  static constexpr int kSignalCheckMs = 1000;

  // Makes the running (or next) Run return once the current callback is done.
  void Stop() { stop_ = true; }
  core::MonoTime Now() const { return mono_(); }

 private:
  struct Watcher {
    short events;
    std::shared_ptr<FdCallback> callback;  // shared: a callback may unwatch itself
  };

  // Runs the timers due at `now`; whether any ran.
  bool RunDueTimers(core::MonoTime now);
  void DispatchSignals();
  // False when the pipe held nothing.
  bool DrainWakePipe();
  int TimeoutMs(std::optional<core::MonoTime> until, core::MonoTime now) const;
  // `timeout_ms` (-1: none), at most kSignalCheckMs while signals are handled without the pipe.
  int CapForSignals(int timeout_ms) const;

  MonoClock mono_;
  PollFunction poll_;
  bool stop_ = false;
  std::map<int, Watcher> watchers_;
  std::map<std::pair<core::MonoTime, TimerId>, TimerCallback> timers_;
  std::map<TimerId, core::MonoTime> timer_deadlines_;
  TimerId next_timer_id_ = 1;
  std::vector<std::pair<int, struct ::sigaction>> saved_actions_;  // signal, previous disposition
  SignalCallback signal_callback_;
  int wake_read_ = -1;
  int wake_write_ = -1;
  bool wake_pipe_polled_ = true;
};

}  // namespace tempus::io

#endif  // TEMPUS_IO_POLL_LOOP_H_

// Workers: threads that answer plain time requests beside the timing thread (`workers N`).
//
// The timing thread (the daemon's poll loop) keeps every association, mode 6 and the clock. Each
// worker has its own UDP socket on every serving address, bound with SO_REUSEPORT beside the
// timing thread's, and a program (io/reuseport.h) steers each datagram to a worker by its source
// address alone: the timing thread's sockets get none, and one client always reaches one worker,
// so each worker's rate limiter (`restrict ... limited`, kod) is exact. A worker reads datagrams
// in batches (recvmmsg), answers 48-byte mode 3 requests on the lean path (core::server::Server::
// Handle, its own Server with the published rules and snapshot), and forwards everything else
// (mode 6, replies to our associations, NTS, symmetric, MACs) to the timing thread through a
// bounded single-producer queue and an eventfd; a full queue drops the datagram, counted
// (Counters::forward_drops: ntpq's ss_fwddrop, Prometheus tempus_worker_forward_drops_total).
//
// What a worker answers from is one immutable ServeView (the system snapshot the replies are
// built from, the access policy, the clock as a line over CLOCK_MONOTONIC) that the timing thread
// publishes when it changes (Publish); a worker checks one atomic generation per wake-up and takes
// a lock only to pick up a new view. Each worker's counts are mirrored in relaxed atomics once per
// wake-up and summed by the timing thread (Totals) into the node's snapshot (mode 6 sysstats,
// Prometheus). Start and the destructor run on the timing thread; Publish, Totals and Drain too.
#ifndef TEMPUS_APPS_TEMPUSD_WORKERS_H_
#define TEMPUS_APPS_TEMPUSD_WORKERS_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "core/report/counters.h"
#include "core/server/server.h"
#include "engine/clock.h"
#include "engine/node.h"
#include "io/udp_socket.h"
#include "listen.h"

namespace tempus::daemon {

class Worker;

// One datagram a worker hands to the timing thread.
struct Forwarded {
  static constexpr size_t kCapacity = 2048;  // as the timing thread's receive buffers
  std::array<uint8_t, kCapacity> bytes;
  size_t size = 0;
  core::NetAddress from;
  std::optional<core::NetAddress> local;
  core::UnixTime rx_realtime;
};

// The worker count `workers`/--workers asks for, else the default: the CPUs up to 4 with clock
// system and observe, 1 with clock virtual (tests and demos keep the single thread unless they
// ask).
int WorkerCount(const std::optional<int>& asked, std::string_view clock_kind);

class WorkerPool {
 public:
  // Opens `count` workers' sockets (`udp` as the serving sockets', plus reuse_port) beside every
  // serving socket of `sockets` (bound first, with reuse_port: OpenServerSockets), steers each
  // group by source address and starts the threads. An error (the steering program refused, a
  // socket) leaves no thread running: the daemon then serves from the timing thread alone.
  [[nodiscard]] static Result<std::unique_ptr<WorkerPool>, std::string> Start(int count,
                                                                              std::vector<ServerSocket>& sockets,
                                                                              const io::UdpOptions& udp,
                                                                              Random& random);
  ~WorkerPool();  // stops and joins the threads
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Readable when a worker forwarded datagrams: watch it in the timing thread's loop, then Drain.
  int wake_fd() const { return wake_fd_; }
  // Hands every forwarded datagram to `take`, in each worker's order.
  void Drain(const std::function<void(const Forwarded&)>& take);
  // The restrict rules and rate limits the workers apply from the next Publish (at start, after a
  // reload). A worker keeps its rate limiter's table unless the limits change.
  void SetAccess(const core::server::AccessPolicy& access);
  // Publishes what the workers answer from when it changed: whether the node serves, the system
  // snapshot replies are built from, and `line` (the clock's LinearForm). Returns when to publish
  // again at the latest (the line's rate ends), if ever.
  std::optional<core::MonoTime> Publish(bool serve, const core::system::SystemSnapshot& system,
                                        const engine::Clock::Line& line);
  // The workers' counts summed (the datagrams they judged and their server's outcomes).
  void Totals(core::report::Counters* node, core::server::ServerStats* server) const;
  // After every event of the timing thread: the workers' counts into `node`'s snapshot
  // (SetHostCounters: mode 6 sysstats, Prometheus, the exit summary), and Publish of its state
  // and `clock`'s line; returns Publish's deadline.
  std::optional<core::MonoTime> Sync(engine::Node& node, engine::Clock& clock);
  // The forwarded datagrams into `node`, as one batch (the counts brought up to date first, for
  // a mode 6 request that reads them).
  void DrainInto(engine::Node& node);
  // Datagrams the workers could not forward (queue full) and replies they could not send.
  uint64_t forward_drops() const;
  uint64_t send_errors() const;
  size_t size() const { return workers_.size(); }

 private:
  WorkerPool() = default;
  friend class Worker;
  struct View;
  // The worker's side of Publish: the newest view when it changed since `seen`.
  std::shared_ptr<const View> ViewIfNewer(uint64_t* seen) const;
  void Wake();

  std::vector<std::unique_ptr<Worker>> workers_;
  int wake_fd_ = -1;
  int stop_fd_ = -1;  // readable: the workers return
  mutable std::mutex view_mutex_;
  std::shared_ptr<const View> view_;
  std::atomic<uint64_t> generation_{0};
  // The timing thread's last publication, to tell whether anything changed.
  std::optional<core::server::ReplyTemplate> published_template_;
  std::optional<engine::Clock::Line> published_line_;
  std::shared_ptr<const core::server::AccessPolicy> access_;
  bool access_changed_ = false;
  bool published_serve_ = false;
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_WORKERS_H_

#include "workers.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "clock/time_source.h"
#include "core/wire/codec.h"
#include "io/reuseport.h"
#include "io/udp_socket.h"

namespace tempus::daemon {

struct WorkerPool::View {
  bool serve = false;
  core::system::SystemSnapshot system;
  std::shared_ptr<const core::server::AccessPolicy> access;
  engine::Clock::Line line;
};

namespace {

using core::report::Counters;
using core::server::ServerStats;

// A worker's counts as words the timing thread reads while the worker writes them: relaxed
// atomics, so each count is whole; a sum may mix two moments, as any live counter does.
constexpr size_t kNodeWords = sizeof(Counters) / sizeof(uint64_t);
constexpr size_t kServerWords = sizeof(ServerStats) / sizeof(uint64_t);
static_assert(sizeof(Counters) == kNodeWords * sizeof(uint64_t) &&
              sizeof(ServerStats) == kServerWords * sizeof(uint64_t));

class CountMirror {
 public:
  using NodeWords = std::array<uint64_t, kNodeWords>;
  using ServerWords = std::array<uint64_t, kServerWords>;
  void Store(const Counters& node, const ServerStats& server) {
    const auto n = std::bit_cast<NodeWords>(node);
    const auto s = std::bit_cast<ServerWords>(server);
    for (size_t i = 0; i < kNodeWords; ++i) node_[i].store(n[i], std::memory_order_relaxed);
    for (size_t i = 0; i < kServerWords; ++i) server_[i].store(s[i], std::memory_order_relaxed);
  }
  void AddTo(Counters* node, ServerStats* server) const {
    NodeWords n;
    ServerWords s;
    for (size_t i = 0; i < kNodeWords; ++i) n[i] = node_[i].load(std::memory_order_relaxed);
    for (size_t i = 0; i < kServerWords; ++i) s[i] = server_[i].load(std::memory_order_relaxed);
    node->Add(std::bit_cast<Counters>(n));
    server->Add(std::bit_cast<ServerStats>(s));
  }

 private:
  std::array<std::atomic<uint64_t>, kNodeWords> node_{};
  std::array<std::atomic<uint64_t>, kServerWords> server_{};
};

// Bounded, one producer (the worker) and one consumer (the timing thread); no lock.
class ForwardQueue {
 public:
  static constexpr size_t kSlots = 256;
  ForwardQueue() : slots_(std::make_unique<Forwarded[]>(kSlots)) {}
  // The producer's next slot, or null when the queue is full. Commit publishes it.
  Forwarded* Claim() {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_.load(std::memory_order_acquire) == kSlots) return nullptr;
    return &slots_[tail % kSlots];
  }
  void Commit() { tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }
  // The consumer: hands every committed slot to `take`, then frees them.
  void Drain(const std::function<void(const Forwarded&)>& take) {
    size_t head = head_.load(std::memory_order_relaxed);
    const size_t tail = tail_.load(std::memory_order_acquire);
    for (; head != tail; ++head) take(slots_[head % kSlots]);
    head_.store(head, std::memory_order_release);
  }

 private:
  std::unique_ptr<Forwarded[]> slots_;
  alignas(64) std::atomic<size_t> head_{0};
  alignas(64) std::atomic<size_t> tail_{0};
};

bool SameTemplate(const core::server::ReplyTemplate& a, const core::server::ReplyTemplate& b) {
  return a.bytes == b.bytes && a.root_dispersion == b.root_dispersion && a.reference_time == b.reference_time;
}

// Whether `next` (read now) is the line `old` already gives: the same rate through the same point.
bool SameLine(const engine::Clock::Line& next, const engine::Clock::Line& old) {
  if (next.kernel || old.kernel) return next.kernel == old.kernel;
  if (next.excess_rate != old.excess_rate) return false;
  if ((next.holds_for == core::NtpDuration::Max()) != (old.holds_for == core::NtpDuration::Max())) return false;
  const core::NtpDuration gap = engine::LineAt(old, next.at.mono, core::UnixTime()) - next.at.local;
  return gap.Abs() <= core::NtpDuration::FromRaw(1);
}

}  // namespace

class Worker {
 public:
  struct Socket {
    io::UdpSocket socket;
    bool wildcard = false;  // replies leave from the request's destination (pktinfo)
  };
  Worker(WorkerPool& pool, std::vector<Socket> sockets, uint64_t hash_key, int stop_fd)
      : pool_(pool), sockets_(std::move(sockets)), hash_key_(hash_key), stop_fd_(stop_fd) {
    for (size_t i = 0; i < kBatch; ++i)
      buffers_[i] = std::span(storage_).subspan(i * Forwarded::kCapacity, Forwarded::kCapacity);
  }
  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  ForwardQueue queue;
  CountMirror counts;
  std::atomic<uint64_t> send_errors{0};

 private:
  static constexpr size_t kBatch = io::UdpSocket::kMaxBatch;
  static constexpr int kBatchesPerWakeup = 4;  // as the timing thread: then the other sockets
  struct Reply {
    std::array<uint8_t, core::server::kReplyCapacity> bytes;
    bool restamp = false;
  };

  void Run();
  // Answers or forwards what `s` has waiting; true when something was forwarded.
  bool Serve(Socket& s);
  // The receive time of a datagram stamped `stamp` (kernel CLOCK_REALTIME) on the published line,
  // `mono` and `real` read together; none past the line's end (the timing thread maps it).
  std::optional<core::UnixTime> ReceiveTime(core::UnixTime stamp, core::MonoTime mono, core::UnixTime real) const;
  void Forward(std::span<const uint8_t> bytes, const io::Datagram& dg, const Socket& s);

  WorkerPool& pool_;
  std::vector<Socket> sockets_;
  uint64_t hash_key_;
  int stop_fd_;
  std::thread thread_;
  clock::KernelTimeSource time_;
  core::server::Server server_;
  Counters counters_;  // CountDatagram of what this worker judged or dropped
  std::shared_ptr<const WorkerPool::View> view_;
  uint64_t seen_ = 0;
  std::vector<uint8_t> storage_ = std::vector<uint8_t>(kBatch * Forwarded::kCapacity);
  std::array<std::span<uint8_t>, kBatch> buffers_;
  std::array<io::Datagram, kBatch> received_;
  std::array<Reply, kBatch> replies_;
  std::array<io::Outgoing, kBatch> outgoing_;
};

void Worker::Run() {
  std::vector<pollfd> fds;
  for (const Socket& s : sockets_) fds.push_back({s.socket.fd(), POLLIN, 0});
  fds.push_back({stop_fd_, POLLIN, 0});
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds.back().revents != 0) return;
    if (auto v = pool_.ViewIfNewer(&seen_)) {
      if (v->access && (!view_ || v->access != view_->access)) server_.SetAccess(*v->access, hash_key_);
      server_.Publish(v->system);
      view_ = std::move(v);
    }
    bool forwarded = false;
    for (size_t i = 0; i < sockets_.size(); ++i) {
      if (fds[i].revents != 0) forwarded = Serve(sockets_[i]) || forwarded;
    }
    counts.Store(counters_, server_.stats());
    if (forwarded) pool_.Wake();
  }
}

std::optional<core::UnixTime> Worker::ReceiveTime(core::UnixTime stamp, core::MonoTime mono,
                                                  core::UnixTime real) const {
  const engine::Clock::Line& line = view_->line;
  if (line.kernel) return stamp;
  const core::MonoTime at = mono - (real - stamp);  // the stamp on the monotonic time line
  if (line.holds_for != core::NtpDuration::Max() && at - line.at.mono > line.holds_for) return std::nullopt;
  return engine::LineAt(line, at, stamp);
}

bool Worker::Serve(Socket& s) {
  bool forwarded = false;
  for (int round = 0; round < kBatchesPerWakeup; ++round) {
    auto got = s.socket.ReceiveMany(buffers_, received_);
    if (!got || *got == 0) break;
    // One reading per batch: the rate limiter's now and the receive stamps' mapping.
    const core::MonoTime mono = time_.Monotonic();
    const core::UnixTime real = time_.Realtime();
    size_t out = 0;
    bool restamp = false;
    for (size_t i = 0; i < *got; ++i) {
      const io::Datagram& dg = received_[i];
      if (dg.truncated || dg.size == 0) continue;  // as the timing thread
      const std::span<const uint8_t> bytes = buffers_[i].first(dg.size);
      std::optional<core::UnixTime> rx;
      if (view_ && view_->serve && bytes.size() == core::kHeaderSize && core::server::IsTimeRequestByte(bytes[0])) {
        rx = ReceiveTime(dg.rx_realtime, mono, real);
      }
      if (!rx) {
        Forward(bytes, dg, s);
        forwarded = true;
        continue;
      }
      counters_.CountDatagram(bytes);
      Reply& r = replies_[out];
      const core::server::ServerAction action = server_.HandleTimeRequest(bytes, dg.from, rx->ToNtp(), mono, r.bytes);
      if (const auto* respond = std::get_if<core::server::Respond>(&action)) {
        r.restamp = respond->restamp;
        restamp = restamp || r.restamp;
        outgoing_[out] =
            io::Outgoing{respond->bytes, &dg.from, s.wildcard && dg.local ? &*dg.local : nullptr, dg.reply_to};
        ++out;
      }
    }
    if (out > 0) {
      if (restamp) {  // T3, as late as we can: one reading for the batch, as the timing thread
        const core::NtpTimestamp transmit = engine::LineAt(view_->line, time_.Monotonic(), time_.Realtime()).ToNtp();
        for (size_t i = 0; i < out; ++i) {
          if (replies_[i].restamp) core::StampTransmit(replies_[i].bytes, transmit);
        }
      }
      send_errors.fetch_add(s.socket.SendMany(std::span<const io::Outgoing>(outgoing_).first(out)),
                            std::memory_order_relaxed);
    }
    if (*got < kBatch) break;  // the queue is empty
  }
  return forwarded;
}

void Worker::Forward(std::span<const uint8_t> bytes, const io::Datagram& dg, const Socket& s) {
  Forwarded* f = queue.Claim();
  if (f == nullptr) {  // counted as received by this worker, since the timing thread never sees it
    counters_.CountDatagram(bytes);
    ++counters_.forward_drops;
    return;
  }
  std::copy(bytes.begin(), bytes.end(), f->bytes.begin());
  f->size = bytes.size();
  f->from = dg.from;
  f->local = dg.local.value_or(s.socket.local_address());
  f->rx_realtime = dg.rx_realtime;
  queue.Commit();
}

int WorkerCount(const std::optional<int>& asked, std::string_view clock_kind) {
  if (asked) return *asked;
  // clock virtual keeps one thread: it runs where many daemons share one machine (tests, the
  // demo cluster, benchmarks), where N threads each would only compete for the same cores; a test
  // that wants workers asks. clock observe is a production clock as system is: its workers serve
  // and map receive stamps on the timing thread's line (Clock::LinearForm), and with 2 of them
  // cluster.observe_driftfile estimates the system clock's +30 ppm as one thread does.
  if (clock_kind == "virtual") return 1;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

Result<std::unique_ptr<WorkerPool>, std::string> WorkerPool::Start(int count, std::vector<ServerSocket>& sockets,
                                                                   const io::UdpOptions& udp, Random& random) {
  std::unique_ptr<WorkerPool> pool(new WorkerPool());
  pool->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  pool->stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (pool->wake_fd_ < 0 || pool->stop_fd_ < 0) return Unexpected(fmt::format("eventfd: {}", std::strerror(errno)));
  io::UdpOptions options = udp;
  options.reuse_port = true;
  std::vector<std::vector<Worker::Socket>> per_worker(static_cast<size_t>(count));
  for (ServerSocket& s : sockets) {
    if (s.drop) continue;
    const core::NetAddress at = s.socket.local_address();
    for (auto& mine : per_worker) {
      auto socket = io::UdpSocket::Open(at, options);
      if (!socket) return Unexpected("worker socket: " + socket.error().ToString());
      mine.push_back({std::move(*socket), at.IsWildcard()});
    }
    // The timing thread's socket was bound first (index 0): the workers are 1..count.
    if (auto r = io::SteerBySource(s.socket.fd(), at.is_v6(), 1, static_cast<uint32_t>(count)); !r) {
      return Unexpected(fmt::format("{} on {}", r.error().ToString(), at.ToStringWithPort()));
    }
  }
  for (auto& mine : per_worker) {
    pool->workers_.push_back(std::make_unique<Worker>(*pool, std::move(mine), random.NextU64(), pool->stop_fd_));
  }
  // Signals stay with the timing thread (its signalfd): the workers block them all.
  sigset_t all;
  sigset_t before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before);
  for (auto& w : pool->workers_) w->Start();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return pool;
}

WorkerPool::~WorkerPool() {
  if (stop_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
  }
  for (auto& w : workers_) w->Join();
  if (wake_fd_ >= 0) close(wake_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void WorkerPool::Wake() {
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

void WorkerPool::Drain(const std::function<void(const Forwarded&)>& take) {
  uint64_t count = 0;
  (void)!read(wake_fd_, &count, sizeof count);  // cleared before draining: no wake-up is lost
  for (auto& w : workers_) w->queue.Drain(take);
}

void WorkerPool::SetAccess(const core::server::AccessPolicy& access) {
  access_ = std::make_shared<const core::server::AccessPolicy>(access);
  access_changed_ = true;
}

std::optional<core::MonoTime> WorkerPool::Publish(bool serve, const core::system::SystemSnapshot& system,
                                                  const engine::Clock::Line& line) {
  const core::server::ReplyTemplate t = core::server::MakeReplyTemplate(system);
  const bool changed = access_changed_ || serve != published_serve_ || !published_template_ ||
                       !SameTemplate(t, *published_template_) || !published_line_ || !SameLine(line, *published_line_);
  if (changed) {
    // No access policy yet (SetAccess): the workers forward everything rather than serve unrestricted.
    auto view = std::make_shared<const View>(View{serve && access_ != nullptr, system, access_, line});
    {
      std::lock_guard<std::mutex> lock(view_mutex_);
      view_ = std::move(view);
    }
    generation_.fetch_add(1, std::memory_order_release);
    published_template_ = t;
    published_line_ = line;
    published_serve_ = serve;
    access_changed_ = false;
  }
  const engine::Clock::Line& l = *published_line_;
  if (l.kernel || l.holds_for == core::NtpDuration::Max()) return std::nullopt;
  return l.at.mono + l.holds_for;
}

std::shared_ptr<const WorkerPool::View> WorkerPool::ViewIfNewer(uint64_t* seen) const {
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (generation == *seen) return nullptr;  // the hot path: one atomic load, no lock
  std::lock_guard<std::mutex> lock(view_mutex_);
  *seen = generation;
  return view_;
}

void WorkerPool::Totals(Counters* node, ServerStats* server) const {
  for (const auto& w : workers_) w->counts.AddTo(node, server);
}

std::optional<core::MonoTime> WorkerPool::Sync(engine::Node& node, engine::Clock& clock) {
  Counters counted;
  ServerStats served;
  Totals(&counted, &served);
  node.SetHostCounters(counted, served);
  const std::optional<engine::Clock::Line> line = clock.LinearForm();
  return line ? Publish(node.serves(), node.server().snapshot(), *line) : std::nullopt;
}

void WorkerPool::DrainInto(engine::Node& node) {
  Counters counted;
  ServerStats served;
  Totals(&counted, &served);
  node.SetHostCounters(counted, served);
  node.BeginBatch();
  Drain([&](const Forwarded& f) { node.OnDatagram(std::span(f.bytes).first(f.size), f.from, f.rx_realtime, f.local); });
  node.EndBatch();
}

uint64_t WorkerPool::forward_drops() const {
  Counters counted;
  ServerStats served;
  Totals(&counted, &served);
  return counted.forward_drops;
}

uint64_t WorkerPool::send_errors() const {
  uint64_t n = 0;
  for (const auto& w : workers_) n += w->send_errors.load(std::memory_order_relaxed);
  return n;
}

}  // namespace tempus::daemon

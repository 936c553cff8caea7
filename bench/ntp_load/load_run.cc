#include "ntp_load/load_run.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/random.h"
#include "core/wire/codec.h"
#include "crypto/aes_siv_aead.h"
#include "ntp_load/request_ring.h"
#include "ntp_load/send_batch.h"

namespace tempus::bench {
namespace {

constexpr int64_t kNsPerS = 1'000'000'000;

int64_t MonotonicNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * kNsPerS + ts.tv_nsec;
}

double OwnCpuSeconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

int64_t RealtimeNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * kNsPerS + ts.tv_nsec;
}

// An NTP duration in 32.32 fixed point (the difference of two timestamps) in nanoseconds.
int64_t NtpDiffToNs(int64_t diff) { return static_cast<int64_t>(static_cast<double>(diff) * (1e9 / 4294967296.0)); }

constexpr int64_t kQueueSampleNs = 5'000'000;

int64_t SecondsToNs(double s) { return static_cast<int64_t>(std::llround(s * 1e9)); }

// Ring slots: enough for every request of one timeout at the offered (open loop) or a generous
// 1M/s (closed loop) rate, so that a request is expired by its timeout rather than by reuse.
uint64_t RingCapacity(const LoadOptions& o) {
  const double per_s = o.rate_per_s > 0 ? o.rate_per_s * 1.5 : 1e6;
  const double wanted = per_s * o.timeout_s + 4.0 * std::max<double>(o.outstanding, o.batch);
  return std::bit_ceil(static_cast<uint64_t>(std::min(wanted, double{1 << 23})));
}

class Runner {
 public:
  // `nts` (nullptr: plain requests) must outlive the runner.
  Runner(const LoadOptions& o, UdpLoadSocket* socket, NtsRequests* nts)
      : o_(o), socket_(socket), nts_(nts), random_(o.seed), ring_(RingCapacity(o), &random_) {}

  LoadResult Run();

 private:
  void BeginWindow(int64_t now);
  void CloseWindow(int64_t now);
  size_t Receive(int64_t now);
  size_t Send(int64_t now);
  size_t Due(int64_t now);
  void Wait(int64_t now) const;
  void SampleQueue(int64_t now);
  // The index of the source address a request comes from, from its cookie's sequence number
  // (RequestRing: its low 32 bits), so that a reply tells which client, and which NTS session
  // (the index mod the sessions), it answers: addresses take turns.
  uint32_t ClientOf(uint64_t cookie) const { return static_cast<uint32_t>((cookie & 0xffffffffu) % o_.clients); }
  size_t SessionOf(uint64_t cookie) const { return ClientOf(cookie) % nts_->sessions(); }
  void OnLost(int64_t sent_ns) {
    if (sent_ns >= window_begin_ && sent_ns < window_end_) ++r_.lost;
  }

  const LoadOptions& o_;
  UdpLoadSocket* socket_;
  NtsRequests* nts_;
  SeededRandom random_;
  RequestRing ring_;
  LoadResult r_;
  int64_t t0_ = 0;
  int64_t window_begin_ = 0;  // ns since t0_; requests sent in [begin, end) are the window's
  int64_t window_end_ = 0;
  bool begun_ = false, closed_ = false, sending_ = true;
  double next_send_ns_ = 0.0;  // open loop
  double own_cpu_begin_ = 0.0;
  int64_t next_queue_sample_ = 0;
  std::optional<uint64_t> server_drops_begin_;
};

LoadResult Runner::Run() {
  const int64_t timeout_ns = SecondsToNs(o_.timeout_s);
  window_begin_ = SecondsToNs(o_.warmup_s);
  window_end_ = window_begin_ + SecondsToNs(o_.duration_s);
  // Whatever happens, the loop ends here: warm-up, window, one timeout of drain, one second spare.
  const int64_t hard_stop = window_end_ + timeout_ns + kNsPerS;
  int64_t drain_until = hard_stop;
  t0_ = MonotonicNs();
  while (true) {
    const int64_t now = MonotonicNs() - t0_;
    if (!begun_ && now >= window_begin_) BeginWindow(now);
    if (sending_ && (now >= window_end_ || (o_.count > 0 && r_.sent_total >= o_.count))) {
      sending_ = false;
      if (!begun_) BeginWindow(now);
      drain_until = now + timeout_ns;
    }
    if (begun_ && !closed_ && (now >= window_end_ || (!sending_ && ring_.pending() == 0))) CloseWindow(now);
    if (!sending_ && (ring_.pending() == 0 || now >= drain_until)) break;
    if (now >= hard_stop) break;
    if (begun_ && !closed_ && now >= next_queue_sample_) SampleQueue(now);
    const size_t got = Receive(now);
    ring_.ExpireBefore(now - timeout_ns, [this](int64_t sent) { OnLost(sent); });
    const size_t sent = sending_ ? Send(now) : 0;
    if (got == 0 && sent == 0) Wait(now);
  }
  if (!closed_) CloseWindow(MonotonicNs() - t0_);
  ring_.ExpireBefore(std::numeric_limits<int64_t>::max(), [this](int64_t sent) { OnLost(sent); });
  r_.generator_drops = ReadUdpDrops(htonl(INADDR_ANY), socket_->local_port());
  return std::move(r_);
}

void Runner::BeginWindow(int64_t now) {
  begun_ = true;
  window_begin_ = now;
  own_cpu_begin_ = OwnCpuSeconds();
  if (o_.server_pid > 0) r_.server_begin = ReadProcSample(o_.server_pid);
  server_drops_begin_ = ReadUdpDrops(htonl(o_.target.v4()), o_.target.port());
}

void Runner::SampleQueue(int64_t now) {
  next_queue_sample_ = now + kQueueSampleNs;
  const auto bytes = ReadUdpRxQueue(htonl(o_.target.v4()), o_.target.port());
  if (!bytes) return;
  ++r_.queue_samples;
  r_.queue_bytes_sum += *bytes;
  r_.queue_bytes_max = std::max(r_.queue_bytes_max, *bytes);
}

void Runner::CloseWindow(int64_t now) {
  closed_ = true;
  window_end_ = std::min(window_end_, now);
  r_.window_s = static_cast<double>(now - window_begin_) / 1e9;
  r_.generator_cpu_s = OwnCpuSeconds() - own_cpu_begin_;
  if (o_.server_pid > 0) r_.server_end = ReadProcSample(o_.server_pid);
  auto drops = ReadUdpDrops(htonl(o_.target.v4()), o_.target.port());
  if (drops && server_drops_begin_) r_.server_drops = *drops - *server_drops_begin_;
}

size_t Runner::Receive(int64_t now) {
  const size_t n = socket_->Receive(o_.batch);
  const bool counted = begun_ && !closed_;
  const int64_t read_realtime = n > 0 ? RealtimeNs() : 0;
  for (size_t i = 0; i < n; ++i) {
    const std::span<const uint8_t> bytes = socket_->Reply(i);
    // Plain: only the 48-byte header matters (RFC 5905 §7.3); a longer reply's trailer is not
    // checked. NTS: the whole reply, whose extension fields are judged once matched.
    auto packet = nts_ != nullptr ? core::Decode(bytes)
                                  : core::Decode(bytes.first(std::min(bytes.size(), core::kHeaderSize)));
    if (!packet || packet->header.mode != core::Mode::kServer || (nts_ != nullptr && socket_->Truncated(i))) {
      ++r_.invalid;
      continue;
    }
    const core::Header& h = packet->header;
    auto sent = ring_.Complete(h.origin_time.raw());
    if (!sent) {
      ++r_.unmatched;
      continue;
    }
    r_.last_stratum = h.stratum;
    r_.last_leap = static_cast<int>(h.leap);
    if (h.IsKissOfDeath()) {  // with NTS, also an NTS NAK (§5.7)
      if (counted) ++r_.kod;
      continue;
    }
    if (nts_ != nullptr) {
      const NtsVerdict verdict = nts_->Check(SessionOf(h.origin_time.raw()), h.origin_time.raw(), bytes, *packet);
      if (verdict != NtsVerdict::kValid) {
        ++r_.nts_refused[static_cast<size_t>(verdict)];
        continue;
      }
    }
    if (counted) ++r_.answered;
    if (*sent >= window_begin_ && *sent < window_end_) {
      r_.latency.Add(now - *sent);
      const int64_t sojourn = NtpDiffToNs(static_cast<int64_t>(h.transmit_time.raw() - h.receive_time.raw()));
      if (h.receive_time.raw() != 0 && sojourn > 0 && sojourn < 10 * kNsPerS) r_.server_sojourn.Add(sojourn);
      const int64_t stamp = socket_->KernelStampNs(i);
      if (stamp > 0 && read_realtime >= stamp) r_.reply_wait.Add(read_realtime - stamp);
    }
  }
  return n;
}

// Open loop: the requests whose scheduled time has come, at most one batch; the schedule moves
// on even when the generator falls behind, so a slow generator shows as a lower sent rate.
size_t Runner::Due(int64_t now) {
  size_t due = 0;
  const double mean_gap_ns = 1e9 / o_.rate_per_s;
  while (due < o_.batch && next_send_ns_ <= static_cast<double>(now)) {
    ++due;
    next_send_ns_ += o_.poisson ? -std::log1p(-UniformUnit(random_)) * mean_gap_ns : mean_gap_ns;
  }
  return due;
}

size_t Runner::Send(int64_t now) {
  size_t want =
      o_.rate_per_s > 0
          ? Due(now)
          : std::min<uint64_t>(o_.batch, o_.outstanding - std::min<uint64_t>(o_.outstanding, ring_.pending()));
  if (o_.count > 0) want = std::min<uint64_t>(want, o_.count - r_.sent_total);
  if (want == 0) return 0;
  for (size_t i = 0; i < want; ++i) {
    const uint64_t cookie = ring_.Issue(now, [this](int64_t sent) { OnLost(sent); });
    socket_->Prepare(i, htonl(o_.first_client + ClientOf(cookie)), cookie);
    if (nts_ != nullptr) {
      const size_t size = nts_->Seal(SessionOf(cookie), cookie, socket_->Packet(i));
      if (size == 0) ++r_.nts_seal_failures;
      socket_->SetSize(i, size == 0 ? core::kHeaderSize : size);
    }
  }
  const size_t done = socket_->Send(want);
  // What the kernel refused is not in flight: forget it rather than count it lost.
  for (size_t i = done; i < want; ++i) (void)ring_.Complete(socket_->Cookie(i));
  r_.send_failures += want - done;
  r_.sent_total += done;
  if (begun_ && !closed_) r_.sent += done;
  return want;
}

// Nothing to read and nothing due: sleep until a reply arrives, the next open-loop request is
// due, or 1 ms has passed (to expire requests and end phases on time). Gaps under 20 µs are spun.
void Runner::Wait(int64_t now) const {
  int64_t wait_ns = 1'000'000;
  if (sending_ && o_.rate_per_s > 0) {
    wait_ns = std::min<int64_t>(wait_ns, static_cast<int64_t>(next_send_ns_) - now);
    if (wait_ns < 20'000) return;
  }
  pollfd p{socket_->fd(), POLLIN, 0};
  const timespec ts{0, static_cast<long>(wait_ns)};
  (void)::ppoll(&p, 1, &ts, nullptr);
}

}  // namespace

Result<LoadResult, std::string> RunLoad(const LoadOptions& options) {
  if (!options.nts) {
    auto socket = UdpLoadSocket::Open(options.target, options.batch);
    if (!socket) return Unexpected(socket.error());
    Runner runner(options, socket->get(), nullptr);
    return runner.Run();
  }
  // The NTS-KE comes before the run, so that the server's handshake is outside every window.
  const int64_t ke_start = MonotonicNs();
  auto sessions = ObtainNtsSessions(options.nts_options);
  if (!sessions) return Unexpected(sessions.error());
  const double ke_s = static_cast<double>(MonotonicNs() - ke_start) / 1e9;
  const crypto::AesSivAead aead;
  NtsRequests nts(std::move(*sessions), options.nts_options.placeholders, options.seed ^ 0x6e7473, aead);
  // A reply carries a cookie per placeholder (and the one spent): room for 8 of the largest.
  constexpr size_t kNtsReplyBytes = 4096;
  auto socket = UdpLoadSocket::Open(options.target, options.batch, nts.max_request_size(), kNtsReplyBytes);
  if (!socket) return Unexpected(socket.error());
  Runner runner(options, socket->get(), &nts);
  LoadResult result = runner.Run();
  result.nts_ke_s = ke_s;
  result.nts_cookies_reused = nts.cookies_reused();
  return result;
}

}  // namespace tempus::bench

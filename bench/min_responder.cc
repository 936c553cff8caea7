// min_responder: the smallest NTP server that still looks like one, as the practical limit that
// bench/server_bench.sh gives every server's figures against (docs/performance.md).
//
// It turns each datagram of at least 48 bytes into a server reply in place (RFC 5905 §7.3: mode
// 4, stratum 1, refid "MINR", origin = the request's transmit timestamp, receive and transmit =
// the clock read once per batch) and sends it back: no access control, no rate limit, no
// validation beyond the length, no state. One packet per recvmsg/sendmsg, or with --batch N up
// to N per recvmmsg/sendmmsg. It runs for --duration seconds at most (default 600), or until
// SIGTERM/SIGINT. Never used as a real server.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/net/net_address.h"
#include "io/sockaddr.h"

namespace {

constexpr size_t kHeaderBytes = 48;
constexpr size_t kBufferBytes = 1024;
constexpr uint64_t kNtpUnixOffset = 2208988800u;  // seconds from 1900 to 1970 (RFC 5905 §6)

volatile std::sig_atomic_t g_stop = 0;  // set by SIGTERM/SIGINT
void OnSignal(int) { g_stop = 1; }

uint64_t NtpNow() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  const auto fraction = (static_cast<uint64_t>(ts.tv_nsec) << 32) / 1'000'000'000u;
  return ((static_cast<uint64_t>(ts.tv_sec) + kNtpUnixOffset) << 32) | fraction;
}

void Put64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

// Rewrites the request in `p` into a reply stamped `now`; returns the reply length (0: drop).
size_t MakeReply(uint8_t* p, size_t length, uint64_t now) {
  if (length < kHeaderBytes) return 0;
  p[0] = static_cast<uint8_t>((p[0] & 0x38) | 4);  // LI 0, the request's VN, mode 4
  p[1] = 1;                                        // stratum 1
  p[3] = static_cast<uint8_t>(-20);                // precision about 1 µs
  std::memset(p + 4, 0, 8);                        // root delay, root dispersion
  std::memcpy(p + 12, "MINR", 4);                  // refid
  std::memcpy(p + 24, p + 40, 8);                  // origin = the request's transmit
  Put64(p + 16, now);                              // reference, receive, transmit
  Put64(p + 32, now);
  Put64(p + 40, now);
  return kHeaderBytes;
}

// One buffer, address and message per packet of a batch.
struct Slot {
  std::array<uint8_t, kBufferBytes> buffer;
  sockaddr_storage peer;
  iovec iov;
};

// Points message i at slot i again (a receive overwrites the name length, a reply the length).
void Reset(std::vector<Slot>& slots, std::vector<mmsghdr>& msgs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    Slot& s = slots[i];
    s.iov = {s.buffer.data(), s.buffer.size()};
    msgs[i].msg_hdr = {};
    msgs[i].msg_hdr.msg_name = &s.peer;
    msgs[i].msg_hdr.msg_namelen = sizeof s.peer;
    msgs[i].msg_hdr.msg_iov = &s.iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
}

double SecondsSince(const timespec& start) {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec - start.tv_sec) + static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
}

// Receives up to `batch` requests, answers them, repeats. The deadline is checked when the
// receive times out (SO_RCVTIMEO) and every 4096 rounds, not per packet.
void Serve(int fd, size_t batch, double duration_s) {
  std::vector<Slot> slots(batch);
  std::vector<mmsghdr> msgs(batch);
  Reset(slots, msgs, batch);
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  for (uint64_t round = 0; !g_stop; ++round) {
    int n;
    if (batch == 1) {
      const ssize_t r = ::recvmsg(fd, &msgs[0].msg_hdr, 0);
      if (r >= 0) msgs[0].msg_len = static_cast<unsigned>(r);
      n = r < 0 ? -1 : 1;
    } else {
      n = ::recvmmsg(fd, msgs.data(), static_cast<unsigned>(batch), MSG_WAITFORONE, nullptr);
    }
    if (n <= 0 || round % 4096 == 0) {
      if (SecondsSince(start) > duration_s) break;
      if (n <= 0) continue;  // timeout or signal
    }
    const uint64_t stamp = NtpNow();
    size_t out = 0;  // replies are packed to the front of msgs
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      const size_t len = MakeReply(static_cast<uint8_t*>(msgs[i].msg_hdr.msg_iov->iov_base), msgs[i].msg_len, stamp);
      if (len == 0) continue;
      if (out != i) std::swap(msgs[out], msgs[i]);
      msgs[out].msg_hdr.msg_iov->iov_len = len;
      ++out;
    }
    if (batch == 1) {
      if (out == 1) (void)::sendmsg(fd, &msgs[0].msg_hdr, 0);
    } else if (out > 0) {
      (void)::sendmmsg(fd, msgs.data(), static_cast<unsigned>(out), 0);
    }
    Reset(slots, msgs, static_cast<size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:123";
  size_t batch = 1;
  double duration_s = 600;
  CLI::App app{"min_responder: a stateless NTP responder with no logic, the practical limit for benchmarks"};
  app.add_option("--listen", listen, "ADDRESS:PORT to answer on (default 127.0.0.1:123)");
  app.add_option("--batch", batch, "Packets per recvmmsg/sendmmsg; 1 uses recvmsg/sendmsg (default)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--duration", duration_s, "Exit after this many seconds (default 600)")
      ->check(CLI::Range(0.1, 86400.0));
  CLI11_PARSE(app, argc, argv);
  if (std::isnan(duration_s)) {  // CLI::Range lets NaN through
    std::fprintf(stderr, "min_responder: --duration: expected a number of seconds, got NaN\n");
    return 2;
  }

  auto address = tempus::core::NetAddress::ParseWithDefaultPort(listen, 123);
  if (!address) {
    std::fprintf(stderr, "min_responder: --listen: expected ADDRESS[:PORT], got '%s'\n", listen.c_str());
    return 2;
  }
  sockaddr_storage storage{};
  const socklen_t length = tempus::io::ToSockaddr(*address, &storage);
  const int fd = ::socket(storage.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    std::fprintf(stderr, "min_responder: cannot bind %s: %s\n", listen.c_str(), std::strerror(errno));
    return 1;
  }
  // Wake up twice a second without traffic, to honour --duration and signals.
  const timeval tick{0, 500'000};
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;  // no SA_RESTART: a signal interrupts the blocking receive
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  std::fprintf(stderr, "min_responder: serving on %s, batch %zu\n", listen.c_str(), batch);
  Serve(fd, batch, duration_s);
  ::close(fd);
  return 0;
}

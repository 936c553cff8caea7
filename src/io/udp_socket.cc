// UdpSocket: socket setup, recvmsg with control messages (SO_TIMESTAMPING, IP_PKTINFO), sendmsg.
#include "io/udp_socket.h"

#include <fcntl.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>

#include "base/check.h"
#include "io/sockaddr.h"

namespace tempus::io {
namespace {

constexpr int kMaxEintrRetries = 16;

Unexpected<SysError> Fail(std::string op, int err) { return Unexpected(SysError{std::move(op), err}); }

Result<void, SysError> SetFlags(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return Fail("fcntl O_NONBLOCK", errno);
  const int fdfl = fcntl(fd, F_GETFD);
  if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0) return Fail("fcntl FD_CLOEXEC", errno);
  return {};
}

bool SetIntOption(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

core::UnixTime ReadRealtime() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return core::UnixTime::FromTimespec(ts.tv_sec, ts.tv_nsec);
}

// Control buffer for one timestamp and one pktinfo, aligned for cmsghdr.
union ControlBuffer {
  char bytes[CMSG_SPACE(3 * sizeof(timespec)) + CMSG_SPACE(sizeof(in6_pktinfo)) + 64];
  cmsghdr align;
};

// Makes `info` the one control message of `msg` (at level/type), in `control`'s storage.
template <typename Info>
void SetOneControlMessage(msghdr& msg, ControlBuffer& control, int level, int type, const Info& info) {
  static_assert(CMSG_SPACE(sizeof(Info)) <= sizeof(ControlBuffer));
  msg.msg_control = control.bytes;
  std::memset(control.bytes, 0, CMSG_SPACE(sizeof(Info)));  // the padding too
  cmsghdr* c = reinterpret_cast<cmsghdr*>(control.bytes);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(sizeof info);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  msg.msg_controllen = CMSG_SPACE(sizeof info);
}

// The source address for one datagram (ipi_spec_dst / ipi6_addr); ifindex 0: any.
void SetSourceAddress(msghdr& msg, ControlBuffer& control, const core::NetAddress& local) {
  if (local.is_v4()) {
    in_pktinfo info{};
    std::memcpy(&info.ipi_spec_dst, local.bytes().data(), 4);
    SetOneControlMessage(msg, control, IPPROTO_IP, IP_PKTINFO, info);
  } else {
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, local.bytes().data(), 16);
    SetOneControlMessage(msg, control, IPPROTO_IPV6, IPV6_PKTINFO, info);
  }
}

}  // namespace

Result<UdpSocket, SysError> UdpSocket::Open(const core::NetAddress& bind_to, const UdpOptions& options) {
  const std::string where = bind_to.ToStringWithPort();
  const int family = ToAddressFamily(bind_to.family());
  const int fd = socket(family, SOCK_DGRAM, 0);
  if (fd < 0) return Fail("socket for " + where, errno);
  UdpSocket sock(fd, bind_to, false);  // closes fd on every error path below
  if (auto r = SetFlags(fd); !r) return Unexpected(r.error());
  if (bind_to.is_v6() && !SetIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1)) return Fail("IPV6_V6ONLY on " + where, errno);
  // A socket bound to one address receives only datagrams sent to it: the kernel is asked for the
  // destination (a control message per datagram to build and parse) only on a wildcard socket.
  sock.destination_is_bound_ = options.destination_address && !bind_to.IsWildcard();
  if (options.destination_address && bind_to.IsWildcard()) {
    const bool ok = bind_to.is_v4() ? SetIntOption(fd, IPPROTO_IP, IP_PKTINFO, 1)
                                    : SetIntOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    if (!ok) return Fail("enable destination addresses on " + where, errno);
  }
  if (options.kernel_timestamps) {
    // Without it the receive path falls back to reading the clock, so a refusal is not fatal.
    sock.kernel_timestamps_ =
        SetIntOption(fd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE);
  }
  // Best effort, as a speed-up (UdpOptions::dont_fragment).
  if (options.dont_fragment && bind_to.is_v4()) (void)SetIntOption(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
  // The receive queue is sized for the work, not for a flood: a datagram waiting in it is
  // answered that much later, and a deeper queue buys no throughput (the loop drains it as fast
  // as it can either way). Linux doubles the value for its bookkeeping and charges each datagram
  // its buffer's true size (832 bytes for a 48-byte request on loopback with Linux 6.18; a NIC
  // driver's buffers may be larger), so kReceiveBuffer's 64 KiB hold about 157 requests on loopback:
  // 0.3 to 0.7 ms of work at the 230-550k answers per second one core gives
  // (docs/performance.md), two to three recvmmsg batches (64), and as many requests as a loop
  // descheduled for 1.5 ms receives at 100k per second. Under overload the kernel drops the excess
  // (counted in /proc/net/udp) instead of the daemon answering old requests: 4 MiB made 20 ms
  // (issue 12), 128 KiB (315 requests) 1.4 ms. chronyd keeps the system default (208 KiB, 256
  // requests). Best effort.
  (void)SetIntOption(fd, SOL_SOCKET, SO_RCVBUF, kReceiveBuffer);
  if (options.reuse_address && !SetIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1))
    return Fail("SO_REUSEADDR on " + where, errno);
  if (options.reuse_port && !SetIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1))
    return Fail("SO_REUSEPORT on " + where, errno);
  sockaddr_storage ss;
  const socklen_t len = ToSockaddr(bind_to, &ss);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) return Fail("bind " + where, errno);
  socklen_t got = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &got) < 0) return Fail("getsockname " + where, errno);
  const auto bound = FromSockaddr(reinterpret_cast<sockaddr*>(&ss), got);
  if (!bound) return Fail("getsockname " + where + " returned another family", EAFNOSUPPORT);
  sock.local_ = *bound;
  sock.batched_ = options.batched;
  sock.recvmmsg_ = options.recvmmsg_call != nullptr ? options.recvmmsg_call : &::recvmmsg;
  sock.sendmmsg_ = options.sendmmsg_call != nullptr ? options.sendmmsg_call : &::sendmmsg;
  return sock;
}

// The arrays of one recvmmsg or sendmmsg, kept from batch to batch (no allocation per batch).
struct UdpSocket::Batch {
  std::array<mmsghdr, kMaxBatch> headers;
  std::array<iovec, kMaxBatch> iovs;
  std::array<sockaddr_storage, kMaxBatch> addresses;
  std::array<ControlBuffer, kMaxBatch> controls;
  bool receive_ready = false;  // the headers point at the arrays, for recvmmsg
  // SendMany's own: a reply batch may be built while received datagrams are still in use.
  std::array<mmsghdr, kMaxBatch> send_headers;
  std::array<iovec, kMaxBatch> send_iovs;
  std::array<sockaddr_storage, kMaxBatch> send_addresses;
  std::array<ControlBuffer, kMaxBatch> send_controls;
  size_t filled = 0;  // slots the last recvmmsg filled
  // Counts the ReceiveMany calls (1 to 2^24 - 1, then 1 again), in the upper 24 bits: a reply token
  // (Datagram::reply_to) is the generation plus the slot, valid while the generation stands (a
  // token minus it is below `filled`: one comparison; 0, none, is never valid).
  uint32_t generation = 0;
  // Whether slot i of the last recvmmsg holds the usual pair of control messages at their fixed
  // places (ParseControl), so that its IPv4 pktinfo can be sent back as it came.
  std::array<bool, kMaxBatch> pktinfo_fixed{};
  const std::span<uint8_t>* buffers = nullptr;  // what the iovs point at (ReceiveMany's buffers)
  size_t buffer_count = 0;
};

UdpSocket::UdpSocket(int fd, core::NetAddress local, bool kernel_timestamps)
    : fd_(fd), local_(local), kernel_timestamps_(kernel_timestamps) {}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      local_(other.local_),
      kernel_timestamps_(other.kernel_timestamps_),
      destination_is_bound_(other.destination_is_bound_),
      batched_(other.batched_),
      recvmmsg_(other.recvmmsg_),
      sendmmsg_(other.sendmmsg_),
      batch_(std::move(other.batch_)) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
    kernel_timestamps_ = other.kernel_timestamps_;
    destination_is_bound_ = other.destination_is_bound_;
    batched_ = other.batched_;
    recvmmsg_ = other.recvmmsg_;
    sendmmsg_ = other.sendmmsg_;
    batch_ = std::move(other.batch_);
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) close(fd_);
}

Result<void, SysError> UdpSocket::Connect(const core::NetAddress& peer) {
  sockaddr_storage ss;
  const socklen_t len = ToSockaddr(peer, &ss);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) < 0) return Fail("connect " + peer.ToStringWithPort(), errno);
  return {};
}

Result<std::optional<Datagram>, SysError> UdpSocket::Receive(std::span<uint8_t> buffer) {
  sockaddr_storage from{};
  ControlBuffer control;
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg{};
  ssize_t n = -1;
  for (int attempt = 0; attempt < kMaxEintrRetries; ++attempt) {
    msg = msghdr{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    n = recvmsg(fd_, &msg, 0);
    if (n >= 0 || errno != EINTR) break;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<Datagram>();
    return Fail("recvmsg on " + local_.ToStringWithPort(), errno);
  }
  Datagram d;
  d.size = static_cast<size_t>(n);
  d.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  if (auto a = FromSockaddr(reinterpret_cast<sockaddr*>(&from), msg.msg_namelen)) d.from = *a;
  (void)ParseControl(&msg, &d);
  if (destination_is_bound_) d.local = local_;
  // Without the kernel's stamp: the clock, as close to the arrival as user space still gets.
  d.rx_realtime = d.kernel_rx ? *d.kernel_rx : ReadRealtime();
  return std::optional<Datagram>(d);
}

namespace {

// The data of an SO_TIMESTAMPING message: the first of three stamps ([0] software, [1]
// deprecated, [2] hardware), when set and valid. Inlined in both of ParseControl's paths.
[[gnu::always_inline]] inline void TakeStamp(const unsigned char* data, Datagram* out) {
  timespec ts;
  std::memcpy(&ts, data, sizeof ts);
  if ((ts.tv_sec != 0 || ts.tv_nsec != 0) && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000) {
    // UnixTime::FromTimespec's rounding (checked equal in tests/io), here without its call and
    // its check, which the test above makes: every datagram takes this.
    const uint64_t fraction = ((static_cast<uint64_t>(ts.tv_nsec) << 32) + 500000000) / 1000000000;
    out->kernel_rx = core::UnixTime::FromParts(ts.tv_sec, static_cast<uint32_t>(fraction));
  }
}

// The data of an IP_PKTINFO message: ipi_addr, the header's destination address.
[[gnu::always_inline]] inline void TakePktinfo(const unsigned char* data, uint16_t port, Datagram* out) {
  std::array<uint8_t, 4> bytes;
  std::memcpy(bytes.data(), data + offsetof(in_pktinfo, ipi_addr), 4);
  out->local = core::NetAddress::IPv4(bytes, port);
}

// What the kernel gives an IPv4 socket with both of our options on, in this order (udp_recvmsg:
// the socket's stamps, then the IP options): a control area of exactly these two messages.
constexpr size_t kStampSpace = CMSG_SPACE(3 * sizeof(timespec));
constexpr size_t kStampAndPktinfo = kStampSpace + CMSG_SPACE(sizeof(in_pktinfo));

// A received control area of the usual pair (ParseControl's fixed places) made the one control
// message of a reply from the address the datagram was sent to: its IP_PKTINFO, in place, with
// ipi_spec_dst (the source to use) set to ipi_addr (the header's destination) and no interface, as
// SetSourceAddress writes it.
void EchoPktinfo(msghdr& msg, ControlBuffer& received) {
  unsigned char* c = reinterpret_cast<unsigned char*>(received.bytes) + kStampSpace;
  unsigned char* data = c + CMSG_LEN(0);
  std::memcpy(data + offsetof(in_pktinfo, ipi_spec_dst), data + offsetof(in_pktinfo, ipi_addr), 4);
  std::memset(data + offsetof(in_pktinfo, ipi_ifindex), 0, sizeof(int));
  msg.msg_control = c;
  msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
}

// Whether the message header at `p` has this length, level and type: on LP64 (a 16-byte header
// without padding) compared as two words, the length and the level and type side by side.
bool IsMessage(const unsigned char* p, size_t len, int level, int type) {
  cmsghdr want{};
  want.cmsg_len = len;
  want.cmsg_level = level;
  want.cmsg_type = type;
  if constexpr (sizeof(cmsghdr) == 2 * sizeof(uint64_t) && sizeof(want.cmsg_len) + 2 * sizeof(int) == sizeof(cmsghdr)) {
    uint64_t a[2];
    uint64_t b[2];
    std::memcpy(a, p, sizeof a);
    std::memcpy(b, &want, sizeof b);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
  } else {
    cmsghdr c;
    std::memcpy(&c, p, sizeof c);
    return c.cmsg_len == len && c.cmsg_level == level && c.cmsg_type == type;
  }
}

// The sender of a received datagram: FromSockaddr, an IPv4 sender read in place (every datagram
// of an IPv4 server: no optional, no copy of the sockaddr), kNone for an unknown family.
core::NetAddress SenderOf(const sockaddr_storage& from, socklen_t length) {
  if (from.ss_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&from);
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &sin->sin_addr, 4);
    return core::NetAddress::IPv4(bytes, ntohs(sin->sin_port));
  }
  return FromSockaddr(reinterpret_cast<const sockaddr*>(&from), length).value_or(core::NetAddress());
}

// The usual layouts read at their fixed places, each header checked whole: the stamp and an IPv4
// pktinfo (a wildcard socket) or the stamp alone (a socket bound to one address, which asks for no
// pktinfo): every datagram of an IPv4 server. Inline in ReceiveMany, without ParseControl's call.
// kNone: another layout, for ParseControl's walk.
enum class FixedControl { kNone, kStamp, kPair };
[[gnu::always_inline]] inline FixedControl TakeFixedControl(const msghdr& msg, uint16_t port, Datagram* out) {
  const auto* p = static_cast<const unsigned char*>(msg.msg_control);
  if (msg.msg_controllen == kStampAndPktinfo &&
      IsMessage(p, CMSG_LEN(3 * sizeof(timespec)), SOL_SOCKET, SO_TIMESTAMPING) &&
      IsMessage(p + kStampSpace, CMSG_LEN(sizeof(in_pktinfo)), IPPROTO_IP, IP_PKTINFO)) {
    TakeStamp(p + CMSG_LEN(0), out);
    TakePktinfo(p + kStampSpace + CMSG_LEN(0), port, out);
    return FixedControl::kPair;
  }
  if (msg.msg_controllen == kStampSpace && IsMessage(p, CMSG_LEN(3 * sizeof(timespec)), SOL_SOCKET, SO_TIMESTAMPING)) {
    TakeStamp(p + CMSG_LEN(0), out);
    return FixedControl::kStamp;
  }
  return FixedControl::kNone;
}

}  // namespace

bool UdpSocket::ParseControl(const void* msg_ptr, Datagram* out) const {
  const auto* msg = static_cast<const msghdr*>(msg_ptr);
  const auto* p = static_cast<const unsigned char*>(msg->msg_control);
  if (p == nullptr) return false;
  if (const FixedControl fixed = TakeFixedControl(*msg, local_.port(), out); fixed != FixedControl::kNone) {
    return fixed == FixedControl::kPair;
  }
  // The control messages walked by hand rather than with CMSG_NXTHDR, which is a call into libc
  // per message (this runs for every datagram): each header is read where CMSG_FIRSTHDR and
  // CMSG_NXTHDR would find it (CMSG_ALIGN steps), and only while it lies wholly inside
  // msg_controllen, as they require.
  size_t left = msg->msg_controllen;
  while (left >= sizeof(cmsghdr)) {
    cmsghdr c;
    std::memcpy(&c, p, sizeof c);
    if (c.cmsg_len < CMSG_LEN(0) || c.cmsg_len > left) break;
    const unsigned char* data = p + CMSG_LEN(0);
    const size_t data_len = c.cmsg_len - CMSG_LEN(0);
    if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SO_TIMESTAMPING && data_len >= 3 * sizeof(timespec)) {
      TakeStamp(data, out);
    } else if (c.cmsg_level == IPPROTO_IP && c.cmsg_type == IP_PKTINFO && data_len >= sizeof(in_pktinfo)) {
      TakePktinfo(data, local_.port(), out);
    } else if (c.cmsg_level == IPPROTO_IPV6 && c.cmsg_type == IPV6_PKTINFO && data_len >= sizeof(in6_pktinfo)) {
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), data + offsetof(in6_pktinfo, ipi6_addr), 16);
      out->local = core::NetAddress::IPv6(bytes, local_.port());
    }
    const size_t step = CMSG_ALIGN(c.cmsg_len);
    if (step >= left) break;
    p += step;
    left -= step;
  }
  return false;
}

Result<void, SysError> UdpSocket::SendTo(std::span<const uint8_t> data, const core::NetAddress& to,
                                         const std::optional<core::NetAddress>& local) {
  return SendMessage(data, &to, local);
}

Result<void, SysError> UdpSocket::Send(std::span<const uint8_t> data) {
  return SendMessage(data, nullptr, std::nullopt);
}

Result<void, SysError> UdpSocket::SendMessage(std::span<const uint8_t> data, const core::NetAddress* to,
                                              const std::optional<core::NetAddress>& local) {
  sockaddr_storage ss;
  iovec iov{const_cast<uint8_t*>(data.data()), data.size()};
  msghdr msg{};
  if (to != nullptr) {
    msg.msg_name = &ss;
    msg.msg_namelen = ToSockaddr(*to, &ss);
  }
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ControlBuffer control;
  if (local.has_value() && local_.IsWildcard()) SetSourceAddress(msg, control, *local);  // else from local_
  for (int attempt = 0; attempt < kMaxEintrRetries; ++attempt) {
    if (sendmsg(fd_, &msg, 0) >= 0) return {};
    if (errno != EINTR) break;
  }
  const std::string dest = to != nullptr ? to->ToStringWithPort() : std::string("the connected peer");
  return Fail("sendmsg from " + local_.ToStringWithPort() + " to " + dest, errno);
}

namespace {

// What says that the batch calls are not there (or not ours to use), rather than a failure of this
// one call: then the socket does without them from now on.
bool BatchCallsUnavailable(int err) {
  return err == ENOSYS || err == EINVAL || err == EBADF || err == ENOTSOCK || err == EOPNOTSUPP || err == EPERM;
}

}  // namespace

Result<size_t, SysError> UdpSocket::ReceiveMany(std::span<const std::span<uint8_t>> buffers,
                                                std::span<Datagram> slots) {
  TEMPUS_CHECK(buffers.size() >= slots.size());
  const size_t want = std::min(slots.size(), kMaxBatch);
  if (!batched_ || want <= 1) return ReceiveOneByOne(buffers, slots.first(want));
  if (!batch_) batch_ = std::make_unique<Batch>();
  Batch& b = *batch_;
  // Set up once; then only what the kernel changed (the lengths of the slots the last call
  // filled) and the buffers, so that a wake-up for one datagram costs little.
  if (!b.receive_ready) {
    for (size_t i = 0; i < kMaxBatch; ++i) {
      msghdr& m = b.headers[i].msg_hdr;
      m = msghdr{};
      m.msg_name = &b.addresses[i];
      m.msg_iov = &b.iovs[i];
      m.msg_iovlen = 1;
      m.msg_control = b.controls[i].bytes;
      m.msg_namelen = sizeof b.addresses[i];
      m.msg_controllen = sizeof b.controls[i].bytes;
    }
    b.filled = 0;
    b.receive_ready = true;
  }
  for (size_t i = 0; i < b.filled; ++i) {
    b.headers[i].msg_hdr.msg_namelen = sizeof b.addresses[i];
    b.headers[i].msg_hdr.msg_controllen = sizeof b.controls[i].bytes;
  }
  b.filled = 0;
  b.generation = b.generation >= (((uint32_t{1} << 24) - 1) << 8)
                     ? (1u << 8)
                     : b.generation + (1u << 8);                // earlier tokens go stale
  if (buffers.data() != b.buffers || want != b.buffer_count) {  // the daemon passes the same ones
    for (size_t i = 0; i < want; ++i) b.iovs[i] = iovec{buffers[i].data(), buffers[i].size()};
    b.buffers = buffers.data();
    b.buffer_count = want;
  }
  int n = -1;
  for (int attempt = 0; attempt < kMaxEintrRetries; ++attempt) {
    n = recvmmsg_(fd_, b.headers.data(), static_cast<unsigned int>(want), MSG_DONTWAIT, nullptr);
    if (n >= 0 || errno != EINTR) break;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return size_t{0};
    if (BatchCallsUnavailable(errno)) {
      batched_ = false;
      return ReceiveOneByOne(buffers, slots.first(want));
    }
    return Fail("recvmmsg on " + local_.ToStringWithPort(), errno);
  }
  b.filled = static_cast<size_t>(n);
  std::optional<core::UnixTime> now;  // read once, only for a datagram without the kernel's stamp
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    const msghdr& m = b.headers[i].msg_hdr;
    Datagram& d = slots[i];
    // Every field set (ParseControl sets the two optionals only when their message came), none
    // cleared first: this runs for every datagram.
    d.size = b.headers[i].msg_len;
    d.truncated = (m.msg_flags & MSG_TRUNC) != 0;
    d.from = SenderOf(b.addresses[i], m.msg_namelen);
    d.local = destination_is_bound_ ? std::optional(local_) : std::nullopt;
    d.kernel_rx.reset();
    d.reply_to = b.generation + static_cast<uint32_t>(i);
    const FixedControl fixed = m.msg_control != nullptr ? TakeFixedControl(m, local_.port(), &d) : FixedControl::kNone;
    b.pktinfo_fixed[i] = fixed == FixedControl::kPair || (fixed == FixedControl::kNone && ParseControl(&m, &d));
    if (!d.kernel_rx && !now) now = ReadRealtime();
    d.rx_realtime = d.kernel_rx ? *d.kernel_rx : *now;
  }
  return static_cast<size_t>(n);
}

Result<size_t, SysError> UdpSocket::ReceiveOneByOne(std::span<const std::span<uint8_t>> buffers,
                                                    std::span<Datagram> slots) {
  size_t n = 0;
  while (n < slots.size()) {
    auto got = Receive(buffers[n]);
    if (!got) {
      if (n > 0) return n;  // the error comes again with the next call
      return Unexpected(got.error());
    }
    if (!got->has_value()) break;
    slots[n++] = **got;
  }
  return n;
}

size_t UdpSocket::SendMany(std::span<const Outgoing> batch) {
  size_t failed = 0;
  size_t done = 0;
  if (batched_ && batch.size() > 1) {
    if (!batch_) batch_ = std::make_unique<Batch>();
    Batch& b = *batch_;
    const bool wildcard = local_.IsWildcard();  // else every reply leaves from local_
    while (done < batch.size() && batched_) {
      const size_t count = std::min(batch.size() - done, kMaxBatch);
      for (size_t i = 0; i < count; ++i) {
        const Outgoing& o = batch[done + i];
        const core::NetAddress* local = wildcard ? o.local : nullptr;
        b.send_iovs[i] = iovec{const_cast<uint8_t*>(o.bytes.data()), o.bytes.size()};
        // Every field set, none cleared twice (this runs for every reply).
        msghdr& m = b.send_headers[i].msg_hdr;
        m.msg_iov = &b.send_iovs[i];
        m.msg_iovlen = 1;
        m.msg_flags = 0;
        // A reply to a datagram of the last ReceiveMany: its sockaddr and pktinfo as received.
        if (const uint32_t slot = static_cast<uint32_t>(o.route) - b.generation; slot < b.filled) {
          m.msg_name = &b.addresses[slot];
          m.msg_namelen = b.headers[slot].msg_hdr.msg_namelen;
          if (local == nullptr) {
            m.msg_control = nullptr;
            m.msg_controllen = 0;
          } else if (b.pktinfo_fixed[slot]) {
            EchoPktinfo(m, b.controls[slot]);
          } else {
            SetSourceAddress(m, b.send_controls[i], *local);
          }
          continue;
        }
        m.msg_name = &b.send_addresses[i];
        m.msg_namelen = ToSockaddr(*o.to, &b.send_addresses[i]);
        if (local != nullptr) {
          SetSourceAddress(m, b.send_controls[i], *local);
        } else {
          m.msg_control = nullptr;
          m.msg_controllen = 0;
        }
      }
      int n = -1;
      for (int attempt = 0; attempt < kMaxEintrRetries; ++attempt) {
        n = sendmmsg_(fd_, b.send_headers.data(), static_cast<unsigned int>(count), 0);
        if (n >= 0 || errno != EINTR) break;
      }
      if (n < 0 && BatchCallsUnavailable(errno)) {
        batched_ = false;  // the rest one by one, below
      } else if (n <= 0) {
        ++failed;  // the first datagram failed (its error is this errno): skip it, go on
        ++done;
      } else {
        done += static_cast<size_t>(n);
      }
    }
  }
  for (; done < batch.size(); ++done) {
    const Outgoing& o = batch[done];
    if (!SendMessage(o.bytes, o.to, o.local != nullptr ? std::optional(*o.local) : std::nullopt)) ++failed;
  }
  return failed;
}

}  // namespace tempus::io

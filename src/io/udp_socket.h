// UdpSocket: one non-blocking UDP socket with kernel receive timestamps and destination addresses.
//
// Follows the I/O rules of ARCHITECTURE.md: a plain SOCK_DGRAM socket made non-blocking and
// close-on-exec with fcntl, recvmsg/sendmsg only, software receive timestamps with SO_TIMESTAMPING
// (never SO_TIMESTAMP/SO_TIMESTAMPNS), and CLOCK_REALTIME read right after the receive when no
// stamp arrives. IPv6 sockets are IPV6_V6ONLY. A client may Connect so that an ICMP
// port-unreachable surfaces as ECONNREFUSED on the next Receive. Move-only; owns its descriptor.
// Not thread-safe.
#ifndef TEMPUS_IO_UDP_SOCKET_H_
#define TEMPUS_IO_UDP_SOCKET_H_

#include <sys/socket.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/result.h"
#include "base/sys_error.h"
#include "core/net/net_address.h"
#include "core/net/outgoing.h"
#include "core/time/unix_time.h"

namespace tempus::io {

struct UdpOptions {
  bool kernel_timestamps = true;    // SO_TIMESTAMPING, software receive stamps
  bool destination_address = true;  // IP_PKTINFO / IPV6_RECVPKTINFO, on a wildcard socket
  // IPv4: IP_MTU_DISCOVER = IP_PMTUDISC_PROBE, so every datagram leaves with DF set and IP ID 0
  // (RFC 6864: an atomic datagram's ID has no meaning) rather than an ID from the kernel's shared
  // generator (__ip_select_ident: a hash and an atomic per datagram, 4 % of a server's CPU on
  // loopback). A datagram larger than the interface's MTU then fails with EMSGSIZE instead of
  // leaving in fragments: for a server, whose reply is never larger than its request.
  bool dont_fragment = false;
  // SO_REUSEADDR: share the port with a wildcard socket bound to it (ntpd's per-interface sockets
  // beside its wildcard one); every socket sharing it must set it.
  bool reuse_address = false;
  // SO_REUSEPORT: one socket per thread on the same address and port (tempusd's workers); the
  // kernel spreads the datagrams over them (io/reuseport.h steers by source address).
  bool reuse_port = false;
  // ReceiveMany/SendMany with recvmmsg/sendmmsg. Off, or once the platform refuses them (ENOSYS,
  // EINVAL, EBADF, ENOTSOCK, EOPNOTSUPP, EPERM: an old kernel, a seccomp filter, an LD_PRELOAD
  // simulator such as clknetsim, which has no sendmmsg), one recvmsg/sendmsg per datagram.
  bool batched = true;
  // The batch calls, for tests that play a platform without them. Null: the libc ones.
  int (*recvmmsg_call)(int, mmsghdr*, unsigned int, int, timespec*) = nullptr;
  int (*sendmmsg_call)(int, mmsghdr*, unsigned int, int) = nullptr;
};

// One datagram of UdpSocket::SendMany (core/net/outgoing.h): to `*to`, from `*local` when not null
// and the socket is a wildcard one (a socket bound to one address sends from it), as SendTo. The
// addresses are the caller's (e.g. the received Datagram's), valid for the call: no copies. The low
// 32 bits of `route`: a reply to a datagram this socket received (its Datagram::reply_to); while no
// ReceiveMany came since, its sender's sockaddr and its pktinfo (when `local` is used) are sent as
// the kernel gave them, rather than built from `to` and `local` (which must name the same
// addresses: the datagram's `from` and `local`). A stale token is harmless: `to` and `local` are
// used. 0: none. The upper 32 bits are the caller's (the daemon's socket index).
using Outgoing = core::Outgoing;

// One received datagram. The payload is in the caller's buffer.
struct Datagram {
  size_t size = 0;         // payload bytes stored in the buffer
  bool truncated = false;  // the datagram was longer than the buffer (MSG_TRUNC); the rest is lost
  core::NetAddress from;   // the sender, with its port
  // The address the datagram was sent to, with this socket's port: IP_PKTINFO's on a wildcard
  // socket (nullopt when the kernel did not say); on a socket bound to one address, which
  // receives only datagrams sent to it, that address without asking the kernel.
  std::optional<core::NetAddress> local;
  // The kernel's software receive stamp (CLOCK_REALTIME), when one arrived.
  std::optional<core::UnixTime> kernel_rx;
  // kernel_rx, or else CLOCK_REALTIME read right after recvmsg returned. Map it to the daemon's
  // clock with engine::Clock::FromKernelRealtime.
  core::UnixTime rx_realtime;
  // This datagram's receive slot, for a reply's Outgoing::route (its low half): valid until the socket's next
  // ReceiveMany. 0: none (Receive, and the path without batch calls).
  uint32_t reply_to = 0;
};

class UdpSocket {
 public:
  // SO_RCVBUF of every socket, in bytes (udp_socket.cc says why this size).
  static constexpr int kReceiveBuffer = 64 * 1024;

  // A socket bound to `bind_to` (port 0: an ephemeral port; address 0.0.0.0 or ::: any).
  [[nodiscard]] static Result<UdpSocket, SysError> Open(const core::NetAddress& bind_to,
                                                        const UdpOptions& options = {});
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  // Restricts the socket to one peer; errors from that peer (ICMP) then surface on Receive.
  [[nodiscard]] Result<void, SysError> Connect(const core::NetAddress& peer);
  // Reads one datagram into `buffer`; nullopt when none is waiting (EAGAIN).
  [[nodiscard]] Result<std::optional<Datagram>, SysError> Receive(std::span<uint8_t> buffer);
  // Reads up to slots.size() waiting datagrams into `slots` (at most kMaxBatch) with one recvmmsg,
  // each with its sender, destination and kernel receive stamp; the payload of slot i is in
  // buffers[i]. Returns how many (0: none waiting). REQUIRES: buffers.size() >= slots.size(); a
  // caller that points the spans of one array at other memory passes another array (the socket
  // rebuilds its iovecs only when the array or the count changes).
  static constexpr size_t kMaxBatch = 64;
  [[nodiscard]] Result<size_t, SysError> ReceiveMany(std::span<const std::span<uint8_t>> buffers,
                                                     std::span<Datagram> slots);
  // Sends `batch` with one sendmmsg (or one sendmsg each, see UdpOptions::batched); returns how
  // many failed.
  size_t SendMany(std::span<const Outgoing> batch);
  // Whether the batch calls are in use (on, and not refused so far).
  bool batched() const { return batched_; }

  // Sends `data` to `to`; with `local`, from that local address (IP_PKTINFO), as a server bound
  // to a wildcard address answers from the address it was reached at. A socket bound to one
  // address sends from it, whatever `local` says (as SendMany).
  [[nodiscard]] Result<void, SysError> SendTo(std::span<const uint8_t> data, const core::NetAddress& to,
                                              const std::optional<core::NetAddress>& local = std::nullopt);
  // Sends `data` to the connected peer. REQUIRES: Connect succeeded.
  [[nodiscard]] Result<void, SysError> Send(std::span<const uint8_t> data);

  int fd() const { return fd_; }
  // The bound address, with the port the kernel chose for port 0.
  const core::NetAddress& local_address() const { return local_; }
  // Whether SO_TIMESTAMPING was accepted (stamps may still be missing on some kernels).
  bool kernel_timestamps() const { return kernel_timestamps_; }

 private:
  UdpSocket(int fd, core::NetAddress local, bool kernel_timestamps);
  struct Batch;  // the recvmmsg/sendmmsg arrays, allocated at the first batch (udp_batch.cc)
  // One datagram at a time until `slots` are full or none waits: the path without batch calls.
  Result<size_t, SysError> ReceiveOneByOne(std::span<const std::span<uint8_t>> buffers, std::span<Datagram> slots);
  Result<void, SysError> SendMessage(std::span<const uint8_t> data, const core::NetAddress* to,
                                     const std::optional<core::NetAddress>& local);
  // Sets out->kernel_rx and out->local from the control messages of `msg`. True when they are
  // the usual pair at their fixed places (a stamp, then an IPv4 pktinfo at kStampSpace).
  bool ParseControl(const void* msg, Datagram* out) const;

  int fd_ = -1;
  core::NetAddress local_;
  bool kernel_timestamps_ = false;
  bool destination_is_bound_ = false;  // Datagram::local is local_ (no IP_PKTINFO asked for)
  bool batched_ = true;
  int (*recvmmsg_)(int, mmsghdr*, unsigned int, int, timespec*) = nullptr;
  int (*sendmmsg_)(int, mmsghdr*, unsigned int, int) = nullptr;
  std::unique_ptr<Batch> batch_;
};

}  // namespace tempus::io

#endif  // TEMPUS_IO_UDP_SOCKET_H_

// UdpLoadSocket: the load generator's one UDP socket and its preallocated batches.
//
// Requests go out with sendmmsg, each message a 48-byte NTP client request (RFC 5905 §7.3) with
// its own transmit timestamp (the cookie) and its own source address, chosen with an IP_PKTINFO
// control message (any 127.0.0.0/8 address is local on Linux loopback, so one socket bound to
// the wildcard address speaks for many clients and receives all their replies). Replies come in
// with recvmmsg. Buffers are allocated once; nothing allocates per packet. Not thread-safe.
#ifndef TEMPUS_BENCH_NTP_LOAD_SEND_BATCH_H_
#define TEMPUS_BENCH_NTP_LOAD_SEND_BATCH_H_

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"
#include "core/wire/packet.h"

namespace tempus::bench {

class UdpLoadSocket {
 public:
  // A non-blocking socket bound to 0.0.0.0 (any port) with large buffers, sending to `target`
  // in batches of up to `batch` messages of up to `request_bytes` (48 for plain requests, more
  // for NTS), reading replies of up to `reply_bytes`. REQUIRES: target.is_v4(), batch >= 1,
  // request_bytes >= 48. Not movable: the prepared messages point into the object.
  [[nodiscard]] static Result<std::unique_ptr<UdpLoadSocket>, std::string> Open(
      const core::NetAddress& target, size_t batch, size_t request_bytes = core::kHeaderSize, size_t reply_bytes = 128);
  UdpLoadSocket(const UdpLoadSocket&) = delete;
  UdpLoadSocket& operator=(const UdpLoadSocket&) = delete;
  ~UdpLoadSocket();

  int fd() const { return fd_; }
  uint16_t local_port() const { return local_port_; }

  // Fills message i of the next batch: from `source_be` (network order), transmit = `cookie`.
  void Prepare(size_t i, uint32_t source_be, uint64_t cookie);
  uint64_t Cookie(size_t i) const { return cookies_[i]; }
  // Message i's whole buffer (request_bytes), its 48-octet header as Prepare left it, and the
  // number of octets it sends (48 until set).
  std::span<uint8_t> Packet(size_t i) { return out_[i].packet; }
  void SetSize(size_t i, size_t size) { out_[i].iov.iov_len = size; }
  // Sends messages 0..n-1; returns how many the kernel took (it stops at the first refusal).
  size_t Send(size_t n);
  // Reads up to n waiting datagrams without blocking; returns how many.
  size_t Receive(size_t n);
  // Datagram i of the last Receive, cut to the buffer size (longer ones are truncated).
  std::span<const uint8_t> Reply(size_t i) const;
  // Whether datagram i of the last Receive was longer than the buffer.
  bool Truncated(size_t i) const { return (in_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
  // When the kernel queued datagram i of the last Receive on this socket (SO_TIMESTAMPNS,
  // CLOCK_REALTIME nanoseconds); -1 when no stamp came. A reply's wait in the generator's own
  // queue is the realtime clock at its reading minus this.
  int64_t KernelStampNs(size_t i) const;

 private:
  struct Out {
    std::span<uint8_t> packet;  // into request_storage_
    iovec iov;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control;
  };
  struct In {
    std::span<uint8_t> buffer;  // into reply_storage_
    iovec iov;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec)) + 32> control;
  };

  UdpLoadSocket(int fd, uint16_t local_port, const core::NetAddress& target, size_t batch, size_t request_bytes,
                size_t reply_bytes);

  int fd_ = -1;
  uint16_t local_port_ = 0;
  sockaddr_in target_{};
  std::vector<uint8_t> request_storage_;
  std::vector<uint8_t> reply_storage_;
  std::vector<Out> out_;
  std::vector<In> in_;
  std::vector<mmsghdr> out_msgs_;
  std::vector<mmsghdr> in_msgs_;
  std::vector<uint64_t> cookies_;
};

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_SEND_BATCH_H_

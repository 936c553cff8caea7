#include "ntp_load/send_batch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/wire/codec.h"
#include "io/sockaddr.h"

namespace tempus::bench {
namespace {

constexpr int kSocketBufferBytes = 32 << 20;

std::string Failed(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Replies must not be dropped by the generator itself, or their loss would be blamed on the
// server: ask for a large buffer, beyond net.core.rmem_max when root (SO_RCVBUFFORCE).
void EnlargeBuffer(int fd, int force_option, int option) {
  if (::setsockopt(fd, SOL_SOCKET, force_option, &kSocketBufferBytes, sizeof kSocketBufferBytes) != 0) {
    (void)::setsockopt(fd, SOL_SOCKET, option, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  }
}

}  // namespace

Result<std::unique_ptr<UdpLoadSocket>, std::string> UdpLoadSocket::Open(const core::NetAddress& target, size_t batch,
                                                                        size_t request_bytes, size_t reply_bytes) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return Unexpected(Failed("socket"));
  auto fail = [fd](const char* what) {
    std::string text = Failed(what);
    ::close(fd);
    return Unexpected(text);
  };
  if (::fcntl(fd, F_SETFL, O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) return fail("fcntl");
  EnlargeBuffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
  EnlargeBuffer(fd, SO_SNDBUFFORCE, SO_SNDBUF);
  // The kernel's receive stamp of each reply (best effort: without it, no reply-wait figure).
  const int on = 1;
  (void)::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0) return fail("bind");
  socklen_t len = sizeof any;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&any), &len) != 0) return fail("getsockname");
  return std::unique_ptr<UdpLoadSocket>(
      new UdpLoadSocket(fd, ntohs(any.sin_port), target, batch, request_bytes, reply_bytes));
}

UdpLoadSocket::UdpLoadSocket(int fd, uint16_t local_port, const core::NetAddress& target, size_t batch,
                             size_t request_bytes, size_t reply_bytes)
    : fd_(fd),
      local_port_(local_port),
      request_storage_(batch * request_bytes),
      reply_storage_(batch * reply_bytes),
      out_(batch),
      in_(batch),
      out_msgs_(batch),
      in_msgs_(batch),
      cookies_(batch, 0) {
  sockaddr_storage storage{};
  (void)io::ToSockaddr(target, &storage);
  std::memcpy(&target_, &storage, sizeof target_);
  // RFC 5905 §7.3: LI 0, VN 4, mode 3 (client); every other field zero but the transmit
  // timestamp, as chrony's and NTPsec's clients send.
  core::Header request;
  request.mode = core::Mode::kClient;
  for (size_t i = 0; i < batch; ++i) {
    Out& o = out_[i];
    o.packet = std::span<uint8_t>(request_storage_).subspan(i * request_bytes, request_bytes);
    core::EncodeHeader(request, o.packet.first<core::kHeaderSize>());
    o.iov = {o.packet.data(), core::kHeaderSize};
    o.control.fill(0);
    auto* cmsg = reinterpret_cast<cmsghdr*>(o.control.data());
    cmsg->cmsg_level = IPPROTO_IP;
    cmsg->cmsg_type = IP_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    msghdr& m = out_msgs_[i].msg_hdr;
    m = {};
    m.msg_name = &target_;
    m.msg_namelen = sizeof target_;
    m.msg_iov = &o.iov;
    m.msg_iovlen = 1;
    m.msg_control = o.control.data();
    m.msg_controllen = o.control.size();

    In& in = in_[i];
    in.buffer = std::span<uint8_t>(reply_storage_).subspan(i * reply_bytes, reply_bytes);
    in.iov = {in.buffer.data(), in.buffer.size()};
    in_msgs_[i].msg_hdr = {};
    in_msgs_[i].msg_hdr.msg_iov = &in.iov;
    in_msgs_[i].msg_hdr.msg_iovlen = 1;
  }
  for (size_t i = 0; i < batch; ++i) {
    in_msgs_[i].msg_hdr.msg_control = in_[i].control.data();
    in_msgs_[i].msg_hdr.msg_controllen = in_[i].control.size();
  }
}

UdpLoadSocket::~UdpLoadSocket() { ::close(fd_); }

void UdpLoadSocket::Prepare(size_t i, uint32_t source_be, uint64_t cookie) {
  Out& o = out_[i];
  core::StampTransmit(o.packet.first<core::kHeaderSize>(), core::NtpTimestamp::FromRaw(cookie));
  in_pktinfo info{};
  info.ipi_spec_dst.s_addr = source_be;  // the source address of this request
  std::memcpy(CMSG_DATA(reinterpret_cast<cmsghdr*>(o.control.data())), &info, sizeof info);
  cookies_[i] = cookie;
}

size_t UdpLoadSocket::Send(size_t n) {
  size_t done = 0;
  while (done < n) {
    const int r = ::sendmmsg(fd_, &out_msgs_[done], static_cast<unsigned>(n - done), 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

size_t UdpLoadSocket::Receive(size_t n) {
  for (size_t i = 0; i < n; ++i) {
    in_msgs_[i].msg_hdr.msg_flags = 0;
    in_msgs_[i].msg_hdr.msg_controllen = in_[i].control.size();
  }
  const int r = ::recvmmsg(fd_, in_msgs_.data(), static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
  return r > 0 ? static_cast<size_t>(r) : 0;
}

int64_t UdpLoadSocket::KernelStampNs(size_t i) const {
  const msghdr& m = in_msgs_[i].msg_hdr;
  for (const cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&m), const_cast<cmsghdr*>(c))) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
  }
  return -1;
}

std::span<const uint8_t> UdpLoadSocket::Reply(size_t i) const {
  return in_[i].buffer.first(std::min<size_t>(in_msgs_[i].msg_len, in_[i].buffer.size()));
}

}  // namespace tempus::bench

#include "io/reuseport.h"

#include <linux/filter.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <vector>

namespace tempus::io {
namespace {

// Offsets from the network header (SKF_NET_OFF: the program's data starts at the UDP payload).
constexpr uint32_t kIpv4Source = 12;  // RFC 791 §3.1
constexpr uint32_t kIpv6Source = 8;   // RFC 8200 §3

sock_filter Load(uint32_t network_offset) {
  return BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(SKF_NET_OFF) + network_offset);
}

}  // namespace

Result<void, SysError> SteerBySource(int fd, bool v6, uint32_t first, uint32_t count) {
  std::vector<sock_filter> code;
  if (v6) {
    // A = w0 ^ w1: the source's /64 prefix, as the rate limiter keys it.
    code.push_back(Load(kIpv6Source));
    code.push_back(BPF_STMT(BPF_MISC | BPF_TAX, 0));
    code.push_back(Load(kIpv6Source + 4));
    code.push_back(BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0));
  } else {
    code.push_back(Load(kIpv4Source));
  }
  code.push_back(BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, count));
  code.push_back(BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, first));
  code.push_back(BPF_STMT(BPF_RET | BPF_A, 0));
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program) < 0) {
    return Unexpected(SysError{"SO_ATTACH_REUSEPORT_CBPF", errno});
  }
  return {};
}

}  // namespace tempus::io

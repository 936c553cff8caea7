// SteerBySource: which socket of a SO_REUSEPORT group receives a datagram, chosen by its source
// address alone, with a classic BPF program (SO_ATTACH_REUSEPORT_CBPF, Linux 4.5).
//
// Without it the kernel picks a socket by a hash of the 4-tuple, so that one client reaches every
// worker thread from its many source ports, and each worker's rate limiter sees a share of its
// requests: a flooding client multiplies its quota by the number of workers. With it one address
// always reaches one socket, whatever its port, and per-thread rate limiting is exact.
#ifndef TEMPUS_IO_REUSEPORT_H_
#define TEMPUS_IO_REUSEPORT_H_

#include <cstdint>

#include "base/result.h"
#include "base/sys_error.h"

namespace tempus::io {

// Attaches to the group of bound socket `fd` (IPv6 when `v6`) a program that sends a datagram
// from source address S to the group's socket `first + H(S) mod count`, sockets numbered in the
// order they were bound (0: the first). H is the IPv4 address, or for IPv6 the XOR of the two
// 32-bit words of the address's /64 prefix: the unit core::server::RateLimiter keys IPv6 clients
// by (an attacker rotates addresses within its /64), so that one /64 meets one worker's table. An
// index past the group makes the kernel fall back to its hash.
// REQUIRES: count >= 1.
[[nodiscard]] Result<void, SysError> SteerBySource(int fd, bool v6, uint32_t first, uint32_t count);

}  // namespace tempus::io

#endif  // TEMPUS_IO_REUSEPORT_H_

// The machine's own addresses, read from its network interfaces (getifaddrs), for the daemon to
// tell the engine which sources are this node itself (a wildcard socket serves on all of them).
// Edge code; thread-compatible.
#ifndef TEMPUS_IO_LOCAL_ADDRESSES_H_
#define TEMPUS_IO_LOCAL_ADDRESSES_H_

#include <vector>

#include "core/net/net_address.h"
#include "core/result.h"
#include "engine/sys_error.h"

namespace tempus::io {

// 0.0.0.0 or ::, the address of a socket bound to every interface.
bool IsWildcard(const core::NetAddress& address);

// Every IPv4 and IPv6 address of every interface that is up (port 0), without duplicates, in
// the kernel's order.
[[nodiscard]] Result<std::vector<core::NetAddress>, engine::SysError> LocalAddresses();

// The addresses a node listening on `listen` serves on, each with its socket's port: a
// specific address as it is, a wildcard (0.0.0.0, ::) as every address of `interfaces` of its
// family. Pure.
std::vector<core::NetAddress> ServedAddresses(const std::vector<core::NetAddress>& listen,
                                              const std::vector<core::NetAddress>& interfaces);

}  // namespace tempus::io

#endif  // TEMPUS_IO_LOCAL_ADDRESSES_H_

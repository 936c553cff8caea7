// The machine's interface addresses (getifaddrs) and the local address the kernel would send
// from to a destination (a connected UDP socket's name). The edge of config::PlanListen and of
// the daemon's choice of socket for a request. Thread-safe (no state).
#ifndef TEMPUS_IO_INTERFACES_H_
#define TEMPUS_IO_INTERFACES_H_

#include <optional>
#include <vector>

#include "base/result.h"
#include "base/sys_error.h"
#include "core/net/interface_address.h"
#include "core/net/net_address.h"

namespace tempus::io {

// Every IPv4 and IPv6 address of every interface that is up, in the kernel's order (IPv4 aliases
// under their label, "eth0:1").
[[nodiscard]] Result<std::vector<core::InterfaceAddress>, SysError> ListInterfaceAddresses();

// The local address (port 0) the kernel routes datagrams to `to` from, or nullopt when there is
// no route. Sends nothing.
std::optional<core::NetAddress> RouteSourceFor(const core::NetAddress& to);

}  // namespace tempus::io

#endif  // TEMPUS_IO_INTERFACES_H_

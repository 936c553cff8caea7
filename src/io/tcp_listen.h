// TCP listening sockets for the daemon's small servers (Prometheus, NTS-KE): non-blocking,
// close-on-exec (set with fcntl, ARCHITECTURE.md "I/O rules"), SO_REUSEADDR. Free functions;
// thread-safe.
#ifndef TEMPUS_IO_TCP_LISTEN_H_
#define TEMPUS_IO_TCP_LISTEN_H_

#include <string>
#include <utility>

#include "base/result.h"
#include "base/sys_error.h"
#include "core/net/net_address.h"

namespace tempus::io {

// Sets O_NONBLOCK and FD_CLOEXEC on `fd`; false (errno set) when fcntl fails.
bool SetNonBlockingCloexec(int fd);

// A listening TCP socket on `address` and the address it is bound to (the real port when
// address has port 0). `what` names the server in errors ("metrics", "NTS-KE").
[[nodiscard]] Result<std::pair<int, core::NetAddress>, SysError> ListenTcp(const core::NetAddress& address, int backlog,
                                                                           const std::string& what);

}  // namespace tempus::io

#endif  // TEMPUS_IO_TCP_LISTEN_H_

// The daemon's server sockets: the `listen` addresses judged by the `interface`/`nic` rules
// (config::PlanListen over the machine's interfaces, io::ListInterfaceAddresses), opened.
#ifndef TEMPUS_APPS_TEMPUSD_LISTEN_H_
#define TEMPUS_APPS_TEMPUSD_LISTEN_H_

#include <string>
#include <vector>

#include "base/result.h"
#include "daemon.h"
#include "io/udp_socket.h"

namespace tempus::daemon {

struct ServerSocket {
  io::UdpSocket socket;
  bool drop = false;  // `interface drop`: every datagram it receives is dropped and counted
};

// The options of the serving sockets: SO_REUSEADDR with interface rules (a wildcard socket beside
// address sockets of its port), SO_REUSEPORT with workers (workers.h).
io::UdpOptions ServerSocketOptions(const DaemonOptions& options, int workers);

// Opens the sockets for `options.listen` under `options.file.interfaces`, logging each decision.
// A socket that fails is logged and skipped unless its address was named by `listen` (--listen);
// then, or when no socket serves, the reason is returned (the daemon exits).
[[nodiscard]] Result<std::vector<ServerSocket>, std::string> OpenServerSockets(const DaemonOptions& options,
                                                                               int workers);

// The addresses the node serves on (config::ServedAddresses over the machine's interfaces when a
// socket is a wildcard one): the sources it must recognize as itself.
std::vector<core::NetAddress> OwnAddresses(const std::vector<ServerSocket>& sockets);

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_LISTEN_H_

#include "listen.h"

#include <fmt/format.h>

#include <algorithm>

#include "config/listen_plan.h"
#include "io/interfaces.h"
#include "log.h"

namespace tempus::daemon {
namespace {

// With SO_REUSEPORT a second tempusd of the same user would join the port silently: a first bind
// without it, closed at once, still meets "address in use" as without workers.
Result<io::UdpSocket, SysError> OpenServing(const core::NetAddress& at, const io::UdpOptions& udp) {
  if (udp.reuse_port && at.port() != 0) {
    io::UdpOptions probe = udp;
    probe.reuse_port = false;
    if (auto p = io::UdpSocket::Open(at, probe); !p) return Unexpected(p.error());
  }
  return io::UdpSocket::Open(at, udp);
}

}  // namespace

io::UdpOptions ServerSocketOptions(const DaemonOptions& options, int workers) {
  io::UdpOptions udp;
  udp.reuse_address = !options.file.interfaces.empty();
  udp.reuse_port = workers > 1;
  udp.dont_fragment = true;  // a reply is never larger than its request (io::UdpOptions)
  return udp;
}

Result<std::vector<ServerSocket>, std::string> OpenServerSockets(const DaemonOptions& options, int workers) {
  const auto& rules = options.file.interfaces;
  std::vector<core::InterfaceAddress> interfaces;
  if (!rules.empty()) {
    auto list = io::ListInterfaceAddresses();
    if (!list) return Unexpected("interface rules: cannot list the interfaces: " + list.error().ToString());
    interfaces = std::move(*list);
  }
  const config::ListenPlan plan = config::PlanListen(rules, options.listen, interfaces);
  for (const std::string& d : plan.decisions) Log("interface " + d);
  for (const config::Diagnostic& w : plan.warnings) Log(w.ToString());
  const io::UdpOptions udp = ServerSocketOptions(options, workers);
  std::vector<ServerSocket> sockets;
  for (const config::ListenSocket& s : plan.sockets) {
    auto socket = OpenServing(s.address, udp);
    if (!socket) {
      const std::string why =
          fmt::format("cannot listen on {}: {}", s.address.ToStringWithPort(), socket.error().ToString());
      if (s.required) return Unexpected(why);
      Log(why + "; skipped");
      continue;
    }
    sockets.push_back({std::move(*socket), s.drop});
  }
  if (std::none_of(sockets.begin(), sockets.end(), [](const ServerSocket& s) { return !s.drop; })) {
    return Unexpected(std::string("no address to serve on: the interface rules leave none open for listening"));
  }
  return sockets;
}

std::vector<core::NetAddress> OwnAddresses(const std::vector<ServerSocket>& sockets) {
  std::vector<core::NetAddress> bound;
  for (const ServerSocket& s : sockets) bound.push_back(s.socket.local_address());
  std::vector<core::InterfaceAddress> interfaces;
  if (std::any_of(bound.begin(), bound.end(), [](const core::NetAddress& a) { return a.IsWildcard(); })) {
    auto list = io::ListInterfaceAddresses();
    if (list) {
      interfaces = std::move(*list);
    } else {
      Log("own addresses: " + list.error().ToString() + "; a source at an interface address is not known as this node");
    }
  }
  return config::ServedAddresses(bound, interfaces);
}

}  // namespace tempus::daemon

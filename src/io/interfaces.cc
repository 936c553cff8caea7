#include "io/interfaces.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "io/sockaddr.h"

namespace tempus::io {

Result<std::vector<core::InterfaceAddress>, SysError> ListInterfaceAddresses() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return Unexpected(SysError{"getifaddrs", errno});
  std::vector<core::InterfaceAddress> out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0) continue;
    const socklen_t len = i->ifa_addr->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    if (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6) continue;
    const auto a = FromSockaddr(i->ifa_addr, len);
    if (!a) continue;
    out.push_back({i->ifa_name != nullptr ? i->ifa_name : "", a->WithPort(0), (i->ifa_flags & IFF_LOOPBACK) != 0});
  }
  ::freeifaddrs(list);
  return out;
}

std::optional<core::NetAddress> RouteSourceFor(const core::NetAddress& to) {
  const int fd = ::socket(ToAddressFamily(to.family()), SOCK_DGRAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_storage ss;
  socklen_t len = ToSockaddr(to.port() != 0 ? to : to.WithPort(123), &ss);
  std::optional<core::NetAddress> out;
  // connect() on a UDP socket only picks the route and the source address; nothing is sent.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
    len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      if (auto a = FromSockaddr(reinterpret_cast<sockaddr*>(&ss), len)) out = a->WithPort(0);
    }
  }
  ::close(fd);
  return out;
}

}  // namespace tempus::io

#include "io/local_addresses.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>

#include "io/sockaddr.h"

namespace tempus::io {
namespace {

void AddOnce(std::vector<core::NetAddress>& out, const core::NetAddress& a) {
  if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
}

}  // namespace

bool IsWildcard(const core::NetAddress& a) {
  return a.family() != core::NetAddress::Family::kNone && a.bytes() == std::array<uint8_t, 16>{};
}

Result<std::vector<core::NetAddress>, engine::SysError> LocalAddresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Unexpected(engine::SysError{"getifaddrs", errno});
  std::vector<core::NetAddress> out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0) continue;
    const socklen_t len = i->ifa_addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (auto a = FromSockaddr(i->ifa_addr, len)) AddOnce(out, a->WithPort(0));
  }
  freeifaddrs(list);
  return out;
}

std::vector<core::NetAddress> ServedAddresses(const std::vector<core::NetAddress>& listen,
                                              const std::vector<core::NetAddress>& interfaces) {
  std::vector<core::NetAddress> out;
  for (const core::NetAddress& l : listen) {
    if (!IsWildcard(l)) {
      AddOnce(out, l);
      continue;
    }
    for (const core::NetAddress& i : interfaces) {
      if (i.family() == l.family()) AddOnce(out, i.WithPort(l.port()));
    }
  }
  return out;
}

}  // namespace tempus::io

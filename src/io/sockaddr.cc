// sockaddr <-> NetAddress; byte order is network order on both sides.
#include "io/sockaddr.h"

#include <netinet/in.h>

#include <cstring>

#include "base/check.h"

namespace tempus::io {

int ToAddressFamily(core::NetAddress::Family family) {
  TEMPUS_CHECK(family != core::NetAddress::Family::kNone);
  return family == core::NetAddress::Family::kIPv4 ? AF_INET : AF_INET6;
}

socklen_t ToSockaddr(const core::NetAddress& address, sockaddr_storage* storage) {
  TEMPUS_CHECK(address.family() != core::NetAddress::Family::kNone);
  // Only the structure filled in is cleared (its padding, sin_zero): this runs for every reply.
  if (address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(storage);
    std::memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(address.port());
    std::memcpy(&sin->sin_addr, address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(storage);
  std::memset(sin6, 0, sizeof *sin6);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(address.port());
  std::memcpy(&sin6->sin6_addr, address.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

std::optional<core::NetAddress> FromSockaddr(const sockaddr* sa, socklen_t length) {
  if (sa == nullptr || length < static_cast<socklen_t>(sizeof(sa_family_t))) return std::nullopt;
  if (sa->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in sin;
    std::memcpy(&sin, sa, sizeof sin);
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &sin.sin_addr, 4);
    return core::NetAddress::IPv4(bytes, ntohs(sin.sin_port));
  }
  if (sa->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, sa, sizeof sin6);
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &sin6.sin6_addr, 16);
    return core::NetAddress::IPv6(bytes, ntohs(sin6.sin6_port));
  }
  return std::nullopt;
}

}  // namespace tempus::io

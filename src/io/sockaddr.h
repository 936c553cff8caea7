// Conversions between core::NetAddress and the kernel's sockaddr_in / sockaddr_in6.
//
// The core never sees a sockaddr; these live at the edge. IPv6 scope ids are not represented in
// NetAddress and are set to 0 (link-local peers are not supported). Pure functions.
#ifndef TEMPUS_IO_SOCKADDR_H_
#define TEMPUS_IO_SOCKADDR_H_

#include <sys/socket.h>

#include <optional>

#include "core/net/net_address.h"

namespace tempus::io {

// Fills the start of `storage` (the sockaddr_in or sockaddr_in6, the rest untouched) and returns
// its length, to pass to bind/connect/sendmsg.
// REQUIRES: address.family() != kNone.
socklen_t ToSockaddr(const core::NetAddress& address, sockaddr_storage* storage);

// The address in `sa`, or nullopt for a family other than AF_INET/AF_INET6 or a short length.
std::optional<core::NetAddress> FromSockaddr(const sockaddr* sa, socklen_t length);

// AF_INET or AF_INET6. REQUIRES: family != kNone.
int ToAddressFamily(core::NetAddress::Family family);

}  // namespace tempus::io

#endif  // TEMPUS_IO_SOCKADDR_H_

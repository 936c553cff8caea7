// The reference id a client reports for a server at `address` (RFC 5905 §7.3): the IPv4 address
// itself, or the first four bytes of the MD5 digest of the IPv6 address.
#ifndef TEMPUS_ENGINE_REFID_H_
#define TEMPUS_ENGINE_REFID_H_

#include "core/net/net_address.h"
#include "core/wire/packet.h"

namespace tempus::engine {

// REQUIRES: address.family() != kNone.
core::RefId RefIdForAddress(const core::NetAddress& address);

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_REFID_H_

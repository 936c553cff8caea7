// core::Outgoing: one datagram for a host to send, as the engine hands a batch of replies to its
// transport (engine::Transport::Outgoing) and the daemon's transport hands it on to its socket
// (io::Outgoing): one type for both, so that a batch passes from one to the other without a copy
// per reply. Plain data; the core itself never sends.
#ifndef TEMPUS_CORE_NET_OUTGOING_H_
#define TEMPUS_CORE_NET_OUTGOING_H_

#include <cstdint>
#include <span>

#include "core/net/net_address.h"

namespace tempus::core {

struct Outgoing {
  std::span<const uint8_t> bytes;
  const NetAddress* to = nullptr;     // never null
  const NetAddress* local = nullptr;  // the address to send from, when known (a reply: the request's)
  // The host's token for the way back, opaque to the engine (engine::Transport::Outgoing); to a
  // socket (io::UdpSocket::SendMany), its low 32 bits are the received datagram's reply token. 0: none.
  uint64_t route = 0;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_NET_OUTGOING_H_

// engine::Transport: how the engine sends datagrams. The daemon's is a UDP socket, the
// simulator's a simulated network. Receiving is the host's job: it calls Node::OnDatagram.
#ifndef TEMPUS_ENGINE_TRANSPORT_H_
#define TEMPUS_ENGINE_TRANSPORT_H_

#include <cstdint>
#include <optional>
#include <span>

#include "core/net/net_address.h"
#include "core/net/outgoing.h"

namespace tempus::engine {

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `bytes` to `to`. Failures are the transport's to count and log; NTP tolerates loss.
  virtual void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) = 0;
  // Sends a reply from the local address and port the request came in at (`local`), as a
  // client expects (NTPsec drops replies from another address). Default: Send.
  virtual void SendFrom(std::span<const uint8_t> bytes, const core::NetAddress& to, const core::NetAddress& local) {
    (void)local;
    Send(bytes, to);
  }
  // One datagram of SendBatch: SendFrom `*local` when known (not null), else Send. The addresses
  // are the sender's (the batch's waiting replies), valid for the call: no copies per reply.
  // `route` is the host's route token of the request this replies to (Node::OnDatagram's `route`),
  // opaque to the engine: the daemon's names the socket and the receive slot whose addresses the
  // reply can take as they came. 0: none. A transport that has no use for it sends to `to` from
  // `local`. The same type as io::Outgoing (core/net/outgoing.h): the daemon hands a batch on to
  // its socket as it is.
  using Outgoing = core::Outgoing;
  // The replies to one batch of received datagrams (Node::BeginBatch), in order. The daemon's
  // sends them with one sendmmsg where it can. Default: one Send or SendFrom each.
  virtual void SendBatch(std::span<const Outgoing> batch) {
    for (const Outgoing& o : batch) {
      if (o.local != nullptr) {
        SendFrom(o.bytes, *o.to, *o.local);
      } else {
        Send(o.bytes, *o.to);
      }
    }
  }
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_TRANSPORT_H_

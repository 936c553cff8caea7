// LoopNet: an in-memory network for engine tests. Nodes send through their NetTransport; Pump()
// delivers every queued datagram at once, stamped with the receiver's clock.
#ifndef TEMPUS_TESTS_ENGINE_LOOP_NET_H_
#define TEMPUS_TESTS_ENGINE_LOOP_NET_H_

#include <deque>
#include <map>
#include <vector>

#include "engine/fake_clock.h"
#include "engine/node.h"

namespace tempus::engine {

class LoopNet {
 public:
  struct Datagram {
    std::vector<uint8_t> bytes;
    core::NetAddress from;
    core::NetAddress to;
  };

  class NetTransport final : public Transport {
   public:
    NetTransport(LoopNet& net, core::NetAddress self) : net_(net), self_(self) {}
    void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override {
      net_.queue_.push_back({std::vector<uint8_t>(bytes.begin(), bytes.end()), self_, to});
    }

   private:
    LoopNet& net_;
    core::NetAddress self_;
  };

  void Attach(const core::NetAddress& address, Node* node, FakeClock* clock) { hosts_[address] = {node, clock}; }

  // Delivers everything queued (and what the deliveries send in turn); returns how many.
  int Pump() {
    int delivered = 0;
    while (!queue_.empty()) {
      Datagram d = std::move(queue_.front());
      queue_.pop_front();
      auto it = hosts_.find(d.to);
      if (it == hosts_.end()) continue;
      it->second.node->OnDatagram(d.bytes, d.from, it->second.clock->Now());
      ++delivered;
    }
    return delivered;
  }

 private:
  struct Host {
    Node* node;
    FakeClock* clock;
  };
  std::deque<Datagram> queue_;
  std::map<core::NetAddress, Host> hosts_;
};

}  // namespace tempus::engine

#endif  // TEMPUS_TESTS_ENGINE_LOOP_NET_H_

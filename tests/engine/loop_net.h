// LoopNet: an in-memory network for engine tests. Nodes send through their NetTransport; Pump()
// delivers every queued datagram at once, stamped with the receiver's clock; Run() advances the
// attached hosts' clocks in 100 ms steps, firing their timers and pumping after each step.
#ifndef TEMPUS_TESTS_ENGINE_LOOP_NET_H_
#define TEMPUS_TESTS_ENGINE_LOOP_NET_H_

#include <deque>
#include <map>
#include <utility>
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
      sizes_.push_back(bytes.size());
      net_.queue_.push_back({std::vector<uint8_t>(bytes.begin(), bytes.end()), self_, to});
    }

    // The size of every datagram sent through this transport, in order.
    const std::vector<size_t>& sizes() const { return sizes_; }

   private:
    LoopNet& net_;
    core::NetAddress self_;
    std::vector<size_t> sizes_;
  };

  void Attach(const core::NetAddress& address, Node* node, FakeClock* clock) {
    if (hosts_.find(address) == hosts_.end()) order_.push_back(address);
    hosts_[address] = {node, clock};
  }

  // Runs the attached hosts for `seconds` in steps of 100 ms: each step advances every host's
  // clock and fires its node's timer when due (hosts in the order they were first attached),
  // then Pump()s.
  void Run(double seconds) {
    for (int i = 0; i < static_cast<int>(seconds * 10); ++i) {
      for (const core::NetAddress& address : order_) {
        const Host& h = hosts_.at(address);
        h.clock->Advance(core::NtpDuration::FromMillis(100));
        if (h.node->NextDeadline() <= h.clock->Mono()) h.node->OnTimer();
      }
      Pump();
    }
  }

  // Removes and returns what is queued, for a test that delivers it itself.
  std::deque<Datagram> TakeQueued() { return std::exchange(queue_, {}); }

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
  std::vector<core::NetAddress> order_;  // the attached addresses, first attachment first
};

}  // namespace tempus::engine

#endif  // TEMPUS_TESTS_ENGINE_LOOP_NET_H_

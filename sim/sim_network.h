// SimNetwork: the simulated network between the nodes of a run. Each node gets an
// engine::Transport; a datagram sent to a node's address arrives after the link's one-way delay
// (base ± asymmetry/2 plus an exponential jitter), unless it is lost (the link's loss probability),
// a partition cuts the path at send time, the destination is dead, or no node has the address.
// Link rules are matched last-first over sets of nodes; delays and losses are drawn from the
// sender's network stream. Arrival is an EventQueue kDeliver event. Not thread-safe.
#ifndef TEMPUS_SIM_SIM_NETWORK_H_
#define TEMPUS_SIM_SIM_NETWORK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/net/net_address.h"
#include "engine/transport.h"
#include "sim/event_queue.h"
#include "sim/sim_random.h"

namespace tempus::sim {

struct LinkParams {
  double delay_s = 100e-6;  // default for pairs no rule covers
  double jitter_s = 0.0;
  double asymmetry_s = 0.0;
  double loss = 0.0;
};

struct NetworkStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;   // scheduled for delivery
  uint64_t lost = 0;        // by loss probability
  uint64_t cut = 0;         // by a partition
  uint64_t unroutable = 0;  // no node has the address, or it is dead, or the datagram is too big
};

class SimNetwork {
 public:
  // `queue` and `now` must outlive the network.
  SimNetwork(EventQueue& queue, const SimTime& now, size_t nodes, uint64_t master_seed);
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;
  ~SimNetwork();

  void SetAddress(size_t node, const core::NetAddress& address);
  // Pairs with one end in `a` and the other in `b` use `params` (later rules win); a->b gets
  // +asymmetry/2.
  void AddLink(std::vector<bool> a, std::vector<bool> b, const LinkParams& params);
  // From `from` to `to`: `a` cannot reach, or be reached by, the nodes of `b` (all nodes if empty).
  void AddPartition(std::vector<bool> a, std::vector<bool> b, SimTime from, SimTime to);
  void SetAlive(size_t node, bool alive) { alive_[node] = alive; }
  bool alive(size_t node) const { return alive_[node]; }

  engine::Transport& transport(size_t node);
  const core::NetAddress& address(size_t node) const { return addresses_[node]; }
  // The node with this address (any port), or -1.
  int64_t NodeAt(const core::NetAddress& address) const;
  void Send(size_t from, std::span<const uint8_t> bytes, const core::NetAddress& to);
  const NetworkStats& stats() const { return stats_; }
  // Called for each datagram dropped because its destination is dead (from, to).
  void OnDeadDrop(std::function<void(size_t, size_t)> hook) { dead_drop_ = std::move(hook); }

 private:
  struct Rule {
    std::vector<bool> a, b;
    LinkParams params;
  };
  struct Cut {
    std::vector<bool> a, b;
    SimTime from, to;
  };
  class NodeTransport;

  bool IsCut(size_t from, size_t to) const;

  EventQueue& queue_;
  const SimTime& now_;
  std::vector<std::unique_ptr<NodeTransport>> transports_;
  std::vector<core::NetAddress> addresses_;
  std::vector<bool> alive_;
  std::vector<SimRandom> random_;
  std::unordered_map<uint32_t, size_t> by_v4_;
  std::vector<Rule> rules_;
  std::vector<Cut> cuts_;
  NetworkStats stats_;
  std::function<void(size_t, size_t)> dead_drop_;
};

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_SIM_NETWORK_H_

// SimNetwork: routing by address, link rules, partitions and the delay/loss draws.
#include "sim/sim_network.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tempus::sim {

class SimNetwork::NodeTransport final : public engine::Transport {
 public:
  NodeTransport(SimNetwork& network, size_t node) : network_(network), node_(node) {}
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override { network_.Send(node_, bytes, to); }

 private:
  SimNetwork& network_;
  size_t node_;
};

SimNetwork::SimNetwork(EventQueue& queue, const SimTime& now, size_t nodes, uint64_t master_seed)
    : queue_(queue), now_(now), addresses_(nodes), alive_(nodes, true) {
  for (size_t i = 0; i < nodes; ++i) {
    transports_.push_back(std::make_unique<NodeTransport>(*this, i));
    random_.emplace_back(DeriveSeed(master_seed, i, Stream::kNetwork));
  }
}

SimNetwork::~SimNetwork() = default;

engine::Transport& SimNetwork::transport(size_t node) { return *transports_[node]; }

void SimNetwork::SetAddress(size_t node, const core::NetAddress& address) {
  addresses_[node] = address;
  if (address.is_v4()) by_v4_[address.v4()] = node;
}

void SimNetwork::AddLink(std::vector<bool> a, std::vector<bool> b, const LinkParams& params) {
  rules_.push_back({std::move(a), std::move(b), params});
}

void SimNetwork::AddPartition(std::vector<bool> a, std::vector<bool> b, SimTime from, SimTime to) {
  cuts_.push_back({std::move(a), std::move(b), from, to});
}

int64_t SimNetwork::NodeAt(const core::NetAddress& address) const {
  if (!address.is_v4()) return -1;
  auto it = by_v4_.find(address.v4());
  return it == by_v4_.end() ? -1 : static_cast<int64_t>(it->second);
}

bool SimNetwork::IsCut(size_t from, size_t to) const {
  for (const Cut& c : cuts_) {
    if (now_ < c.from || now_ >= c.to) continue;
    const bool all = c.b.empty();
    if ((c.a[from] && (all || c.b[to])) || (c.a[to] && (all || c.b[from]))) return true;
  }
  return false;
}

void SimNetwork::Send(size_t from, std::span<const uint8_t> bytes, const core::NetAddress& to) {
  ++stats_.sent;
  const int64_t dest = NodeAt(to);
  if (dest < 0 || !alive_[from] || !alive_[static_cast<size_t>(dest)] || bytes.size() > kMaxDatagram) {
    ++stats_.unroutable;
    if (dest >= 0 && alive_[from] && dead_drop_) dead_drop_(from, static_cast<size_t>(dest));
    return;
  }
  const size_t d = static_cast<size_t>(dest);
  if (IsCut(from, d)) {
    ++stats_.cut;
    return;
  }
  LinkParams p;
  double sign = 0.0;
  for (auto r = rules_.rbegin(); r != rules_.rend(); ++r) {
    if (r->a[from] && r->b[d]) {
      p = r->params, sign = 0.5;
      break;
    }
    if (r->b[from] && r->a[d]) {
      p = r->params, sign = -0.5;
      break;
    }
  }
  SimRandom& rnd = random_[from];
  if (p.loss > 0 && rnd.Uniform() < p.loss) {
    ++stats_.lost;
    return;
  }
  const double delay = std::max(0.0, p.delay_s + sign * p.asymmetry_s) + rnd.Exponential(p.jitter_s);
  Event e;
  e.at = now_ + core::NtpDuration::FromSeconds(delay);
  e.kind = EventKind::kDeliver;
  e.node = static_cast<uint32_t>(d);
  e.peer = static_cast<uint32_t>(from);
  e.size = static_cast<uint16_t>(bytes.size());
  std::memcpy(e.data.data(), bytes.data(), bytes.size());
  queue_.Push(e);
  ++stats_.delivered;
}

}  // namespace tempus::sim

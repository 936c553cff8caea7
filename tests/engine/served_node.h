// ServedNode: an engine::Node that serves time (LOCAL stratum 1, no sources) on a FakeClock, and
// what it sent: for the tests of the server route through the engine (engine::Node::OnDatagram ->
// core::node::Node -> core::server::Server -> Reply -> FinishReply).
#ifndef TEMPUS_TESTS_ENGINE_SERVED_NODE_H_
#define TEMPUS_TESTS_ENGINE_SERVED_NODE_H_

#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "base/random.h"
#include "engine/fake_clock.h"
#include "engine/node.h"

namespace tempus::engine {

inline const core::NetAddress kServedClient = *core::NetAddress::Parse("127.0.0.1:5000");

class RecordingSink final : public Transport {
 public:
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& /*to*/) override {
    sent.emplace_back(bytes.begin(), bytes.end());
  }
  std::vector<std::vector<uint8_t>> sent;
};

struct ServedNode {
  explicit ServedNode(NodeConfig config = {}) {
    config.system.local_stratum = 1;
    node = std::make_unique<Node>(config, clock, transport, random);
    node->Start();
  }

  // Hands `request` from `from` to the node, received at the kernel stamp `kernel_rx` (default:
  // the clock's time); returns the reply it sent, if any.
  std::optional<std::vector<uint8_t>> Ask(std::span<const uint8_t> request,
                                          const core::NetAddress& from = kServedClient,
                                          std::optional<core::UnixTime> kernel_rx = std::nullopt) {
    const size_t before = transport.sent.size();
    node->OnDatagram(request, from, kernel_rx ? *kernel_rx : clock.Now());
    if (transport.sent.size() == before) return std::nullopt;
    return transport.sent.back();
  }
  const core::server::ServerStats& stats() const { return node->server().stats(); }
  uint64_t Dropped(core::server::DropReason r) const { return stats().Dropped(r); }

  FakeClock clock{core::UnixTime::FromParts(1795928139, 0)};
  RecordingSink transport;
  SeededRandom random{1};
  std::unique_ptr<Node> node;
};

}  // namespace tempus::engine

#endif  // TEMPUS_TESTS_ENGINE_SERVED_NODE_H_

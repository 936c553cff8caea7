// ServerClientNodes: a stratum-1 server Node and a client Node that polls it, with FakeClocks on
// a LoopNet. What the node, node-authentication, statistics and Prometheus tests start from.
#ifndef TEMPUS_TESTS_ENGINE_NODE_FIXTURE_H_
#define TEMPUS_TESTS_ENGINE_NODE_FIXTURE_H_

#include <memory>

#include "base/random.h"
#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node.h"

namespace tempus::engine {

inline const core::NetAddress kFixtureServer = *core::NetAddress::Parse("10.0.0.1:123");
inline const core::NetAddress kFixtureClient = *core::NetAddress::Parse("10.0.0.2:123");
inline const core::UnixTime kFixtureStart = core::UnixTime::FromParts(1795928139, 0);

// A client source as the node tests poll it: iburst, and minpoll = maxpoll = 4 (16 s), so that
// seconds of simulated time suffice (production polls 64-1024 s).
inline core::assoc::AssociationConfig FastSource(const core::NetAddress& address) {
  core::assoc::AssociationConfig a;
  a.address = address;
  a.iburst = true;
  a.minpoll = core::PollExp(4);
  a.maxpoll = core::PollExp(4);
  return a;
}

// What differs between the server-and-client setups of the tests.
struct ServerClientSetup {
  core::NtpDuration client_ahead = core::NtpDuration::FromMillis(50);  // client clock - server's
  NodeConfig server;  // the fixture sets local_stratum 1 and self_address
  NodeConfig client;  // the fixture adds `source` and sets self_address
  core::assoc::AssociationConfig source = FastSource(kFixtureServer);
  StatsObserver client_stats;  // installed on the client before it starts, when set
  NodeLog client_log;          // the client's log lines, when set
};

// The two Nodes, built from a ServerClientSetup, attached to `net` (server first) and started.
struct ServerClientNodes {
  explicit ServerClientNodes(ServerClientSetup setup = {}) : client_clock(kFixtureStart + setup.client_ahead) {
    setup.server.system.local_stratum = 1;
    setup.server.self_address = kFixtureServer;
    server = std::make_unique<Node>(setup.server, server_clock, server_transport, server_random);
    setup.client.sources.push_back(setup.source);
    setup.client.self_address = kFixtureClient;
    client = std::make_unique<Node>(setup.client, client_clock, client_transport, client_random,
                                    std::move(setup.client_log));
    if (setup.client_stats) client->SetStatsObserver(std::move(setup.client_stats));
    net.Attach(kFixtureServer, server.get(), &server_clock);
    net.Attach(kFixtureClient, client.get(), &client_clock);
    server->Start();
    client->Start();
  }

  // Advances both clocks by `seconds` in steps of 100 ms, running timers and the network.
  void Run(double seconds) { net.Run(seconds); }

  FakeClock server_clock{kFixtureStart};
  FakeClock client_clock;
  LoopNet net;
  LoopNet::NetTransport server_transport{net, kFixtureServer};
  LoopNet::NetTransport client_transport{net, kFixtureClient};
  SeededRandom server_random{1};
  SeededRandom client_random{2};
  std::unique_ptr<Node> server;
  std::unique_ptr<Node> client;
};

}  // namespace tempus::engine

#endif  // TEMPUS_TESTS_ENGINE_NODE_FIXTURE_H_

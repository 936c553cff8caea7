// Two Nodes with symmetric keys on a LoopNet: a keyed source signs its requests, the server signs
// its replies with the same key, and a client whose secret differs gets crypto-NAKs, takes
// nothing and counts them (RFC 5905 §7.3, test 5).
#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node.h"

namespace tempus::engine {
namespace {

const core::NetAddress kServer = *core::NetAddress::Parse("10.0.0.1:123");
const core::NetAddress kClient = *core::NetAddress::Parse("10.0.0.2:123");
const core::UnixTime kStart = core::UnixTime::FromParts(1795928139, 0);

std::vector<AuthKey> Keys(const std::string& secret) {
  std::vector<AuthKey> keys;
  keys.emplace_back(1, MacAlgorithm::kSha1, std::vector<uint8_t>(secret.begin(), secret.end()), true);
  return keys;
}

// Records the size of every datagram it carries.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(Transport& inner) : inner_(inner) {}
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override {
    sizes.push_back(bytes.size());
    inner_.Send(bytes, to);
  }
  std::vector<size_t> sizes;

 private:
  Transport& inner_;
};

struct KeyedPair {
  FakeClock server_clock{kStart};
  FakeClock client_clock{kStart + core::NtpDuration::FromMillis(50)};
  LoopNet net;
  LoopNet::NetTransport server_net{net, kServer};
  LoopNet::NetTransport client_net{net, kClient};
  CountingTransport server_transport{server_net};
  CountingTransport client_transport{client_net};
  core::SeededRandom server_random{1};
  core::SeededRandom client_random{2};
  std::unique_ptr<Node> server;
  std::unique_ptr<Node> client;

  explicit KeyedPair(const std::string& client_secret) {
    NodeConfig s;
    s.system.local_stratum = 1;
    s.self_address = kServer;
    s.keys = Keys("server-secret");
    server = std::make_unique<Node>(s, server_clock, server_transport, server_random);
    NodeConfig c;
    core::AssociationConfig a;
    a.address = kServer;
    a.iburst = true;
    a.minpoll = core::PollExp(4);
    a.maxpoll = core::PollExp(4);
    a.key_id = 1;
    c.sources.push_back(a);
    c.self_address = kClient;
    c.keys = Keys(client_secret);
    client = std::make_unique<Node>(c, client_clock, client_transport, client_random);
    net.Attach(kServer, server.get(), &server_clock);
    net.Attach(kClient, client.get(), &client_clock);
    server->Start();
    client->Start();
  }

  void Run(double seconds) {
    for (int i = 0; i < static_cast<int>(seconds * 10); ++i) {
      server_clock.Advance(core::NtpDuration::FromMillis(100));
      client_clock.Advance(core::NtpDuration::FromMillis(100));
      if (server->NextDeadline() <= server_clock.Mono()) server->OnTimer();
      if (client->NextDeadline() <= client_clock.Mono()) client->OnTimer();
      net.Pump();
    }
  }
};

uint64_t Dropped(const Node& n, core::server::DropReason r) {
  return n.server().stats().dropped[static_cast<size_t>(r)];
}

TEST(NodeAuth, SameKeySignsBothWaysAndSynchronizes) {
  KeyedPair t("server-secret");
  t.Run(60);
  EXPECT_TRUE(t.client->system().Snapshot().synchronized());
  const core::AssociationStats& st = t.client->associations().at(1)->stats();
  EXPECT_GE(st.accepted, 8u);
  EXPECT_EQ(st.Rejected(core::AssocReject::kAuthFailed), 0u);
  ASSERT_FALSE(t.client_transport.sizes.empty());
  for (size_t n : t.client_transport.sizes) EXPECT_EQ(n, 48u + 24u);  // key id + SHA1 digest
  for (size_t n : t.server_transport.sizes) EXPECT_EQ(n, 48u + 24u);
  EXPECT_EQ(t.client->auth_stats().requests_signed, t.client_transport.sizes.size());
  EXPECT_EQ(t.client->ControlView().counters.bad_auth, 0u);
}

TEST(NodeAuth, WrongSecretGetsCryptoNaksAndNoSync) {
  KeyedPair t("client-secret");
  t.Run(60);
  EXPECT_FALSE(t.client->system().Snapshot().synchronized());
  const core::AssociationStats& st = t.client->associations().at(1)->stats();
  EXPECT_EQ(st.accepted, 0u);
  EXPECT_GE(st.Rejected(core::AssocReject::kCryptoNak), 8u);
  EXPECT_EQ(t.client->associations().at(1)->reach(), 0);
  for (size_t n : t.server_transport.sizes) EXPECT_EQ(n, 48u + 4u);  // crypto-NAKs only
  EXPECT_GE(Dropped(*t.server, core::server::DropReason::kCryptoNakSent), 8u);
  EXPECT_EQ(t.server->server().stats().replied, 0u);
  EXPECT_GE(t.client->ControlView().counters.bad_auth, 8u);
  EXPECT_GE(t.server->ControlView().counters.bad_auth, 8u);
}

}  // namespace
}  // namespace tempus::engine

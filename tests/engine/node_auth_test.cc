// Two Nodes with symmetric keys on a LoopNet: a keyed source signs its requests, the server signs
// its replies with the same key, and a client whose secret differs gets crypto-NAKs, takes
// nothing and counts them (RFC 5905 §7.3, test 5).
#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "engine/node_fixture.h"

namespace tempus::engine {
namespace {

std::vector<AuthKey> Keys(const std::string& secret) {
  std::vector<AuthKey> keys;
  keys.emplace_back(1, MacAlgorithm::kSha1, std::vector<uint8_t>(secret.begin(), secret.end()), true);
  return keys;
}

// The server signs with key 1 = "server-secret"; the client's source uses key 1 = client_secret.
ServerClientSetup Keyed(const std::string& client_secret) {
  ServerClientSetup setup;
  setup.server.keys = Keys("server-secret");
  setup.source.key_id = 1;
  setup.client.keys = Keys(client_secret);
  return setup;
}

// A server and client with symmetric keys; LoopNet's transports record each datagram's size.
struct KeyedPair : ServerClientNodes {
  explicit KeyedPair(const std::string& client_secret) : ServerClientNodes(Keyed(client_secret)) {}
};

uint64_t Dropped(const Node& n, core::server::DropReason r) {
  return n.server().stats().dropped[static_cast<size_t>(r)];
}

TEST(NodeAuth, SameKeySignsBothWaysAndSynchronizes) {
  KeyedPair t("server-secret");
  t.Run(60);
  EXPECT_TRUE(t.client->system().Snapshot().synchronized());
  const core::assoc::AssociationStats& st = t.client->associations().at(1)->stats();
  EXPECT_GE(st.accepted, 8u);
  EXPECT_EQ(st.Rejected(core::assoc::AssocReject::kAuthFailed), 0u);
  ASSERT_FALSE(t.client_transport.sizes().empty());
  for (size_t n : t.client_transport.sizes()) EXPECT_EQ(n, 48u + 24u);  // key id + SHA1 digest
  for (size_t n : t.server_transport.sizes()) EXPECT_EQ(n, 48u + 24u);
  EXPECT_EQ(t.client->auth_stats().requests_signed, t.client_transport.sizes().size());
  EXPECT_EQ(core::report::SysStats(t.client->Snapshot()).bad_auth, 0u);
}

TEST(NodeAuth, WrongSecretGetsCryptoNaksAndNoSync) {
  KeyedPair t("client-secret");
  t.Run(60);
  EXPECT_FALSE(t.client->system().Snapshot().synchronized());
  const core::assoc::AssociationStats& st = t.client->associations().at(1)->stats();
  EXPECT_EQ(st.accepted, 0u);
  EXPECT_GE(st.Rejected(core::assoc::AssocReject::kCryptoNak), 8u);
  EXPECT_EQ(t.client->associations().at(1)->reach(), 0);
  for (size_t n : t.server_transport.sizes()) EXPECT_EQ(n, 48u + 4u);  // crypto-NAKs only
  EXPECT_GE(Dropped(*t.server, core::server::DropReason::kCryptoNakSent), 8u);
  EXPECT_EQ(t.server->server().stats().replied, 0u);
  EXPECT_GE(core::report::SysStats(t.client->Snapshot()).bad_auth, 8u);
  EXPECT_GE(core::report::SysStats(t.server->Snapshot()).bad_auth, 8u);
}

}  // namespace
}  // namespace tempus::engine

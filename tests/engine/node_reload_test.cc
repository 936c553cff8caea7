// The reload setters of Node (what tempusd's SIGHUP applies): a new access policy, new keys and
// new selection knobs take effect at once while every association keeps its state.
#include <gtest/gtest.h>

#include "engine/node_fixture.h"

namespace tempus::engine {
namespace {

using core::server::DropReason;
using core::server::Restrict;
using core::server::RestrictRule;

core::server::AccessPolicy IgnoreEveryone() {
  core::server::AccessPolicy p;
  p.restricts = {RestrictRule::Default(core::NetAddress::Family::kIPv4, static_cast<uint32_t>(Restrict::kIgnore))};
  return p;
}

TEST(NodeReload, AccessPolicyRefusesAtOnceAndServesAgainWhenRemoved) {
  ServerClientNodes t;
  t.Run(40);
  ASSERT_TRUE(t.client->system().Snapshot().synchronized());
  const uint64_t replied = t.server->server().stats().replied;
  t.server->SetAccessPolicy(IgnoreEveryone());
  t.Run(40);
  EXPECT_EQ(t.server->server().stats().replied, replied);
  EXPECT_GE(t.server->server().stats().dropped[static_cast<size_t>(DropReason::kRestricted)], 2u);
  t.server->SetAccessPolicy({});
  t.Run(40);
  EXPECT_GT(t.server->server().stats().replied, replied);
  EXPECT_EQ(t.client->associations().size(), 1u);
}

TEST(NodeReload, KeysAddedLetAKeyedSourceAuthenticate) {
  ServerClientSetup setup;
  setup.source.key_id = 1;
  setup.client.keys.emplace_back(1, MacAlgorithm::kSha1, std::vector<uint8_t>{'k', 'e', 'y'}, true);
  ServerClientNodes t(setup);  // the server has no keys yet: crypto-NAKs
  t.Run(40);
  EXPECT_EQ(t.client->associations().at(1)->stats().accepted, 0u);
  std::vector<AuthKey> keys;
  keys.emplace_back(1, MacAlgorithm::kSha1, std::vector<uint8_t>{'k', 'e', 'y'}, true);
  t.server->SetKeys(std::move(keys));
  t.Run(60);
  EXPECT_GE(t.client->associations().at(1)->stats().accepted, 1u);
  EXPECT_NE(t.server->keys().FindTrusted(1), nullptr);
}

TEST(NodeReload, SystemTunablesReselectAtOnceAndKeepTheSources) {
  ServerClientNodes t;
  t.Run(40);
  ASSERT_TRUE(t.client->system().system_peer().has_value());
  const uint64_t accepted = t.client->associations().at(1)->stats().accepted;
  core::system::SystemConfig two_needed;
  two_needed.select.min_sane = 2;
  t.client->SetSystemTunables(two_needed);
  EXPECT_FALSE(t.client->system().system_peer().has_value());  // one source is not enough now
  t.client->SetSystemTunables({});
  EXPECT_TRUE(t.client->system().system_peer().has_value());
  EXPECT_GE(t.client->associations().at(1)->stats().accepted, accepted);  // same association, same filter
}

// `local stratum 1` removed by a reload: the server stops serving its own clock at once, never at
// stratum 0; put back, it serves again.
TEST(NodeReload, LocalClockTurnedOffServesUnsynchronized) {
  ServerClientNodes t;
  t.Run(10);
  ASSERT_EQ(t.server->server().snapshot().stratum, 1);
  t.server->SetSystemTunables({});
  EXPECT_FALSE(t.server->server().snapshot().synchronized());
  EXPECT_EQ(t.server->server().snapshot().stratum, core::kMaxStratum);
  t.Run(10);
  EXPECT_FALSE(t.server->server().snapshot().synchronized());
  core::system::SystemConfig local;
  local.local_stratum = 1;
  t.server->SetSystemTunables(local);
  EXPECT_EQ(t.server->server().snapshot().stratum, 1);
}

}  // namespace
}  // namespace tempus::engine

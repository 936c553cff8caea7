// core::node::Node routes an NTS request (RFC 8915 §5) to its Server's NTS path and carries the
// whole reply, larger than a plain one, in one Reply action that the host must not restamp
// (the authenticator covers the transmit timestamp); TryServe, the lean route, leaves it alone.
#include <gtest/gtest.h>

#include <variant>
#include <vector>

#include "base/random.h"
#include "core/node/node.h"
#include "core/server/fake_nts.h"

namespace tempus::core::node {
namespace {

TEST(NodeNts, AnNtsRequestGetsItsWholeNtsReplyUnrestamped) {
  SeededRandom random(2);
  NodeConfig config;
  config.serve = true;
  Node node(config, random, nullptr, -20, MonoTime());
  const nts::FakeAead aead;
  const nts::FakeCookies cookies(7);
  node.SetNts(&cookies, &aead);
  const Instant now{MonoTime(), UnixTime::FromParts(1795928139, 0)};
  (void)node.Start(now);
  const nts::SessionKeys keys = nts::TestKeys();
  std::vector<uint8_t> cookie(nts::FakeCookies::kSize);
  nts::FakeCookies::Make(7, keys, cookie);
  const std::vector<uint8_t> request = nts::NtsRequest(aead, keys.c2s, cookie, 3);
  const NetAddress client = *NetAddress::Parse("192.0.2.5:40000");

  std::array<uint8_t, server::kReplyCapacity> lean{};
  EXPECT_EQ(node.TryServe(request, client, now.local, now.mono, lean), server::TimeAnswer::kNone);  // not plain

  const NodeActions& actions = node.OnDatagram(Datagram{request, client, now.local, std::nullopt}, now);
  const Reply* reply = nullptr;
  for (const NodeAction& a : actions) {
    if (const auto* r = std::get_if<Reply>(&a)) reply = r;
  }
  ASSERT_NE(reply, nullptr);
  EXPECT_FALSE(reply->restamp);
  EXPECT_GT(reply->bytes.size(), kHeaderSize + 4 * nts::FieldSize(nts::FakeCookies::kSize));
  EXPECT_LE(reply->bytes.size(), request.size());
  EXPECT_EQ(cookies.sealed, 4u);
  EXPECT_EQ(node.server().stats().nts_answered, 1u);
}

}  // namespace
}  // namespace tempus::core::node

namespace tempus::core::node {
namespace {

// The host's NTS state of an association (SetNtsState) shows with that source in the snapshot
// (mode 6 reads it), is refused for an id the node does not have, and goes with the source.
TEST(NodeNts, NtsStateShowsWithItsSourceAndGoesWithIt) {
  SeededRandom random(3);
  Node node(NodeConfig{}, random, nullptr, -20, MonoTime());
  const Instant now{MonoTime(), UnixTime::FromParts(1795928139, 0)};
  (void)node.Start(now);
  assoc::AssociationConfig source;
  source.address = *NetAddress::Parse("192.0.2.7:123");
  source.nts = true;
  auto id = node.AddSource(source, now);
  ASSERT_TRUE(id.has_value());
  report::NtsSourceState state;
  state.cookies = 6;
  state.ke_server = "192.0.2.7:4460";
  node.SetNtsState(*id, state);
  node.SetNtsState(*id + 100, state);  // no such association: ignored
  report::NodeSnapshot v = node.Snapshot(now);
  ASSERT_EQ(v.sources.size(), 1u);
  ASSERT_TRUE(v.sources[0].nts.has_value());
  EXPECT_EQ(v.sources[0].nts->cookies, 6u);
  EXPECT_EQ(v.sources[0].nts->ke_server, "192.0.2.7:4460");

  ASSERT_TRUE(node.RemoveSource(*id, now));
  auto again = node.AddSource(source, now);
  ASSERT_TRUE(again.has_value());
  v = node.Snapshot(now);
  ASSERT_EQ(v.sources.size(), 1u);
  EXPECT_FALSE(v.sources[0].nts.has_value()) << "a new association starts without the old one's state";
}

}  // namespace
}  // namespace tempus::core::node

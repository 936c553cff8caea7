// Item 2 of issue 10: a node never selects itself. A cluster's config is one file copied to
// every node, so each has a `server` line with its own address: that association stays visible
// but is never polled nor selected, is marked (flash TEST12) and logged once. And item 10: the
// local clock is shown as a source, LOCAL(u), the system peer while it serves.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node.h"
#include "engine/node_fixture.h"

namespace tempus::engine {
namespace {

const core::UnixTime kStart = core::UnixTime::FromParts(1795928139, 0);
const core::NetAddress kSelf = *core::NetAddress::Parse("10.0.0.5:123");

// One node on a LoopNet, which delivers what it sends to its own address back to it.
struct Alone {
  explicit Alone(NodeConfig config) {
    config.self_address = kSelf;
    node =
        std::make_unique<Node>(config, clock, transport, random, [this](const std::string& m) { logs.push_back(m); });
    net.Attach(kSelf, node.get(), &clock);
    node->Start();
  }
  size_t Logged(const std::string& text) const {
    size_t n = 0;
    for (const auto& l : logs) n += l.find(text) != std::string::npos;
    return n;
  }
  FakeClock clock{kStart};
  LoopNet net;
  LoopNet::NetTransport transport{net, kSelf};
  SeededRandom random{3};
  std::vector<std::string> logs;
  std::unique_ptr<Node> node;
};

TEST(NodeSelf, ServerLineNamingItsOwnAddressIsNeverPolledNorSelected) {
  NodeConfig c;
  c.system.local_stratum = 8;
  c.sources.push_back(FastSource(kSelf));
  Alone t(c);
  for (int s = 0; s < 300; ++s) {  // it used to flap between stratum 8 and 9 (its own refid)
    t.net.Run(1);
    ASSERT_EQ(t.node->system().Snapshot().stratum, 8) << "after " << s << " s";
    ASSERT_NE(t.node->system().Snapshot().refid.AsDottedQuad(), "10.0.0.5");
  }
  EXPECT_FALSE(t.node->system().system_peer());
  EXPECT_TRUE(t.node->system().local_clock_peer());
  EXPECT_EQ(t.node->packets_sent(), 0u);         // not polled: it would only talk to itself
  ASSERT_EQ(t.node->associations().size(), 1u);  // but visible
  const core::report::NodeSnapshot v = t.node->Snapshot();
  ASSERT_EQ(v.sources.size(), 2u);  // the association and LOCAL(1)
  EXPECT_EQ(v.sources[0].association.config.address, kSelf);
  EXPECT_EQ(core::control::FlashBits(v.sources[0]) & 0x0800, 0x0800);  // TEST12; TEST13 too: never polled
  EXPECT_EQ(t.Logged("this node's own address"), 1u);
}

TEST(NodeSelf, AnyOfItsAddressesCounts) {
  const core::NetAddress other = *core::NetAddress::Parse("192.168.1.5:123");
  NodeConfig c;
  c.own_addresses = {other};
  c.sources.push_back(FastSource(other));
  c.sources.push_back(FastSource(other.WithPort(1123)));  // another daemon on the same host
  Alone t(c);
  t.net.Run(10);
  const std::vector<core::system::SourceView> sources = t.node->system().Sources();
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_TRUE(sources[0].loop);
  EXPECT_FALSE(sources[1].loop);
  EXPECT_EQ(t.node->associations().at(1)->stats().sent, 0u);
  EXPECT_GT(t.node->associations().at(2)->stats().sent, 0u);
}

// A source reporting another of our addresses as its refid is synchronized to us: here a relay R
// that follows Y, whose address the client C lists as its own (a second interface of C's, as far
// as C knows). A loopback address is every host's own and does not count.
TEST(NodeSelf, SourceReportingAnotherOfOurAddressesIsNotSelected) {
  for (const bool loopback : {false, true}) {
    const core::NetAddress y = *core::NetAddress::Parse(loopback ? "127.0.0.9:123" : "10.0.0.9:123");
    const core::NetAddress r = *core::NetAddress::Parse("10.0.0.2:123");
    const core::NetAddress c = *core::NetAddress::Parse("10.0.0.3:123");
    LoopNet net;
    FakeClock y_clock{kStart}, r_clock{kStart}, c_clock{kStart};
    LoopNet::NetTransport y_tr{net, y}, r_tr{net, r}, c_tr{net, c};
    SeededRandom y_rnd{1}, r_rnd{2}, c_rnd{3};
    NodeConfig yc, rc, cc;
    yc.system.local_stratum = 1;
    yc.self_address = y;
    rc.sources.push_back(FastSource(y));
    rc.self_address = r;
    cc.sources.push_back(FastSource(r));
    cc.self_address = c;
    cc.own_addresses = {y};
    Node yn(yc, y_clock, y_tr, y_rnd), rn(rc, r_clock, r_tr, r_rnd), cn(cc, c_clock, c_tr, c_rnd);
    net.Attach(y, &yn, &y_clock);
    net.Attach(r, &rn, &r_clock);
    net.Attach(c, &cn, &c_clock);
    yn.Start();
    rn.Start();
    cn.Start();
    net.Run(200);
    ASSERT_EQ(rn.system().Snapshot().refid, core::RefId::FromIPv4(y)) << loopback;
    EXPECT_EQ(cn.system().Sources()[0].loop, !loopback);
    EXPECT_EQ(cn.system().system_peer().has_value(), loopback);
  }
}

TEST(NodeLocalClock, ShownAsASourceAndTheSystemPeerWhileServed) {
  ServerClientSetup setup;
  setup.client.system.local_stratum = 11;  // ntpd's `server 127.127.1.0` + `fudge ... stratum 10`
  setup.client.system.local_unit = 0;
  setup.client.system.local_refid = core::RefId::FromRaw(0x7f7f0100);
  ServerClientNodes t(setup);
  // Before the server answers, the local clock serves.
  t.client->OnTimer();
  core::report::NodeSnapshot v = t.client->Snapshot();
  ASSERT_EQ(v.sources.size(), 2u);
  EXPECT_EQ(v.sources[1].association_id, 2);  // after the configured source, stable
  EXPECT_EQ(v.sources[1].clock_name, "LOCAL(0)");
  EXPECT_EQ(v.sources[1].association.config.address.ToString(), "127.127.1.0");
  EXPECT_EQ(v.system_peer, 2);
  EXPECT_EQ(t.client->system().Snapshot().stratum, 11);
  EXPECT_EQ(t.client->system().Snapshot().refid.AsDottedQuad(), "127.127.1.0");
  EXPECT_EQ(core::control::SystemStatusWord(v) >> 8 & 0x3f, 5);  // sync_local
  t.Run(60);
  v = t.client->Snapshot();
  EXPECT_EQ(v.system_peer, 1);                                                // the stratum-1 server took over
  EXPECT_EQ(core::control::SystemStatusWord(v) >> 8 & 0x3f, 6);               // sync_ntp
  EXPECT_EQ(core::control::PeerStatusWord(v.sources[1], false) >> 8 & 7, 0);  // LOCAL: reject
}

// A `local` line added on SIGHUP (Node::SetSystemTunables): the local clock shows up with an id
// of its own, and keeps it when it is removed and added again.
TEST(NodeLocalClock, AddedOnReloadIsShownWithAStableId) {
  ServerClientSetup setup;
  ServerClientNodes t(setup);
  EXPECT_EQ(t.client->Snapshot().sources.size(), 1u);
  core::system::SystemConfig with_local = setup.client.system;
  with_local.local_stratum = 9;
  t.client->SetSystemTunables(with_local);
  core::report::NodeSnapshot v = t.client->Snapshot();
  ASSERT_EQ(v.sources.size(), 2u);
  EXPECT_EQ(v.sources[1].clock_name, "LOCAL(1)");
  const uint16_t id = v.sources[1].association_id;
  EXPECT_EQ(v.system_peer, id);
  t.client->SetSystemTunables(setup.client.system);  // removed
  EXPECT_EQ(t.client->Snapshot().sources.size(), 1u);
  t.client->SetSystemTunables(with_local);
  EXPECT_EQ(t.client->Snapshot().sources[1].association_id, id);
}

}  // namespace
}  // namespace tempus::engine

// PlanListen: ntpd's interface/nic rules (ntp_io.c interface_action) over tempusd's listen
// addresses, with plain values for the machine's interfaces.
#include "config/listen_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

core::NetAddress A(const char* text) { return *core::NetAddress::Parse(text); }

// lo (127.0.0.1, ::1), eth0 (10.1.0.1, fe80::1), eth1 (192.168.7.1), eth1:1 (192.168.8.1).
std::vector<core::InterfaceAddress> Machine() {
  return {{"lo", A("127.0.0.1"), true},      {"lo", A("::1"), true},
          {"eth0", A("10.1.0.1"), false},    {"eth0", A("fe80::1"), false},
          {"eth1", A("192.168.7.1"), false}, {"eth1:1", A("192.168.8.1"), false}};
}

std::vector<InterfaceRule> Rules(std::string_view text) { return testing::MustParse(text).config.interfaces; }

// "address[!]" per socket, "!" for drop, in plan order.
std::vector<std::string> Sockets(const ListenPlan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.sockets) out.push_back(s.address.ToStringWithPort() + (s.drop ? "!" : ""));
  return out;
}

using V = std::vector<std::string>;

TEST(ListenPlan, WithoutRulesExactlyTheListenAddresses) {
  const std::vector<core::NetAddress> listen = {A("0.0.0.0:123")};
  const ListenPlan p = PlanListen({}, listen, Machine());
  EXPECT_EQ(Sockets(p), V{"0.0.0.0:123"});
  EXPECT_TRUE(p.sockets[0].required);
  EXPECT_TRUE(p.decisions.empty());
}

// The example, as ntpd reads it: the wildcard is ignored; eth0 and 127.0.0.1 listen by
// their rules; every other address listens by ntpd's default (ignore them with `ignore all`).
TEST(ListenPlan, IgnoreWildcardListenEth0AndLoopback) {
  const auto rules = Rules("interface ignore wildcard\ninterface listen eth0\ninterface listen 127.0.0.1\n");
  const ListenPlan p = PlanListen(rules, {}, Machine());
  EXPECT_EQ(Sockets(p), (V{"127.0.0.1:123", "10.1.0.1:123", "192.168.7.1:123", "192.168.8.1:123", "[::1]:123"}));
  EXPECT_TRUE(p.warnings.empty());
}

TEST(ListenPlan, IgnoreAllThenListenOneInterfaceKeepsLoopbackAndDropsTheWildcard) {
  const auto rules = Rules("interface ignore all\ninterface listen eth0\n");
  const std::vector<core::NetAddress> listen = {A("0.0.0.0:11123")};
  const ListenPlan p = PlanListen(rules, listen, Machine());
  // "all" excludes loopback (default: listen) and the wildcard (default: drop).
  EXPECT_EQ(Sockets(p), (V{"0.0.0.0:11123!", "127.0.0.1:11123", "10.1.0.1:11123"}));
  EXPECT_EQ(p.decisions[0], "0.0.0.0:11123: drop (default for wildcard addresses)");
  EXPECT_EQ(p.decisions[3], "192.168.7.1:11123 (eth1): ignore (ntp.conf:1:1)");
}

TEST(ListenPlan, TheLastMatchingRuleWins) {
  const std::vector<core::NetAddress> listen = {A("0.0.0.0:123")};
  const auto a = PlanListen(Rules("nic listen eth1\nnic ignore 192.168.7.1\n"), listen, Machine());
  const auto b = PlanListen(Rules("nic ignore 192.168.7.1\nnic listen eth1\n"), listen, Machine());
  const auto has = [](const ListenPlan& p, const char* addr) {
    for (const auto& s : p.sockets) {
      if (s.address.ToStringWithPort() == addr) return true;
    }
    return false;
  };
  EXPECT_FALSE(has(a, "192.168.7.1:123"));
  EXPECT_TRUE(has(b, "192.168.7.1:123"));
}

TEST(ListenPlan, PrefixFamilyNamePatternAndDrop) {
  const std::vector<core::NetAddress> listen = {A("0.0.0.0:123"), A("[::]:123")};
  const auto rules =
      Rules("interface ignore all\ninterface listen 192.168.0.0/16\ninterface drop ETH1*\ninterface ignore ipv6\n");
  const ListenPlan p = PlanListen(rules, listen, Machine());
  // eth1 and eth1:1 match the pattern (any case) after the prefix; IPv6 (loopback too, and the
  // wildcard) is ignored; fe80::1 is never a candidate.
  EXPECT_EQ(Sockets(p), (V{"0.0.0.0:123!", "127.0.0.1:123", "192.168.7.1:123!", "192.168.8.1:123!"}));
}

TEST(ListenPlan, ListenWildcardRuleOpensIt) {
  const std::vector<core::NetAddress> listen = {A("0.0.0.0:123")};
  const ListenPlan p = PlanListen(Rules("interface ignore ipv4\ninterface listen wildcard\n"), listen, Machine());
  EXPECT_EQ(Sockets(p), V{"0.0.0.0:123"});
}

TEST(ListenPlan, ASpecificListenAddressIsJudgedAndRequired) {
  const std::vector<core::NetAddress> listen = {A("10.1.0.1:11123"), A("192.168.7.1:11123")};
  const ListenPlan p = PlanListen(Rules("interface ignore eth1\n"), listen, Machine());
  ASSERT_EQ(Sockets(p), V{"10.1.0.1:11123"});
  EXPECT_TRUE(p.sockets[0].required);
  EXPECT_EQ(p.sockets[0].interface, "eth0");
}

TEST(ListenPlan, ARuleThatMatchesNothingIsAWarningWithItsPlace) {
  const ListenPlan p = PlanListen(Rules("interface listen eth0\ninterface listen wlan9\n"), {}, Machine());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].ToString(),
            "ntp.conf:2:1: warning: this interface rule matches no address tempusd could listen on");
}

TEST(ListenPlan, InterfaceActionDefaults) {
  EXPECT_EQ(InterfaceAction({}, {"lo", A("127.0.0.1"), true}), InterfaceRule::Action::kListen);
  EXPECT_EQ(InterfaceAction({}, {"", A("::"), false}), InterfaceRule::Action::kDrop);
  EXPECT_EQ(InterfaceAction({}, {"eth0", A("10.1.0.1"), false}), InterfaceRule::Action::kListen);
  const auto rules = Rules("interface drop all\n");
  const InterfaceRule* decided = nullptr;
  EXPECT_EQ(InterfaceAction(rules, {"eth0", A("10.1.0.1"), false}, &decided), InterfaceRule::Action::kDrop);
  EXPECT_EQ(decided, &rules[0]);
  EXPECT_EQ(InterfaceAction(rules, {"lo", A("127.0.0.1"), true}, &decided), InterfaceRule::Action::kListen);
  EXPECT_EQ(decided, nullptr);
}

// The node's own addresses, for the sources that name it (issue 10 item 2): a wildcard socket
// serves on every address of its family, on its port.
TEST(ServedAddresses, WildcardSocketsServeEveryInterfaceAddressOfTheirFamily) {
  const std::vector<core::InterfaceAddress> interfaces = {{"lo", A("127.0.0.1"), true},
                                                          {"eth0", A("192.0.2.5"), false},
                                                          {"lo", A("::1"), true},
                                                          {"eth0", A("2001:db8::5"), false}};
  const std::vector<core::NetAddress> sockets = {A("0.0.0.0:123"), A("10.1.1.1:4123"), A("[::]:11123")};
  const std::vector<core::NetAddress> want = {A("127.0.0.1:123"), A("192.0.2.5:123"), A("10.1.1.1:4123"),
                                              A("[::1]:11123"), A("[2001:db8::5]:11123")};
  EXPECT_EQ(ServedAddresses(sockets, interfaces), want);
  EXPECT_EQ(ServedAddresses(sockets, {}), std::vector<core::NetAddress>{A("10.1.1.1:4123")});
}

}  // namespace
}  // namespace tempus::config

// core::control::ControlServer with plain values (no engine, no clock): who may query, at what
// rate, what is counted, and that the node's view is built only for a request that is answered.
#include "core/control/control_server.h"

#include <vector>

#include <gtest/gtest.h>

#include "core/server/restrict.h"
#include "core/wire/mode6.h"

namespace tempus::core::control {
namespace {

using mode6::Opcode;
using report::ControlDrop;
using report::ControlDropName;
using report::ControlStats;
using server::Restrict;
using server::RestrictRule;
using server::RestrictTable;

const NetAddress kLoopback = NetAddress::IPv4({127, 0, 0, 1}, 40000);
const NetAddress kRemote = NetAddress::IPv4({192, 0, 2, 7}, 40000);
const std::vector<uint8_t> kReadStatus = mode6::EncodeRequest(Opcode::kReadStatus, 5, 0);

MonoTime At(double seconds) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(seconds)); }

// A view source that counts how often the server asked for it.
struct Views {
  report::NodeSnapshot operator()() const {
    ++built;
    return report::NodeSnapshot{};
  }
  mutable int built = 0;
};

ControlAction Ask(ControlServer& c, const NetAddress& from, const RestrictTable& restricts, const Views& views,
                  std::span<const uint8_t> request = kReadStatus, MonoTime now = At(0)) {
  return c.Handle(request, from, now, restricts, views);
}

std::optional<ControlDrop> DropOf(const ControlAction& a) {
  if (const auto* ignore = std::get_if<Ignore>(&a)) return ignore->reason;
  return std::nullopt;
}

TEST(ControlServer, WithoutRestrictLinesOnlyLoopbackMayQuery) {
  ControlServer c;
  const RestrictTable none;
  Views views;
  EXPECT_EQ(DropOf(Ask(c, kRemote, none, views)), ControlDrop::kRestricted);
  EXPECT_EQ(views.built, 0);
  const ControlAction a = Ask(c, kLoopback, none, views);
  ASSERT_TRUE(std::holds_alternative<Respond>(a));
  ASSERT_EQ(std::get<Respond>(a).datagrams.size(), 1u);
  const auto m = mode6::Decode(std::get<Respond>(a).datagrams[0]);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.sequence, 5);
  EXPECT_EQ(views.built, 1);
  EXPECT_EQ(c.stats().requests, 2u);
  EXPECT_EQ(c.stats().answered, 1u);
  EXPECT_EQ(c.stats().Dropped(ControlDrop::kRestricted), 1u);
  EXPECT_EQ(c.stats().bytes_in, 2 * kReadStatus.size());
  EXPECT_EQ(c.stats().datagrams_sent, 1u);
  EXPECT_EQ(c.stats().bytes_out, std::get<Respond>(a).datagrams[0].size());
}

TEST(ControlServer, ConfigOpensOrClosesTheControlPath) {
  const RestrictTable none;
  Views views;
  ControlConfig from_any;
  from_any.from_any = true;
  ControlServer open(from_any);
  EXPECT_TRUE(std::holds_alternative<Respond>(Ask(open, kRemote, none, views)));
  ControlConfig off;
  off.enabled = false;
  ControlServer closed(off);
  EXPECT_EQ(DropOf(Ask(closed, kLoopback, none, views)), ControlDrop::kRestricted);
  EXPECT_EQ(closed.stats().Dropped(ControlDrop::kRestricted), 1u);
}

TEST(ControlServer, RestrictLinesDecideAloneOnceThereAreAny) {
  const std::vector<RestrictRule> rules = {RestrictRule::Default(NetAddress::Family::kIPv4,
                                                                 static_cast<uint32_t>(Restrict::kNoServe)),
                                           RestrictRule::Network(kLoopback, 32,
                                                                 static_cast<uint32_t>(Restrict::kNoQuery))};
  const RestrictTable restricts(rules);
  Views views;
  ControlServer c;
  EXPECT_TRUE(std::holds_alternative<Respond>(Ask(c, kRemote, restricts, views)));   // noserve still queries
  EXPECT_EQ(DropOf(Ask(c, kLoopback, restricts, views)), ControlDrop::kRestricted);  // noquery
  // A rule that matches nothing (another family) still means "the rules decide", as ntpd.
  const std::vector<RestrictRule> v6 = {
      RestrictRule::Default(NetAddress::Family::kIPv6, static_cast<uint32_t>(Restrict::kIgnore))};
  EXPECT_TRUE(std::holds_alternative<Respond>(Ask(c, kRemote, RestrictTable(v6), views)));
  const std::vector<RestrictRule> ignore = {
      RestrictRule::Default(NetAddress::Family::kIPv4, static_cast<uint32_t>(Restrict::kIgnore))};
  EXPECT_EQ(DropOf(Ask(c, kLoopback, RestrictTable(ignore), views)), ControlDrop::kRestricted);
  EXPECT_EQ(views.built, 2);
}

TEST(ControlServer, FloodFromLoopbackIsAnsweredAtABoundedRateAndCounted) {
  ControlServer c;
  const RestrictTable none;
  Views views;
  const ControlLimitConfig limits;
  const auto request = mode6::EncodeRequest(Opcode::kReadVariables, 1, 0);
  // 10 s of 1000 requests per second from one loopback address.
  for (int ms = 0; ms < 10'000; ++ms) (void)Ask(c, kLoopback, none, views, request, At(ms / 1000.0));
  const ControlStats& st = c.stats();
  EXPECT_EQ(st.requests, 10'000u);
  EXPECT_LE(st.answered, limits.client_burst + 10 * limits.client_per_second + 1);
  EXPECT_GE(st.answered, limits.client_burst + 10 * limits.client_per_second - 2);
  EXPECT_EQ(st.Dropped(ControlDrop::kClientRate), st.requests - st.answered);
  EXPECT_EQ(st.Dropped(ControlDrop::kGlobalRate), 0u);
  EXPECT_EQ(st.datagrams_sent, st.answered);                   // one datagram per system READVAR
  EXPECT_EQ(static_cast<uint64_t>(views.built), st.answered);  // a limited request costs no view
  // A second ntpq on another loopback address is not starved by the first one's flood.
  const NetAddress other = NetAddress::IPv4({127, 0, 0, 9}, 40001);
  for (int i = 0; i < 20; ++i)
    EXPECT_TRUE(std::holds_alternative<Respond>(Ask(c, other, none, views, request, At(10))));
}

TEST(ControlServer, RestrictedSourcesNeverReachTheLimiter) {
  ControlServer c;
  const RestrictTable none;
  Views views;
  for (int i = 0; i < 1000; ++i) (void)Ask(c, kRemote, none, views);
  EXPECT_EQ(c.stats().Dropped(ControlDrop::kRestricted), 1000u);
  EXPECT_EQ(c.limiter().tracked(), 0u);
  int answered = 0;
  for (int i = 0; i < 100; ++i) answered += std::holds_alternative<Respond>(Ask(c, kLoopback, none, views));
  EXPECT_EQ(answered, 100);  // the loopback client still gets its whole burst
}

TEST(ControlServer, GlobalRateIsCountedApart) {
  ControlConfig config;
  config.limit.global_burst = 2;
  config.limit.global_per_second = 1;
  ControlServer c(config);
  const RestrictTable none;
  Views views;
  for (uint8_t i = 1; i <= 5; ++i) (void)Ask(c, NetAddress::IPv4({127, 0, 0, i}, 40000), none, views);
  EXPECT_EQ(c.stats().answered, 2u);
  EXPECT_EQ(c.stats().Dropped(ControlDrop::kGlobalRate), 3u);
}

TEST(ControlServer, MalformedRequestsAndResponsesAreDroppedAfterTheLimits) {
  ControlServer c;
  const RestrictTable none;
  Views views;
  std::vector<uint8_t> response = kReadStatus;
  response[1] |= 0x80;  // R bit: a response, never answered (no loops)
  EXPECT_EQ(DropOf(Ask(c, kLoopback, none, views, response)), ControlDrop::kMalformed);
  EXPECT_EQ(DropOf(Ask(c, kLoopback, none, views, std::vector<uint8_t>{0x16, 0x01})), ControlDrop::kMalformed);
  EXPECT_EQ(c.stats().Dropped(ControlDrop::kMalformed), 2u);
  EXPECT_EQ(c.stats().answered, 0u);
  EXPECT_EQ(c.limiter().tracked(), 1u);  // they took tokens like any request
}

TEST(ControlServer, DropNamesAreThePrometheusLabels) {
  EXPECT_EQ(ControlDropName(ControlDrop::kRestricted), "restricted");
  EXPECT_EQ(ControlDropName(ControlDrop::kClientRate), "client_rate");
  EXPECT_EQ(ControlDropName(ControlDrop::kGlobalRate), "global_rate");
  EXPECT_EQ(ControlDropName(ControlDrop::kMalformed), "malformed");
}

}  // namespace
}  // namespace tempus::core::control

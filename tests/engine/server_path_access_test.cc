// ServerPath access control: restrict and rate limit decide before a reply is built, each drop
// is counted by reason, and a limited `kod` source gets a RATE kiss-o'-death carrying no time.
#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "engine/fake_clock.h"
#include "engine/server_path.h"
#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::engine {
namespace {

using core::server::DropReason;
using core::server::Restrict;
using core::server::RestrictRule;
constexpr uint32_t F(Restrict f) { return static_cast<uint32_t>(f); }

core::NetAddress A(const char* s) { return core::NetAddress::Parse(s).value(); }

uint64_t Dropped(const ServerPath& p, DropReason r) { return p.stats().dropped[static_cast<size_t>(r)]; }

TEST(ServerPathAccess, RestrictDecidesPerSource) {
  FakeClock clock(core::UnixTime::FromParts(1795928139, 0));
  core::server::AccessPolicy access;
  access.restricts = {RestrictRule::Default(core::NetAddress::Family::kIPv4, F(Restrict::kIgnore)),
                      RestrictRule::Network(A("127.0.0.1"), 32, F(Restrict::kNoQuery)),
                      RestrictRule::Network(A("10.0.0.0"), 8, F(Restrict::kNoServe))};
  ServerPath path(clock, access);
  const auto req = testdata::FromHex(testdata::kRequests[1].hex);
  EXPECT_TRUE(path.Handle(req, A("127.0.0.1:5000"), std::nullopt));
  EXPECT_FALSE(path.Handle(req, A("192.0.2.1:5000"), std::nullopt));
  EXPECT_FALSE(path.Handle(req, A("10.1.1.1:5000"), std::nullopt));
  EXPECT_TRUE(path.Handle(req, A("[::1]:5000"), std::nullopt));  // no IPv6 rule
  EXPECT_EQ(Dropped(path, DropReason::kRestricted), 2u);
  EXPECT_EQ(path.stats().replied, 2u);
  EXPECT_FALSE(path.AllowQuery(A("127.0.0.1")));
  EXPECT_FALSE(path.AllowQuery(A("192.0.2.1")));
  EXPECT_TRUE(path.AllowQuery(A("10.1.1.1")));  // noserve still answers ntpq
  EXPECT_TRUE(path.AccessFor(A("10.1.1.1")).Has(Restrict::kNoServe));
}

TEST(ServerPathAccess, LimitedKodSourceGetsOneRateKissThenSilence) {
  FakeClock clock(core::UnixTime::FromParts(1795928139, 0));
  core::server::AccessPolicy access;
  access.restricts = {
      RestrictRule::Default(core::NetAddress::Family::kIPv4, F(Restrict::kLimited) | F(Restrict::kKod))};
  ServerPath path(clock, access, 99);
  core::system::SystemSnapshot synced;
  synced.leap = core::Leap::kNoWarning;
  synced.stratum = 2;
  path.Publish(synced);
  const auto req = testdata::FromHex(testdata::kRequests[1].hex);
  const auto req_header = core::Decode(req)->header;
  int time_replies = 0, kods = 0;
  for (int i = 0; i < 100; ++i) {
    clock.Advance(core::NtpDuration::FromMillis(10));
    auto reply = path.Handle(req, A("198.51.100.7:123"), std::nullopt);
    if (!reply) continue;
    ASSERT_LE(reply->size(), req.size());
    const auto h = core::Decode(*reply)->header;
    if (h.IsKissOfDeath()) {
      ++kods;
      EXPECT_EQ(core::KissCodeOf(h.refid), core::KissCode::kRate);
      EXPECT_EQ(h.leap, core::Leap::kUnsynchronized);
      EXPECT_EQ(h.origin_time, req_header.transmit_time);
      EXPECT_EQ(h.transmit_time, req_header.transmit_time);  // no time of ours in it
    } else {
      ++time_replies;
    }
  }
  EXPECT_EQ(time_replies, 1);
  EXPECT_EQ(kods, 1);
  EXPECT_EQ(Dropped(path, DropReason::kKodSent), 1u);
  EXPECT_EQ(Dropped(path, DropReason::kRateLimited), 98u);
  EXPECT_EQ(path.rate_limiter().tracked(), 1u);
}

}  // namespace
}  // namespace tempus::engine

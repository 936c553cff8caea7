// A mode 1 packet from an address without an association (RFC 5905 §9.2, ntpd's AM_NEWPASS with
// `enable auth`) through core::server::Server::HandleNewPeer, with plain values: only a valid MAC
// by a trusted key mobilizes a passive association; without one the sender gets a mode 2 reply
// at most, or nothing under restrict; never state that selection uses.
#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/assoc/association_config.h"
#include "core/server/fake_authenticator.h"
#include "core/server/server.h"
#include "core/wire/codec.h"

namespace tempus::core::server {
namespace {

using system::SystemSnapshot;

constexpr uint32_t F(Restrict f) { return static_cast<uint32_t>(f); }
using Action = NewPeerAction;
const NetAddress kPeer = *NetAddress::Parse("192.0.2.7:123");
const NtpTimestamp kRx = NtpTimestamp::FromRaw(0x1234567900000000ull);
constexpr uint32_t kKey = 42;

std::vector<uint8_t> ModeOne(uint8_t version = 4, int8_t poll = 6) {
  return RequestPacket(Mode::kSymmetricActive, version, poll);
}

SystemSnapshot Synced() {
  SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = 3;
  s.refid = RefId::FromRaw(0x0a000001);
  s.reference_time = NtpTimestamp::FromRaw(0x1234000000000000ull);
  return s;
}

struct Harness {
  explicit Harness(uint32_t flags = 0) : server(Policy(flags), 7), auth({kKey}) { server.Publish(Synced()); }
  static AccessPolicy Policy(uint32_t flags) {
    AccessPolicy p;
    if (flags != 0) p.restricts = {RestrictRule::Default(NetAddress::Family::kIPv4, flags)};
    return p;
  }
  NewPeerVerdict Handle(std::span<const uint8_t> packet, NewPeerPolicy policy = {}, MonoTime now = MonoTime()) {
    return server.HandleNewPeer(packet, kPeer, kRx, now, auth, policy, reply);
  }
  Server server;
  FakeAuthenticator auth;
  std::array<uint8_t, kReplyCapacity> reply{};
};

enum class Mac { kNone, kGood, kBad, kNak };

std::vector<uint8_t> WithMac(Mac mac) {
  switch (mac) {
    case Mac::kNone: return ModeOne();
    case Mac::kGood: return FakeAuthenticator::Signed(ModeOne(), kKey);
    case Mac::kBad: return FakeAuthenticator::Signed(ModeOne(), kKey + 1);  // an untrusted key
    case Mac::kNak: return FakeAuthenticator::WithCryptoNak(ModeOne());
  }
  return ModeOne();
}

TEST(ServerNewPeer, AuthenticationDecidesMobilization) {
  const struct {
    const char* name;
    uint32_t flags;
    Mac mac;
    bool require_auth;
    Action want;
    DropReason reason;  // kDrop and kReplyPassive
  } cases[] = {
      {"no MAC: a mode 2 reply, no association", 0, Mac::kNone, true, Action::kReplyPassive,
       DropReason::kUnauthenticatedPeer},
      {"valid MAC: mobilized", 0, Mac::kGood, true, Action::kMobilize, {}},
      {"bad MAC: nothing", 0, Mac::kBad, true, Action::kDrop, DropReason::kUnauthenticatedPeer},
      {"crypto-NAK: nothing", 0, Mac::kNak, true, Action::kDrop, DropReason::kUnauthenticatedPeer},
      {"nopeer, no MAC: nothing", F(Restrict::kNoPeer), Mac::kNone, true, Action::kDrop, DropReason::kRestricted},
      {"nopeer, valid MAC: mobilized (ntpd)", F(Restrict::kNoPeer), Mac::kGood, true, Action::kMobilize, {}},
      {"notrust, no MAC: nothing", F(Restrict::kNoTrust), Mac::kNone, true, Action::kDrop,
       DropReason::kNotAuthenticated},
      {"notrust, valid MAC: mobilized", F(Restrict::kNoTrust), Mac::kGood, true, Action::kMobilize, {}},
      {"ignore, valid MAC: nothing", F(Restrict::kIgnore), Mac::kGood, true, Action::kDrop, DropReason::kRestricted},
      {"noserve, no MAC: nothing", F(Restrict::kNoServe), Mac::kNone, true, Action::kDrop, DropReason::kRestricted},
      {"disable auth, no MAC: mobilized (unsafe)", 0, Mac::kNone, false, Action::kMobilize, {}},
      {"disable auth, nopeer: nothing", F(Restrict::kNoPeer), Mac::kNone, false, Action::kDrop,
       DropReason::kRestricted},
      {"disable auth, bad MAC: nothing", 0, Mac::kBad, false, Action::kDrop, DropReason::kUnauthenticatedPeer},
  };
  for (const auto& c : cases) {
    Harness h(c.flags);
    const NewPeerVerdict v = h.Handle(WithMac(c.mac), {c.require_auth, 0, 8});
    EXPECT_EQ(v.action, c.want) << c.name;
    EXPECT_EQ(v.reply.has_value(), c.want == Action::kReplyPassive) << c.name;
    EXPECT_EQ(h.server.stats().received, 1u) << c.name;
    if (c.want == Action::kMobilize) {
      EXPECT_EQ(h.server.stats().TotalDropped(), 0u) << c.name;  // mobilized: not a drop
      continue;
    }
    EXPECT_EQ(v.reason, c.reason) << c.name;
    EXPECT_EQ(h.server.stats().Dropped(c.reason), 1u) << c.name;  // the mode 2 reply counts too
    EXPECT_EQ(h.server.stats().replied, 0u) << c.name;
  }
}

TEST(ServerNewPeer, AuthenticatedPeerUsesItsKeyVersionAndPoll) {
  Harness h;
  const NewPeerVerdict v = h.server.HandleNewPeer(FakeAuthenticator::Signed(ModeOne(3, 9), kKey), kPeer, kRx,
                                                  MonoTime(), h.auth, {}, h.reply);
  ASSERT_EQ(v.action, Action::kMobilize);
  EXPECT_EQ(v.key_id, std::optional<uint32_t>(kKey));
  EXPECT_EQ(v.version, 3);
  EXPECT_EQ(v.poll, 9);
  const assoc::AssociationConfig c = assoc::PassiveAssociationConfig(kPeer, v.version, v.poll, v.key_id);
  EXPECT_EQ(c.mode, Mode::kSymmetricPassive);
  EXPECT_EQ(c.address, kPeer);
  EXPECT_EQ(c.key_id, std::optional<uint32_t>(kKey));
  EXPECT_EQ(c.version, 3);
  EXPECT_EQ(c.minpoll.log2(), assoc::kDefaultMinPoll);      // a forged poll 9 (or 17) does not keep it for long
  EXPECT_FALSE(h.Handle(ModeOne(), {false, 0, 8}).key_id);  // disable auth: unkeyed
}

TEST(ServerNewPeer, PeerLimitAppliesToAuthenticatedPeersToo) {
  Harness h;
  EXPECT_EQ(h.Handle(WithMac(Mac::kGood), {true, 8, 8}).reason, DropReason::kPeerLimit);
  EXPECT_EQ(h.Handle(WithMac(Mac::kGood), {true, 7, 8}).action, Action::kMobilize);
  EXPECT_EQ(h.server.stats().Dropped(DropReason::kPeerLimit), 1u);
}

TEST(ServerNewPeer, OnlyAWellFormedModeOneFromAnAddressCounts) {
  Harness h;
  EXPECT_EQ(h.Handle(FakeAuthenticator::Signed(RequestPacket(Mode::kSymmetricPassive), kKey)).reason,
            DropReason::kSymmetricMode);
  EXPECT_EQ(h.Handle(std::vector<uint8_t>(20)).reason, DropReason::kTooShort);
  std::vector<uint8_t> no_xmt(kHeaderSize, 0);
  no_xmt[0] = (4 << 3) | 1;
  EXPECT_EQ(h.Handle(no_xmt).reason, DropReason::kSymmetricMode);
  std::vector<uint8_t> bad_version = ModeOne();
  bad_version[0] = 0x01;  // version 0
  EXPECT_EQ(h.Handle(bad_version).reason, DropReason::kBadVersion);
  EXPECT_EQ(h.server.HandleNewPeer(ModeOne(), NetAddress(), kRx, MonoTime(), h.auth, {}, h.reply).reason,
            DropReason::kSymmetricMode);  // no address to answer or associate with
  Harness versioned(F(Restrict::kVersion));
  EXPECT_EQ(versioned.Handle(FakeAuthenticator::Signed(ModeOne(3), kKey)).reason, DropReason::kRestricted);
}

// `limited`: a flood of unauthenticated mode 1 packets from one source gets few mode 2 replies.
TEST(ServerNewPeer, LimitedSourceGetsRateLimitedReplies) {
  Harness h(F(Restrict::kLimited));
  int replies = 0, limited = 0;
  MonoTime t;
  for (int i = 0; i < 100; ++i, t += NtpDuration::FromMillis(10)) {
    const NewPeerVerdict v = h.Handle(ModeOne(), {}, t);
    if (v.action == Action::kReplyPassive) ++replies;
    if (v.action == Action::kDrop && v.reason == DropReason::kRateLimited) ++limited;
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(limited, 99);
}

TEST(ServerNewPeer, PassiveReplyAnswersModeOneInModeTwoFromTheSnapshot) {
  Harness h;
  const std::vector<uint8_t> request = ModeOne(3, 5);
  const NewPeerVerdict v = h.Handle(request);
  ASSERT_EQ(v.action, Action::kReplyPassive);
  ASSERT_TRUE(v.reply);
  EXPECT_TRUE(v.reply->restamp);
  EXPECT_FALSE(v.reply->sign_key);
  ASSERT_EQ(v.reply->bytes.size(), kHeaderSize);  // never more than the request
  const auto d = Decode(v.reply->bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header.mode, Mode::kSymmetricPassive);
  EXPECT_EQ(d->header.version, 3);
  EXPECT_EQ(d->header.poll, 5);
  EXPECT_EQ(d->header.stratum, 3);
  EXPECT_EQ(d->header.refid, Synced().refid);
  EXPECT_EQ(d->header.origin_time, Decode(request)->header.transmit_time);
  EXPECT_EQ(d->header.receive_time, kRx);
}

}  // namespace
}  // namespace tempus::core::server

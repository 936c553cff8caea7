// A mode 1 packet from an address without an association (RFC 5905 §9.2, ntpd's AM_NEWPASS with
// `enable auth`): only a valid MAC by a trusted key mobilizes a passive association; without one
// the sender gets a mode 2 reply at most, or nothing under restrict; never state selection uses.
#include <vector>

#include <gtest/gtest.h>

#include "core/server/admission.h"
#include "core/wire/codec.h"

namespace tempus::core::server {

using system::SystemSnapshot;

namespace {

constexpr uint32_t F(Restrict f) { return static_cast<uint32_t>(f); }
using Action = PassiveAdmission::Action;
const NetAddress kPeer = *NetAddress::Parse("192.0.2.7:123");
constexpr PeerAuth kNoMac{AuthVerdict::kNone, 0};
constexpr PeerAuth kGoodMac{AuthVerdict::kOk, 42};

std::vector<uint8_t> ModeOne(uint8_t version = 4, int8_t poll = 6) {
  Header h;
  h.mode = Mode::kSymmetricActive;
  h.version = version;
  h.leap = Leap::kUnsynchronized;
  h.poll = poll;
  h.transmit_time = NtpTimestamp::FromRaw(0x1234567800000000ull);
  std::vector<uint8_t> bytes(kHeaderSize);
  EncodeHeader(h, bytes);
  return bytes;
}

PassiveAdmission Judge(uint32_t flags, PeerAuth auth, bool require_auth = true, size_t ephemeral = 0,
                       std::vector<uint8_t> packet = ModeOne()) {
  RateLimiter limiter;
  return AdmitPassive(packet, kPeer, AccessFlags{flags}, auth, require_auth, limiter, MonoTime(), ephemeral, 8);
}

struct Case {
  const char* name;
  uint32_t flags;
  PeerAuth auth;
  bool require_auth;
  Action want;
  DropReason reason;  // kDrop and kReplyPassive
};

TEST(AdmitPassive, AuthenticationDecidesMobilization) {
  const PeerAuth bad{AuthVerdict::kBad, 42};
  const PeerAuth nak{AuthVerdict::kCryptoNak, 0};
  const std::vector<Case> cases = {
      {"no MAC: a mode 2 reply, no association", 0, kNoMac, true, Action::kReplyPassive,
       DropReason::kUnauthenticatedPeer},
      {"valid MAC: mobilized", 0, kGoodMac, true, Action::kMobilize, {}},
      {"bad MAC: nothing", 0, bad, true, Action::kDrop, DropReason::kUnauthenticatedPeer},
      {"crypto-NAK: nothing", 0, nak, true, Action::kDrop, DropReason::kUnauthenticatedPeer},
      {"nopeer, no MAC: nothing", F(Restrict::kNoPeer), kNoMac, true, Action::kDrop, DropReason::kRestricted},
      {"nopeer, valid MAC: mobilized (ntpd)", F(Restrict::kNoPeer), kGoodMac, true, Action::kMobilize, {}},
      {"notrust, no MAC: nothing", F(Restrict::kNoTrust), kNoMac, true, Action::kDrop,
       DropReason::kNotAuthenticated},
      {"notrust, valid MAC: mobilized", F(Restrict::kNoTrust), kGoodMac, true, Action::kMobilize, {}},
      {"ignore, valid MAC: nothing", F(Restrict::kIgnore), kGoodMac, true, Action::kDrop, DropReason::kRestricted},
      {"noserve, no MAC: nothing", F(Restrict::kNoServe), kNoMac, true, Action::kDrop, DropReason::kRestricted},
      {"disable auth, no MAC: mobilized (unsafe)", 0, kNoMac, false, Action::kMobilize, {}},
      {"disable auth, nopeer: nothing", F(Restrict::kNoPeer), kNoMac, false, Action::kDrop, DropReason::kRestricted},
      {"disable auth, bad MAC: nothing", 0, bad, false, Action::kDrop, DropReason::kUnauthenticatedPeer},
  };
  for (const Case& c : cases) {
    const PassiveAdmission a = Judge(c.flags, c.auth, c.require_auth);
    EXPECT_EQ(a.action, c.want) << c.name;
    if (c.want != Action::kMobilize) {
      EXPECT_EQ(a.reason, c.reason) << c.name;
    }
  }
}

TEST(AdmitPassive, AuthenticatedPeerUsesItsKey) {
  const PassiveAdmission a = Judge(0, kGoodMac);
  ASSERT_EQ(a.action, Action::kMobilize);
  EXPECT_EQ(a.key_id, 42u);
  EXPECT_EQ(a.peer.mode, Mode::kSymmetricActive);  // the packet's header, decoded once
  EXPECT_EQ(a.peer.poll, 6);
  EXPECT_FALSE(Judge(0, kNoMac, false).key_id);  // disable auth: unkeyed
}

TEST(AdmitPassive, PeerLimitAppliesToAuthenticatedPeersToo) {
  EXPECT_EQ(Judge(0, kGoodMac, true, 8).reason, DropReason::kPeerLimit);
  EXPECT_EQ(Judge(0, kGoodMac, true, 7).action, Action::kMobilize);
}

TEST(AdmitPassive, OnlyAWellFormedModeOneCounts) {
  std::vector<uint8_t> mode2 = ModeOne();
  mode2[0] = static_cast<uint8_t>((mode2[0] & ~7) | 2);
  EXPECT_EQ(Judge(0, kGoodMac, true, 0, mode2).reason, DropReason::kSymmetricMode);
  EXPECT_EQ(Judge(0, kGoodMac, true, 0, std::vector<uint8_t>(20)).reason, DropReason::kTooShort);
  std::vector<uint8_t> no_xmt(kHeaderSize, 0);
  no_xmt[0] = (4 << 3) | 1;
  EXPECT_EQ(Judge(0, kNoMac, true, 0, no_xmt).reason, DropReason::kSymmetricMode);
  EXPECT_EQ(Judge(F(Restrict::kVersion), kGoodMac, true, 0, ModeOne(3)).reason, DropReason::kRestricted);
}

// `limited`: a flood of unauthenticated mode 1 packets from one source gets few mode 2 replies.
TEST(AdmitPassive, LimitedSourceGetsRateLimitedReplies) {
  RateLimiter limiter;
  int replies = 0, limited = 0;
  MonoTime t;
  const std::vector<uint8_t> packet = ModeOne();
  for (int i = 0; i < 100; ++i, t += NtpDuration::FromMillis(10)) {
    const PassiveAdmission a =
        AdmitPassive(packet, kPeer, AccessFlags{F(Restrict::kLimited)}, kNoMac, true, limiter, t, 0, 8);
    if (a.action == Action::kReplyPassive) ++replies;
    if (a.action == Action::kDrop && a.reason == DropReason::kRateLimited) ++limited;
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(limited, 99);
}

TEST(BuildPassiveReply, AnswersModeOneInModeTwoFromTheSnapshot) {
  SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = 3;
  s.refid = RefId::FromRaw(0x0a000001);
  s.reference_time = NtpTimestamp::FromRaw(0x1234000000000000ull);
  const std::vector<uint8_t> request = ModeOne(3, 5);
  std::vector<uint8_t> reply(kHeaderSize + 20);
  const NtpTimestamp rx = NtpTimestamp::FromRaw(0x1234567900000000ull);
  auto size = BuildPassiveReply(request, rx, s, reply);
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, kHeaderSize);  // never more than the request
  auto h = Decode(std::span(reply).first(*size));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->header.mode, Mode::kSymmetricPassive);
  EXPECT_EQ(h->header.version, 3);
  EXPECT_EQ(h->header.poll, 5);
  EXPECT_EQ(h->header.stratum, 3);
  EXPECT_EQ(h->header.refid, s.refid);
  EXPECT_EQ(h->header.origin_time, NtpTimestamp::FromRaw(0x1234567800000000ull));
  EXPECT_EQ(h->header.receive_time, rx);
  std::vector<uint8_t> client = ModeOne();
  client[0] = static_cast<uint8_t>((client[0] & ~7) | 3);
  EXPECT_EQ(BuildPassiveReply(client, rx, s, reply).error(), DropReason::kSymmetricMode);
}

}  // namespace
}  // namespace tempus::core::server

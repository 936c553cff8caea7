// core::server::Server::Handle with plain values (no engine, no clock): each drop reason, the
// time reply the host restamps, KoD, crypto-NAK, a MAC'd reply's sign_key, notrust, and where a
// digest is (not) computed.
#include "core/server/server.h"

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/server/fake_authenticator.h"
#include "core/wire/codec.h"

namespace tempus::core::server {
namespace {

using system::SystemSnapshot;

constexpr uint32_t F(Restrict f) { return static_cast<uint32_t>(f); }
const NetAddress kClient = *NetAddress::Parse("192.0.2.7:40000");
const NtpTimestamp kRx = NtpTimestamp::FromParts(0xeeb62e10, 0x80000000);

SystemSnapshot Synced() {
  SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = 3;
  s.refid = RefId::FromRaw(0x0a000001);
  s.reference_time = NtpTimestamp::FromParts(0xeeb62e00, 0);
  return s;
}

AccessPolicy Restricted(uint32_t flags) {
  AccessPolicy p;
  p.restricts = {RestrictRule::Default(NetAddress::Family::kIPv4, flags)};
  return p;
}

struct Harness {
  explicit Harness(const AccessPolicy& access = {}) : server(access, 7), auth({1, 2}) { server.Publish(Synced()); }
  ServerAction Handle(std::span<const uint8_t> request, MonoTime now = MonoTime()) {
    return server.Handle(request, kClient, kRx, now, auth, reply);
  }
  Server server;
  FakeAuthenticator auth;
  std::array<uint8_t, kReplyCapacity> reply{};
};

// The reason of an Ignore, or a failure when the server answered.
DropReason ReasonOf(const ServerAction& a) {
  const auto* ignore = std::get_if<Ignore>(&a);
  EXPECT_NE(ignore, nullptr);
  return ignore != nullptr ? ignore->reason : DropReason::kReplyBufferTooSmall;
}

std::vector<uint8_t> WithFirstByte(std::vector<uint8_t> p, uint8_t lvm) {
  p[0] = lvm;
  return p;
}

TEST(ServerHandle, AnswersAClientRequestForTheHostToRestamp) {
  Harness h;
  const auto request = RequestPacket();
  const ServerAction a = h.Handle(request);
  const auto* r = std::get_if<Respond>(&a);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->restamp);
  EXPECT_FALSE(r->sign_key);
  ASSERT_EQ(r->bytes.size(), kHeaderSize);
  EXPECT_EQ(r->bytes.data(), h.reply.data());  // in the caller's buffer
  const auto d = Decode(r->bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header.mode, Mode::kServer);
  EXPECT_EQ(d->header.stratum, 3);
  EXPECT_EQ(d->header.origin_time, Decode(request)->header.transmit_time);
  EXPECT_EQ(d->header.receive_time, kRx);
  EXPECT_EQ(d->header.transmit_time, kRx);  // until the host restamps it
  EXPECT_EQ(h.server.stats().received, 1u);
  EXPECT_EQ(h.server.stats().replied, 1u);
  EXPECT_EQ(h.server.stats().TotalDropped(), 0u);
  EXPECT_EQ(h.auth.calls(), 0);  // no MAC, no digest
}

TEST(ServerHandle, EachMalformedOrUnansweredDatagramIsATypedDrop) {
  std::vector<uint8_t> bad_extension = RequestPacket();
  bad_extension.resize(kHeaderSize + 16, 0);  // an extension field of length 0
  std::vector<uint8_t> bad_trailer = RequestPacket();
  bad_trailer.resize(kHeaderSize + 5, 0);
  const struct {
    const char* name;
    std::vector<uint8_t> packet;
    DropReason reason;
  } cases[] = {
      {"empty", {}, DropReason::kTooShort},
      {"ten bytes", std::vector<uint8_t>(10, 0x23), DropReason::kTooShort},
      {"version 0", WithFirstByte(RequestPacket(), 0x03), DropReason::kBadVersion},
      {"version 5", WithFirstByte(RequestPacket(), 0x2b), DropReason::kBadVersion},
      {"extension length 0", bad_extension, DropReason::kBadExtensionLength},
      {"5 trailing bytes", bad_trailer, DropReason::kBadTrailer},
      {"mode 4", RequestPacket(Mode::kServer), DropReason::kServerMode},
      {"mode 5", RequestPacket(Mode::kBroadcast), DropReason::kBroadcastMode},
      {"mode 1", RequestPacket(Mode::kSymmetricActive), DropReason::kSymmetricMode},
      {"mode 2", RequestPacket(Mode::kSymmetricPassive), DropReason::kSymmetricMode},
      {"mode 6", RequestPacket(Mode::kControl), DropReason::kControlMode},
      {"mode 7", RequestPacket(Mode::kPrivate), DropReason::kPrivateMode},
      {"mode 7, short", std::vector<uint8_t>{0x17, 0, 3, 42}, DropReason::kTooShort},
      {"mode 0 in NTPv4", RequestPacket(Mode::kReserved), DropReason::kReservedMode},
  };
  Harness h;
  for (const auto& c : cases) EXPECT_EQ(ReasonOf(h.Handle(c.packet)), c.reason) << c.name;
  for (const auto& c : cases) EXPECT_GE(h.server.stats().Dropped(c.reason), 1u) << c.name;
  EXPECT_EQ(h.server.stats().received, std::size(cases));
  EXPECT_EQ(h.server.stats().TotalDropped(), std::size(cases));
  EXPECT_EQ(h.server.stats().replied, 0u);
  // NTPv1 had no mode field: mode 0 is a client request there.
  EXPECT_TRUE(std::holds_alternative<Respond>(h.Handle(RequestPacket(Mode::kReserved, 1))));
}

TEST(ServerHandle, ASmallReplyBufferIsADrop) {
  Harness h;
  std::array<uint8_t, kHeaderSize> small{};  // no room for a MAC
  const auto a = h.server.Handle(RequestPacket(), kClient, kRx, MonoTime(), h.auth, small);
  EXPECT_EQ(ReasonOf(a), DropReason::kReplyBufferTooSmall);
}

TEST(ServerHandle, RestrictRefusesBeforeAnythingIsDecoded) {
  const struct {
    const char* name;
    uint32_t flags;
    std::vector<uint8_t> packet;
    DropReason reason;
  } cases[] = {
      {"ignore, even a short one", F(Restrict::kIgnore), std::vector<uint8_t>(3, 0x23), DropReason::kRestricted},
      {"ignore, mode 6", F(Restrict::kIgnore), RequestPacket(Mode::kControl, 2), DropReason::kRestricted},
      {"noserve, client", F(Restrict::kNoServe), RequestPacket(), DropReason::kRestricted},
      {"noserve, NTPv1", F(Restrict::kNoServe), RequestPacket(Mode::kReserved, 1), DropReason::kRestricted},
      {"noserve leaves mode 6 to control", F(Restrict::kNoServe), RequestPacket(Mode::kControl, 2),
       DropReason::kControlMode},
      {"nopeer, mode 1", F(Restrict::kNoPeer), RequestPacket(Mode::kSymmetricActive), DropReason::kRestricted},
      {"nopeer, mode 2", F(Restrict::kNoPeer), RequestPacket(Mode::kSymmetricPassive), DropReason::kRestricted},
      {"version, NTPv3", F(Restrict::kVersion), RequestPacket(Mode::kClient, 3), DropReason::kRestricted},
      {"notrust, no MAC", F(Restrict::kNoTrust), RequestPacket(), DropReason::kNotAuthenticated},
  };
  for (const auto& c : cases) {
    Harness h(Restricted(c.flags));
    EXPECT_EQ(ReasonOf(h.Handle(c.packet)), c.reason) << c.name;
    EXPECT_EQ(h.server.stats().Dropped(c.reason), 1u) << c.name;
  }
  // Flags that do not stop time service.
  for (Restrict f : {Restrict::kNoQuery, Restrict::kNoModify, Restrict::kNoTrap, Restrict::kNoPeer, Restrict::kKod,
                     Restrict::kLimited, Restrict::kVersion}) {
    Harness h(Restricted(F(f)));
    EXPECT_TRUE(std::holds_alternative<Respond>(h.Handle(RequestPacket()))) << RestrictName(f);
  }
  // A source without an address matches no rule.
  Harness h(Restricted(F(Restrict::kIgnore)));
  EXPECT_TRUE(std::holds_alternative<Respond>(
      h.server.Handle(RequestPacket(), NetAddress(), kRx, MonoTime(), h.auth, h.reply)));
}

TEST(ServerHandle, RestrictDecidesPerSource) {
  AccessPolicy access;
  access.restricts = {RestrictRule::Default(NetAddress::Family::kIPv4, F(Restrict::kIgnore)),
                      RestrictRule::Network(*NetAddress::Parse("127.0.0.1"), 32, F(Restrict::kNoQuery)),
                      RestrictRule::Network(*NetAddress::Parse("10.0.0.0"), 8, F(Restrict::kNoServe))};
  Server server(access);
  FakeAuthenticator auth;
  std::array<uint8_t, kReplyCapacity> reply{};
  const auto request = RequestPacket();
  const auto from = [&](const char* a) {
    return server.Handle(request, *NetAddress::Parse(a), kRx, MonoTime(), auth, reply);
  };
  EXPECT_TRUE(std::holds_alternative<Respond>(from("127.0.0.1:5000")));  // noquery still serves time
  EXPECT_EQ(ReasonOf(from("192.0.2.1:5000")), DropReason::kRestricted);
  EXPECT_EQ(ReasonOf(from("10.1.1.1:5000")), DropReason::kRestricted);
  EXPECT_TRUE(std::holds_alternative<Respond>(from("[::1]:5000")));  // no IPv6 rule
  EXPECT_EQ(server.stats().Dropped(DropReason::kRestricted), 2u);
  EXPECT_EQ(server.stats().replied, 2u);
  EXPECT_FALSE(server.restricts().AllowQuery(*NetAddress::Parse("127.0.0.1")));  // for the control server
  EXPECT_TRUE(server.restricts().AllowQuery(*NetAddress::Parse("10.1.1.1")));
}

// A flood from one source: with `limited` it is dropped; with `limited kod` one RATE KoD goes out,
// then none until 2^average s have passed.
TEST(ServerHandle, LimitedFloodIsDroppedAndKodIsThrottled) {
  for (const bool kod : {false, true}) {
    Harness h(Restricted(F(Restrict::kLimited) | (kod ? F(Restrict::kKod) : 0)));
    const auto request = RequestPacket();
    int served = 0, kods = 0;
    MonoTime t;
    for (int i = 0; i < 1000; ++i, t += NtpDuration::FromMillis(1)) {  // 1000 packets in 1 s
      const ServerAction a = h.Handle(request, t);
      const auto* r = std::get_if<Respond>(&a);
      if (r == nullptr) continue;
      const auto d = Decode(r->bytes);
      ASSERT_TRUE(d);
      if (!d->header.IsKissOfDeath()) {
        ++served;
        continue;
      }
      ++kods;
      EXPECT_FALSE(r->restamp);  // no time of ours in it
      EXPECT_EQ(KissCodeOf(d->header.refid), KissCode::kRate);
      EXPECT_EQ(d->header.leap, Leap::kUnsynchronized);
      EXPECT_EQ(d->header.transmit_time, Decode(request)->header.transmit_time);
      EXPECT_LE(r->bytes.size(), request.size());
    }
    EXPECT_EQ(served, 1) << kod;
    EXPECT_EQ(kods, kod ? 1 : 0);
    EXPECT_EQ(h.server.stats().Dropped(DropReason::kKodSent), kod ? 1u : 0u);
    EXPECT_EQ(h.server.stats().Dropped(DropReason::kRateLimited), 999u - kods);
    EXPECT_EQ(h.server.stats().replied, 1u);
    EXPECT_EQ(h.server.rate_limiter().tracked(), 1u);
  }
}

TEST(ServerHandle, OnlyWellFormedTimeRequestsSpendTheRateLimit) {
  Harness h(Restricted(F(Restrict::kLimited)));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(ReasonOf(h.Handle(RequestPacket(Mode::kServer))), DropReason::kServerMode);
  EXPECT_EQ(h.server.rate_limiter().tracked(), 0u);
  EXPECT_TRUE(std::holds_alternative<Respond>(h.Handle(RequestPacket())));
}

TEST(ServerHandle, ValidMacGetsAReplyToSignWithTheSameKey) {
  Harness h;
  const auto request = FakeAuthenticator::Signed(RequestPacket(), 2);
  const ServerAction a = h.Handle(request);
  const auto* r = std::get_if<Respond>(&a);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->restamp);
  ASSERT_TRUE(r->sign_key);
  EXPECT_EQ(*r->sign_key, 2u);
  EXPECT_EQ(r->bytes.size(), kHeaderSize);  // the host appends the MAC after restamping
  EXPECT_EQ(r->bytes.size() + 4 + FakeAuthenticator::kDigestSize, request.size());
  EXPECT_EQ(h.server.stats().replied, 1u);
  EXPECT_EQ(h.auth.calls(), 1);
}

TEST(ServerHandle, FailedMacOrCryptoNakGetsACryptoNak) {
  auto tampered = FakeAuthenticator::Signed(RequestPacket(), 1);
  tampered.back() ^= 0x80;
  auto payload_changed = FakeAuthenticator::Signed(RequestPacket(), 1);
  payload_changed[40] ^= 1;  // the transmit time, covered by the digest
  std::vector<uint8_t> keyed_nak = FakeAuthenticator::WithCryptoNak(RequestPacket());
  keyed_nak.back() = 5;  // a 4-byte MAC with a key id other than 0
  const struct {
    const char* name;
    std::vector<uint8_t> packet;
  } cases[] = {
      {"wrong digest", tampered},
      {"changed payload", payload_changed},
      {"untrusted key", FakeAuthenticator::Signed(RequestPacket(), 9)},
      {"key id without digest", keyed_nak},
      {"crypto-NAK", FakeAuthenticator::WithCryptoNak(RequestPacket())},
  };
  Harness h;
  for (const auto& c : cases) {
    const ServerAction a = h.Handle(c.packet);
    const auto* r = std::get_if<Respond>(&a);
    ASSERT_NE(r, nullptr) << c.name;
    EXPECT_TRUE(r->restamp) << c.name;
    EXPECT_FALSE(r->sign_key) << c.name;
    ASSERT_EQ(r->bytes.size(), kHeaderSize + 4) << c.name;  // RFC 5905 A.5.1: key id 0, no digest
    EXPECT_LE(r->bytes.size(), c.packet.size()) << c.name;
    const auto d = Decode(r->bytes);
    ASSERT_TRUE(d && d->mac) << c.name;
    EXPECT_EQ(d->mac->key_id, 0u) << c.name;
    EXPECT_TRUE(d->mac->digest.empty()) << c.name;
    EXPECT_EQ(d->header.mode, Mode::kServer) << c.name;
  }
  EXPECT_EQ(h.server.stats().Dropped(DropReason::kCryptoNakSent), std::size(cases));
  EXPECT_EQ(h.server.stats().replied, 0u);
  // Only the three with a digest needed the authenticator.
  EXPECT_EQ(h.auth.calls(), 3);
}

TEST(ServerHandle, NotrustServesOnlyAValidMacAndNeverNaks) {
  Harness h(Restricted(F(Restrict::kNoTrust)));
  auto bad = FakeAuthenticator::Signed(RequestPacket(), 1);
  bad.back() ^= 1;
  EXPECT_EQ(ReasonOf(h.Handle(RequestPacket())), DropReason::kNotAuthenticated);
  EXPECT_EQ(ReasonOf(h.Handle(bad)), DropReason::kNotAuthenticated);  // no crypto-NAK, no time
  EXPECT_EQ(ReasonOf(h.Handle(FakeAuthenticator::WithCryptoNak(RequestPacket()))), DropReason::kNotAuthenticated);
  const ServerAction good = h.Handle(FakeAuthenticator::Signed(RequestPacket(), 1));
  const auto* r = std::get_if<Respond>(&good);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->sign_key, std::optional<uint32_t>(1));
  EXPECT_EQ(h.server.stats().Dropped(DropReason::kNotAuthenticated), 3u);
  EXPECT_EQ(h.server.stats().replied, 1u);
  EXPECT_EQ(h.auth.calls(), 2);  // each digest once, though notrust and the reply both ask
}

TEST(ServerHandle, DroppedRequestsCostNoDigest) {
  const auto signed_request = FakeAuthenticator::Signed(RequestPacket(), 1);
  {
    Harness h(Restricted(F(Restrict::kNoServe)));
    for (int i = 0; i < 10; ++i) EXPECT_EQ(ReasonOf(h.Handle(signed_request)), DropReason::kRestricted);
    EXPECT_EQ(h.auth.calls(), 0);
  }
  {
    Harness h(Restricted(F(Restrict::kLimited)));
    for (int i = 0; i < 10; ++i) (void)h.Handle(signed_request);
    EXPECT_EQ(h.server.stats().Dropped(DropReason::kRateLimited), 9u);
    EXPECT_EQ(h.auth.calls(), 1);  // the one served
  }
  {
    Harness h;
    EXPECT_EQ(ReasonOf(h.Handle(FakeAuthenticator::Signed(RequestPacket(Mode::kServer), 1))), DropReason::kServerMode);
    EXPECT_EQ(h.auth.calls(), 0);
  }
}

TEST(ServerHandle, RepliesFromTheLatestPublishedSnapshot) {
  Harness h;
  SystemSnapshot s = Synced();
  s.stratum = 5;
  h.server.Publish(s);
  const ServerAction a = h.Handle(RequestPacket());
  ASSERT_TRUE(std::holds_alternative<Respond>(a));
  EXPECT_EQ(Decode(std::get<Respond>(a).bytes)->header.stratum, 5);
  h.server.Publish(SystemSnapshot{});  // unsynchronized: stratum 0 on the wire, leap 3
  const ServerAction b = h.Handle(RequestPacket());
  ASSERT_TRUE(std::holds_alternative<Respond>(b));
  EXPECT_EQ(Decode(std::get<Respond>(b).bytes)->header.stratum, 0);
  EXPECT_EQ(Decode(std::get<Respond>(b).bytes)->header.leap, Leap::kUnsynchronized);
}

TEST(ServerHandle, SetAccessKeepsTheRateTableUnlessItsLimitsChange) {
  Harness h(Restricted(F(Restrict::kLimited)));
  (void)h.Handle(RequestPacket());
  EXPECT_EQ(h.server.rate_limiter().tracked(), 1u);
  h.server.SetAccess(Restricted(F(Restrict::kLimited) | F(Restrict::kKod)), 7);
  EXPECT_EQ(h.server.rate_limiter().tracked(), 1u);
  (void)h.Handle(RequestPacket());  // within the minimum interval: now a KoD
  EXPECT_EQ(h.server.stats().Dropped(DropReason::kKodSent), 1u);
  h.server.SetAccess(Restricted(F(Restrict::kLimited)), 8);  // a new key: a new table
  EXPECT_EQ(h.server.rate_limiter().tracked(), 0u);
}

// HandleTimeRequest (the batch path's entry for a plain 48-byte time request) answers and counts
// as Handle: plain, restricted, limited with KoD, every time-request first byte, a flood.
TEST(ServerHandle, HandleTimeRequestAnswersAndCountsAsHandle) {
  const uint32_t kLimitedKod = F(Restrict::kLimited) | F(Restrict::kKod);
  for (const uint32_t flags :
       {0u, kLimitedKod, F(Restrict::kNoServe), F(Restrict::kIgnore), F(Restrict::kNoTrust), F(Restrict::kVersion)}) {
    Harness general(Restricted(flags));
    Harness lean(Restricted(flags));
    MonoTime t;
    for (int first = 0; first < 256; ++first) {
      if (!IsTimeRequestByte(static_cast<uint8_t>(first))) continue;
      const auto request = WithFirstByte(RequestPacket(), static_cast<uint8_t>(first));
      for (int i = 0; i < 20; ++i, t += NtpDuration::FromMillis(300)) {
        const ServerAction a = general.Handle(request, t);
        const ServerAction b = lean.server.HandleTimeRequest(request, kClient, kRx, t, lean.reply);
        ASSERT_EQ(a.index(), b.index()) << flags << " " << first << " " << i;
        if (const auto* ra = std::get_if<Respond>(&a)) {
          const auto* rb = std::get_if<Respond>(&b);
          EXPECT_EQ(std::vector<uint8_t>(ra->bytes.begin(), ra->bytes.end()),
                    std::vector<uint8_t>(rb->bytes.begin(), rb->bytes.end()));
          EXPECT_EQ(ra->restamp, rb->restamp);
          EXPECT_EQ(ra->sign_key, rb->sign_key);
        } else {
          EXPECT_EQ(std::get<Ignore>(a).reason, std::get<Ignore>(b).reason);
        }
      }
    }
    EXPECT_EQ(general.server.stats().received, lean.server.stats().received);
    EXPECT_EQ(general.server.stats().replied, lean.server.stats().replied);
    EXPECT_EQ(general.server.stats().dropped, lean.server.stats().dropped);
    EXPECT_EQ(general.server.rate_limiter().tracked(), lean.server.rate_limiter().tracked());
  }
}

}  // namespace
}  // namespace tempus::core::server

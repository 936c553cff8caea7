// core::server::Server on NTS requests (RFC 8915 §5), with the real field codecs and a fake AEAD
// and cookie codec (fake_nts.h): the reply echoes the Unique Identifier and carries one fresh
// cookie per cookie and placeholder under an Authenticator sealed with S2C, never larger than
// the request; a cookie that does not open gets an NTS NAK; a tampered or malformed request is
// dropped and counted; a plain request stays plain; and without NTS no plain time for NTS.
#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/server/fake_authenticator.h"
#include "core/server/fake_nts.h"
#include "core/server/server.h"

namespace tempus::core::server {
namespace {

using nts::FakeAead;
using nts::FakeCookies;

const NetAddress kClient = *NetAddress::Parse("192.0.2.9:40000");
const NtpTimestamp kRx = NtpTimestamp::FromParts(0xeeb62e10, 0x80000000);

system::SystemSnapshot Synced() {
  system::SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = 2;
  s.refid = RefId::FromRaw(0x0a000001);
  s.reference_time = NtpTimestamp::FromParts(0xeeb62e00, 0);
  return s;
}

struct NtsHarness {
  explicit NtsHarness(bool nts = true) : random(5), auth({1}) {
    server.Publish(Synced());
    if (nts) server.SetNts(NtsServerContext{&cookies, &aead, &random});
    cookie.resize(FakeCookies::kSize);
    FakeCookies::Make(7, keys, cookie);
  }
  ServerAction Handle(std::span<const uint8_t> request) {
    return server.Handle(request, kClient, kRx, MonoTime(), auth, reply);
  }
  std::vector<uint8_t> Request(size_t placeholders) { return nts::NtsRequest(aead, keys.c2s, cookie, placeholders); }
  uint64_t Dropped(DropReason r) const { return server.stats().Dropped(r); }

  SeededRandom random;
  FakeAuthenticator auth;
  FakeAead aead;
  FakeCookies cookies{7};
  nts::SessionKeys keys = nts::TestKeys();
  std::vector<uint8_t> cookie;
  Server server;
  std::array<uint8_t, kNtsReplyCapacity> reply{};
};

TEST(NtsServer, AnswersWithTheUniqueIdAndOneFreshCookiePerCookieAndPlaceholder) {
  for (size_t placeholders : {0u, 1u, 3u, 7u}) {
    NtsHarness h;
    const std::vector<uint8_t> request = h.Request(placeholders);
    ASSERT_FALSE(request.empty());
    const ServerAction action = h.Handle(request);
    const auto* respond = std::get_if<Respond>(&action);
    ASSERT_NE(respond, nullptr) << placeholders;
    EXPECT_FALSE(respond->restamp);                    // the transmit timestamp is sealed
    EXPECT_LE(respond->bytes.size(), request.size());  // §5.7: no amplification
    const auto reply = Decode(respond->bytes);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->header.mode, Mode::kServer);
    EXPECT_EQ(reply->header.stratum, 2);
    EXPECT_EQ(reply->header.origin_time, NtpTimestamp::FromParts(0xeeb62e10, 0x1234));
    EXPECT_EQ(reply->header.transmit_time, kRx);
    const auto fields = nts::ParseNtsFields(respond->bytes, *reply);
    ASSERT_TRUE(fields);
    const auto req_fields = nts::ParseNtsFields(request, *Decode(request));
    ASSERT_TRUE(req_fields);
    EXPECT_TRUE(std::equal(fields->unique_id.begin(), fields->unique_id.end(), req_fields->unique_id.begin(),
                           req_fields->unique_id.end()));
    EXPECT_TRUE(fields->cookie.empty());  // cookies only inside the authenticator
    ASSERT_TRUE(fields->authenticator);
    const nts::Authenticator& a = *fields->authenticator;
    std::vector<uint8_t> plain(a.ciphertext.size());
    ASSERT_TRUE(h.aead.Open(h.keys.s2c, a.associated_data, a.nonce, a.ciphertext, plain));
    EXPECT_FALSE(h.aead.Open(h.keys.c2s, a.associated_data, a.nonce, a.ciphertext, plain));
    std::array<std::span<const uint8_t>, 8> cookies;
    const auto n = nts::EncryptedCookies(std::span(plain).first(a.ciphertext.size() - nts::kAeadTagSize), cookies);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1 + placeholders);
    for (size_t i = 0; i < *n; ++i) {
      const auto keys = h.cookies.Open(cookies[i]);
      ASSERT_TRUE(keys);
      EXPECT_EQ(keys->c2s, h.keys.c2s);
      EXPECT_EQ(keys->s2c, h.keys.s2c);
    }
    EXPECT_EQ(h.server.stats().nts_answered, 1u);
    EXPECT_EQ(h.server.stats().replied, 1u);
  }
}

TEST(NtsServer, Section57CookieThatDoesNotOpenGetsAnNtsNak) {
  NtsHarness h;
  std::vector<uint8_t> cookie(FakeCookies::kSize);
  FakeCookies::Make(99, h.keys, cookie);  // a key the server does not have (expired, another server's)
  const std::vector<uint8_t> request = nts::NtsRequest(h.aead, h.keys.c2s, cookie, 2);
  const ServerAction action = h.Handle(request);
  const auto* respond = std::get_if<Respond>(&action);
  ASSERT_NE(respond, nullptr);
  EXPECT_FALSE(respond->restamp);
  const auto nak = Decode(respond->bytes);
  ASSERT_TRUE(nak);
  EXPECT_EQ(nak->header.stratum, 0);
  EXPECT_EQ(KissCodeOf(nak->header.refid), KissCode::kNtsNak);
  const auto fields = nts::ParseNtsFields(respond->bytes, *nak);
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->unique_id.size(), 32u);
  EXPECT_TRUE(fields->cookie.empty());
  EXPECT_FALSE(fields->authenticator);
  EXPECT_EQ(h.Dropped(DropReason::kNtsNakSent), 1u);
  EXPECT_EQ(h.server.stats().replied, 0u);
  EXPECT_EQ(h.cookies.sealed, 0u);
}

TEST(NtsServer, TamperedRequestIsDroppedAndCounted) {
  NtsHarness h;
  const std::vector<uint8_t> good = h.Request(1);
  // Every octet the authenticator covers but the cookie's (a tampered cookie does not open: NAK):
  // header, unique identifier, placeholder, authenticator's nonce and tag.
  const size_t cookie_start = kHeaderSize + 36 + 4;
  size_t tampered = 0;
  for (size_t at = 2; at < good.size(); at += 5) {
    if (at >= cookie_start && at < cookie_start + FakeCookies::kSize) continue;
    if (at >= kHeaderSize && at < kHeaderSize + 4) continue;  // the field type: another field
    std::vector<uint8_t> bad = good;
    bad[at] ^= 0x01;
    const ServerAction action = h.Handle(bad);
    ASSERT_TRUE(std::holds_alternative<Ignore>(action)) << "octet " << at;
    ++tampered;
  }
  EXPECT_EQ(h.Dropped(DropReason::kNtsBadAuth) + h.Dropped(DropReason::kNtsMalformed) +
                h.Dropped(DropReason::kBadExtensionLength),
            tampered);
  EXPECT_GT(h.Dropped(DropReason::kNtsBadAuth), tampered / 2);
  EXPECT_EQ(h.server.stats().replied, 0u);
  // The untouched request is still answered.
  EXPECT_TRUE(std::holds_alternative<Respond>(h.Handle(good)));
}

// RFC 8915 keeps the server stateless: a replayed request (the same packet again) is answered
// again, as chrony and NTPsec do (the client drops the second reply by its Unique Identifier),
// and counted; a tampered copy of it is not.
TEST(NtsServer, ReplayedRequestIsAnsweredAndCounted) {
  NtsHarness h;
  const std::vector<uint8_t> request = h.Request(0);
  ASSERT_TRUE(std::holds_alternative<Respond>(h.Handle(request)));
  EXPECT_EQ(h.server.stats().nts_replayed, 0u);
  ASSERT_TRUE(std::holds_alternative<Respond>(h.Handle(request)));
  ASSERT_TRUE(std::holds_alternative<Respond>(h.Handle(request)));
  EXPECT_EQ(h.server.stats().nts_answered, 3u);
  EXPECT_EQ(h.server.stats().nts_replayed, 2u);
  std::vector<uint8_t> tampered = request;
  tampered[45] ^= 0x80;  // the transmit timestamp: covered by the authenticator
  EXPECT_TRUE(std::holds_alternative<Ignore>(h.Handle(tampered)));
  EXPECT_EQ(h.server.stats().nts_replayed, 2u);
  // Another cookie (the next request of a client) is no replay.
  nts::SessionKeys keys = h.keys;
  keys.c2s[0] ^= 0x01;
  std::vector<uint8_t> cookie(FakeCookies::kSize);
  FakeCookies::Make(7, keys, cookie);
  ASSERT_TRUE(std::holds_alternative<Respond>(h.Handle(nts::NtsRequest(h.aead, keys.c2s, cookie, 0))));
  EXPECT_EQ(h.server.stats().nts_answered, 4u);
  EXPECT_EQ(h.server.stats().nts_replayed, 2u);
}

TEST(NtsServer, RequestWithoutAuthenticatorOrCookieIsMalformed) {
  NtsHarness h;
  std::vector<uint8_t> packet(256);
  Header hdr;
  hdr.mode = Mode::kClient;
  EncodeHeader(hdr, packet);
  nts::NtsFieldWriter w(packet, kHeaderSize);
  std::array<uint8_t, 32> uid{};
  w.Field(nts::kFieldUniqueId, uid);
  w.Field(nts::kFieldCookie, h.cookie);  // no authenticator
  packet.resize(w.size());
  const ServerAction action = h.Handle(packet);
  ASSERT_TRUE(std::holds_alternative<Ignore>(action));
  EXPECT_EQ(std::get<Ignore>(action).reason, DropReason::kNtsMalformed);
  EXPECT_EQ(h.Dropped(DropReason::kNtsMalformed), 1u);
}

TEST(NtsServer, PlainRequestStaysPlain) {
  NtsHarness h;
  std::vector<uint8_t> plain(kHeaderSize);
  Header hdr;
  hdr.mode = Mode::kClient;
  EncodeHeader(hdr, plain);
  const ServerAction action = h.Handle(plain);
  const auto* respond = std::get_if<Respond>(&action);
  ASSERT_NE(respond, nullptr);
  EXPECT_EQ(respond->bytes.size(), kHeaderSize);
  EXPECT_TRUE(respond->restamp);
  EXPECT_EQ(h.server.stats().nts_answered, 0u);
}

TEST(NtsServer, WithoutNtsAnNtsRequestGetsNoPlainTime) {
  NtsHarness h(/*nts=*/false);
  const ServerAction action = h.Handle(h.Request(0));
  ASSERT_TRUE(std::holds_alternative<Ignore>(action));
  EXPECT_EQ(std::get<Ignore>(action).reason, DropReason::kNtsDisabled);
  EXPECT_EQ(h.server.stats().replied, 0u);
}

TEST(NtsServer, FewerCookiesRatherThanALargerReplyThanTheBufferHolds) {
  NtsHarness h;
  const std::vector<uint8_t> request = h.Request(3);
  // Room for the header, the unique identifier, the authenticator and two cookies.
  const size_t room =
      kHeaderSize + nts::FieldSize(32) + nts::FieldSize(4 + 16 + 16) + 2 * nts::FieldSize(FakeCookies::kSize);
  const ServerAction action =
      h.server.Handle(request, kClient, kRx, MonoTime(), h.auth, std::span(h.reply).first(room + 3));
  const auto* respond = std::get_if<Respond>(&action);
  ASSERT_NE(respond, nullptr);
  EXPECT_EQ(respond->bytes.size(), room);
  EXPECT_EQ(h.cookies.sealed, 2u);
}

}  // namespace
}  // namespace tempus::core::server

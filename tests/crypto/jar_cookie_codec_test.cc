// crypto::JarCookieCodec and crypto::AesSivAead behind core::server::Server's NTS path (RFC 8915
// §5): a request sealed with AES-SIV under C2S and a cookie of the jar is answered with cookies
// that open in the jar and an authenticator that opens with S2C; the jar the codec reads is the
// one its owner holds now (a rotation reaches the NTP port; a cookie of a dropped key is NAKed).
#include "crypto/jar_cookie_codec.h"

#include <array>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "core/server/fake_authenticator.h"
#include "core/server/fake_nts.h"
#include "core/server/server.h"
#include "crypto/aes_siv_aead.h"

namespace tempus::crypto {
namespace {

using core::server::DropReason;

ServerKey Key(uint32_t id, uint8_t fill) {
  ServerKey k{id, {}};
  k.key.fill(fill);
  return k;
}

TEST(JarCookieCodec, OpensWhatTheJarSealsAndFollowsTheJarItsOwnerHolds) {
  std::optional<CookieJar> jar;
  const JarCookieCodec codec(jar);
  SeededRandom random(3);
  const core::nts::SessionKeys keys = core::nts::TestKeys();
  std::array<uint8_t, kCookieSize> cookie{};
  EXPECT_FALSE(codec.Open(cookie));  // no keys yet: nothing opens
  jar.emplace(Key(1, 0x11));
  codec.Seal(keys, random, cookie);
  auto opened = codec.Open(cookie);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->c2s, keys.c2s);
  EXPECT_EQ(opened->s2c, keys.s2c);
  jar.emplace(Key(2, 0x22), Key(1, 0x11));  // rotated: the previous key still opens
  EXPECT_TRUE(codec.Open(cookie));
  jar.emplace(Key(3, 0x33), Key(2, 0x22));  // rotated twice: key 1 is gone
  EXPECT_FALSE(codec.Open(cookie));
  cookie[0] = 0;
  EXPECT_FALSE(codec.Open(std::span(cookie).first(kCookieSize - 1)));
}

// The counts behind ntpq's ntsinfo: cookies sealed, opened by the current or the previous key,
// of an unknown key, and of a known key that do not open.
TEST(JarCookieCodec, CountsWhatItSealsAndOpensByKey) {
  std::optional<CookieJar> jar;
  const JarCookieCodec codec(jar);
  SeededRandom random(4);
  const core::nts::SessionKeys keys = core::nts::TestKeys();
  std::array<uint8_t, kCookieSize> cookie{};
  EXPECT_FALSE(codec.Open(cookie));  // no jar: an unknown key
  jar.emplace(Key(1, 0x11));
  codec.Seal(keys, random, cookie);
  EXPECT_TRUE(codec.Open(cookie));
  jar.emplace(Key(2, 0x22), Key(1, 0x11));
  EXPECT_TRUE(codec.Open(cookie));  // the previous key
  std::array<uint8_t, kCookieSize> fresh{};
  codec.Seal(keys, random, fresh);
  EXPECT_TRUE(codec.Open(fresh));  // the current key
  fresh.back() ^= 1;
  EXPECT_FALSE(codec.Open(fresh));                                    // tampered: bad
  EXPECT_FALSE(codec.Open(std::span(fresh).first(kCookieSize - 1)));  // bad size: bad
  jar.emplace(Key(3, 0x33), Key(2, 0x22));
  EXPECT_FALSE(codec.Open(cookie));  // key 1 gone: unknown
  const JarCookieCodec::Counts& c = codec.counts();
  EXPECT_EQ(c.sealed, 2u);
  EXPECT_EQ(c.opened_current, 2u);
  EXPECT_EQ(c.opened_previous, 1u);
  EXPECT_EQ(c.unknown_key, 2u);
  EXPECT_EQ(c.bad, 2u);
}

TEST(JarCookieCodec, ServerAnswersAnAesSivRequestAndNaksARetiredCookie) {
  std::optional<CookieJar> jar(std::in_place, Key(1, 0x11));
  const JarCookieCodec codec(jar);
  const AesSivAead aead;
  SeededRandom random(4);
  core::server::Server server;
  core::system::SystemSnapshot s;
  s.leap = core::Leap::kNoWarning;
  s.stratum = 2;
  server.Publish(s);
  server.SetNts(core::server::NtsServerContext{&codec, &aead, &random});
  const core::FakeAuthenticator auth({1});
  const core::nts::SessionKeys keys = core::nts::TestKeys();
  std::array<uint8_t, kCookieSize> cookie{};
  codec.Seal(keys, random, cookie);
  const std::vector<uint8_t> request = core::nts::NtsRequest(aead, keys.c2s, cookie, 2);
  std::array<uint8_t, core::server::kNtsReplyCapacity> reply{};
  const auto from = *core::NetAddress::Parse("192.0.2.1:123");
  const auto rx = core::NtpTimestamp::FromParts(0xeeb62e10, 0);

  const auto action = server.Handle(request, from, rx, core::MonoTime(), auth, reply);
  const auto* respond = std::get_if<core::server::Respond>(&action);
  ASSERT_NE(respond, nullptr);
  EXPECT_LE(respond->bytes.size(), request.size());
  const auto decoded = core::Decode(respond->bytes);
  ASSERT_TRUE(decoded);
  const auto fields = core::nts::ParseNtsFields(respond->bytes, *decoded);
  ASSERT_TRUE(fields && fields->authenticator);
  const auto& a = *fields->authenticator;
  std::vector<uint8_t> plain(a.ciphertext.size());
  const auto n = aead.Open(keys.s2c, a.associated_data, a.nonce, a.ciphertext, plain);
  ASSERT_TRUE(n);
  std::array<std::span<const uint8_t>, 8> cookies;
  const auto count = core::nts::EncryptedCookies(std::span(plain).first(*n), cookies);
  ASSERT_TRUE(count);
  ASSERT_EQ(*count, 3u);
  for (size_t i = 0; i < *count; ++i) EXPECT_TRUE(codec.Open(cookies[i]));

  jar.emplace(Key(2, 0x22));  // the key file lost key 1 (two rotations): the cookie no longer opens
  const auto nak = server.Handle(request, from, rx, core::MonoTime(), auth, reply);
  ASSERT_TRUE(std::holds_alternative<core::server::Respond>(nak));
  EXPECT_EQ(server.stats().Dropped(DropReason::kNtsNakSent), 1u);
  EXPECT_EQ(server.stats().nts_answered, 1u);
}

}  // namespace
}  // namespace tempus::crypto

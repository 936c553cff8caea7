#include "crypto/cookie.h"

#include <vector>

#include <gtest/gtest.h>

namespace tempus::crypto {
namespace {

ServerKey Key(uint32_t id, uint8_t fill) {
  ServerKey k{id, {}};
  k.key.fill(fill);
  return k;
}

SessionKeys Session() {
  SessionKeys s;
  for (size_t i = 0; i < s.c2s.size(); ++i) {
    s.c2s[i] = static_cast<uint8_t>(i);
    s.s2c[i] = static_cast<uint8_t>(0x80 + i);
  }
  return s;
}

TEST(Cookie, RoundTripsAndEachCookieDiffers) {
  SeededRandom random(1);
  const CookieJar jar(Key(0x01020304, 0xa5));
  std::vector<uint8_t> a(kCookieSize), b(kCookieSize);
  jar.Seal(Session(), random, a);
  jar.Seal(Session(), random, b);
  EXPECT_EQ(kCookieSize, 100u);
  EXPECT_EQ(a[0], 0x01);  // the key id leads, in network order
  EXPECT_EQ(a[3], 0x04);
  EXPECT_NE(a, b);  // fresh nonce each time: cookies are unlinkable (§6)
  auto opened = jar.Open(a);
  ASSERT_TRUE(opened) << CookieErrorName(opened.error());
  EXPECT_EQ(*opened, Session());
  EXPECT_EQ(*jar.Open(b), Session());
}

TEST(Cookie, TamperedCookieIsRefused) {
  SeededRandom random(2);
  const CookieJar jar(Key(7, 1));
  std::vector<uint8_t> c(kCookieSize);
  jar.Seal(Session(), random, c);
  for (size_t i = 4; i < c.size(); ++i) {  // every byte after the key id: nonce, tag, sealed keys
    auto bad = c;
    bad[i] ^= 0x40;
    auto r = jar.Open(bad);
    ASSERT_FALSE(r) << i;
    EXPECT_EQ(r.error(), CookieError::kAuthentication) << i;
  }
}

TEST(Cookie, PreviousKeyStillOpensUnknownKeyIsRefused) {
  SeededRandom random(3);
  const ServerKey old_key = Key(100, 0x11), new_key = Key(101, 0x22), older = Key(99, 0x33);
  std::vector<uint8_t> from_old(kCookieSize), from_older(kCookieSize);
  CookieJar(old_key).Seal(Session(), random, from_old);
  CookieJar(older).Seal(Session(), random, from_older);
  const CookieJar rotated(new_key, old_key);
  EXPECT_EQ(*rotated.Open(from_old), Session());
  EXPECT_EQ(rotated.Open(from_older).error(), CookieError::kUnknownKey);
  // A cookie claiming the current id but sealed with another key: forged.
  auto forged = from_older;
  forged[3] = 101;
  EXPECT_EQ(rotated.Open(forged).error(), CookieError::kAuthentication);
}

TEST(Cookie, WrongSizeIsRefused) {
  const CookieJar jar(Key(1, 1));
  EXPECT_EQ(jar.Open(std::vector<uint8_t>(kCookieSize - 1)).error(), CookieError::kBadSize);
  EXPECT_EQ(jar.Open(std::vector<uint8_t>(kCookieSize + 4)).error(), CookieError::kBadSize);
  EXPECT_EQ(jar.Open({}).error(), CookieError::kBadSize);
}

}  // namespace
}  // namespace tempus::crypto

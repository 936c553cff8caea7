// NtsClientSession (RFC 8915 §5.7) against replies built here as a server builds them, sealed
// with a fake AEAD (tests/core/nts/fake_aead.h; the real AES-SIV is in tests/crypto).
#include "core/nts/client_exchange.h"

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/nts/client_replies.h"
#include "core/nts/fake_aead.h"
#include "core/nts/ntp_fields.h"
#include "core/wire/codec.h"

namespace tempus::core::nts {
namespace {

using testing::FakeAead;

using testing::Cookies;
using testing::Keys;
using testing::Reply;
using testing::ServerReply;

// The request's NTS fields, as a server reads them.
struct Sent {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> unique_id;
  std::vector<uint8_t> cookie;
  size_t placeholders = 0;
  bool authentic = false;  // the authenticator opens with C2S
};

Sent Send(NtsClientSession& session, Random& random) {
  Sent s;
  s.bytes.resize(2048);
  auto size = session.BuildRequest(NtpTimestamp::FromRaw(0x1234), 6, random, FakeAead(), s.bytes);
  EXPECT_TRUE(size) << NtsRequestErrorName(size.error());
  if (!size) return s;
  s.bytes.resize(*size);
  auto d = Decode(s.bytes);
  EXPECT_TRUE(d);
  auto f = ParseNtsFields(s.bytes, *d);
  EXPECT_TRUE(f) << NtsFieldErrorName(f.error());
  EXPECT_EQ(d->header.mode, Mode::kClient);
  EXPECT_EQ(d->header.transmit_time, NtpTimestamp::FromRaw(0x1234));
  s.unique_id.assign(f->unique_id.begin(), f->unique_id.end());
  s.cookie.assign(f->cookie.begin(), f->cookie.end());
  s.placeholders = f->placeholders;
  if (f->authenticator) {
    std::array<uint8_t, 64> out{};
    const auto& a = *f->authenticator;
    s.authentic = FakeAead().Open(Keys().c2s, a.associated_data, a.nonce, a.ciphertext, out).has_value();
  }
  return s;
}

TEST(NtsClientSession, RequestCarriesUniqueIdCookiePlaceholdersAndAuthenticatorSealedWithC2s) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(8));
  const Sent s = Send(session, random);
  EXPECT_EQ(s.unique_id.size(), kClientUniqueIdSize);  // §5.3
  EXPECT_EQ(s.cookie, std::vector<uint8_t>(100, 1));   // the oldest cookie
  EXPECT_EQ(s.placeholders, 0u);                       // 8 held: 7 left + 1 back
  EXPECT_TRUE(s.authentic);                            // §5.6, C2S
  EXPECT_EQ(session.cookies(), 7u);                    // §5.7: used once
}

TEST(NtsClientSession, AsksForEnoughCookiesToHoldEightAgain) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(3));
  const Sent s = Send(session, random);
  EXPECT_EQ(s.placeholders, 5u);  // 2 left, the cookie back and 5 more: 8
  NtsClientSession last(Keys(), Cookies(1));
  EXPECT_EQ(Send(last, random).placeholders, kMaxPlaceholders);
}

TEST(NtsClientSession, EveryRequestHasItsOwnUniqueIdAndCookie) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(2));
  const Sent a = Send(session, random);
  const Sent b = Send(session, random);
  EXPECT_NE(a.unique_id, b.unique_id);
  EXPECT_NE(a.cookie, b.cookie);
  std::vector<uint8_t> out(2048);
  auto none = session.BuildRequest(NtpTimestamp::FromRaw(1), 6, random, FakeAead(), out);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), NtsRequestError::kNoCookie);
}

TEST(NtsClientSession, AuthenticatedReplyGivesItsEncryptedCookies) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(3));
  const Sent s = Send(session, random);
  auto ok = session.CheckReply(Reply({.unique_id = s.unique_id, .new_cookies = 6}), FakeAead());
  ASSERT_TRUE(ok) << NtsReplyErrorName(ok.error());
  EXPECT_EQ(session.cookies(), 8u);
  EXPECT_EQ(session.cookies_received(), 6u);
  // The reply was taken: the same bytes again are a duplicate.
  auto again = session.CheckReply(Reply({.unique_id = s.unique_id}), FakeAead());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), NtsReplyError::kNoRequest);
}

TEST(NtsClientSession, KeepsAtMostEightCookies) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(8));
  const Sent s = Send(session, random);
  ASSERT_TRUE(session.CheckReply(Reply({.unique_id = s.unique_id, .new_cookies = 4}), FakeAead()));
  EXPECT_EQ(session.cookies(), 8u);
}

TEST(NtsClientSession, RefusesAnotherUniqueId) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(2));
  const Sent s = Send(session, random);
  std::vector<uint8_t> other = s.unique_id;
  other[0] ^= 1;
  auto r = session.CheckReply(Reply({.unique_id = other}), FakeAead());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), NtsReplyError::kWrongUniqueId);
  auto missing = session.CheckReply(Reply({}), FakeAead());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), NtsReplyError::kWrongUniqueId);
  // The genuine reply still counts after the forgeries.
  EXPECT_TRUE(session.CheckReply(Reply({.unique_id = s.unique_id}), FakeAead()));
}

TEST(NtsClientSession, RefusesAnUnauthenticatedReply) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(2));
  const Sent s = Send(session, random);
  auto r = session.CheckReply(Reply({.unique_id = s.unique_id, .authenticate = false}), FakeAead());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), NtsReplyError::kNotAuthenticated);
  EXPECT_EQ(session.cookies(), 1u);
}

TEST(NtsClientSession, RefusesATamperedReplyAndOneSealedWithC2s) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(2));
  const Sent s = Send(session, random);
  std::vector<uint8_t> tampered = Reply({.unique_id = s.unique_id});
  tampered[40] ^= 1;  // the transmit timestamp: associated data
  auto r = session.CheckReply(tampered, FakeAead());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), NtsReplyError::kAuthenticationFailed);
  auto wrong_key = session.CheckReply(Reply({.unique_id = s.unique_id, .key = Keys().c2s}), FakeAead());
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error(), NtsReplyError::kAuthenticationFailed);
  EXPECT_EQ(session.cookies_received(), 0u);
}

TEST(NtsClientSession, RecognizesAnNtsNakWithOurUniqueId) {
  SeededRandom random(1);
  NtsClientSession session(Keys(), Cookies(2));
  const Sent s = Send(session, random);
  const ServerReply nak{.unique_id = s.unique_id,
                        .authenticate = false,
                        .stratum = 0,
                        .refid = RefId::FromCode("NTSN")};
  auto r = session.CheckReply(Reply(nak), FakeAead());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), NtsReplyError::kNak);
  // A NAK for someone else's request is no reason to drop our cookies.
  ServerReply stray = nak;
  std::vector<uint8_t> other(32, 0x77);
  stray.unique_id = other;
  auto s2 = session.CheckReply(Reply(stray), FakeAead());
  ASSERT_FALSE(s2);
  EXPECT_EQ(s2.error(), NtsReplyError::kWrongUniqueId);
}

TEST(NtsClientSession, RefusesGarbage) {
  NtsClientSession session(Keys(), Cookies(1));
  const std::vector<uint8_t> short_packet(20, 0);
  auto r = session.CheckReply(short_packet, FakeAead());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), NtsReplyError::kMalformed);
}

}  // namespace
}  // namespace tempus::core::nts

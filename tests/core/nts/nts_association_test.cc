// NtsAssociation: when NTS-KE is due, the back-off after failures, what replies mean (RFC 8915
// §5.7), without a clock: times are MonoTime values made here.
#include "core/nts/nts_association.h"

#include <algorithm>
#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/nts/client_replies.h"
#include "core/nts/fake_aead.h"
#include "core/nts/ntp_fields.h"
#include "core/wire/codec.h"
#include "core/wire/exchange.h"

namespace tempus::core::nts {
namespace {

using testing::Cookies;
using testing::FakeAead;
using testing::Keys;
using testing::Reply;
using testing::ServerReply;

MonoTime At(int64_t s) { return MonoTime() + NtpDuration::FromWholeSeconds(s); }

// A Random whose UniformUnit is always `unit` (the top 53 bits of the draw).
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double unit) : v_(static_cast<uint64_t>(unit * 9007199254740992.0) << 11) {}
  uint64_t NextU64() override { return v_; }

 private:
  uint64_t v_;
};

std::array<uint8_t, kHeaderSize> Header() {
  std::array<uint8_t, kHeaderSize> h{};
  BuildClientRequest(NtpTimestamp::FromRaw(0x77), 6, h);
  return h;
}

// The unique identifier of a request WrapRequest built.
std::vector<uint8_t> UniqueIdOf(std::span<const uint8_t> request) {
  auto d = Decode(request);
  EXPECT_TRUE(d);
  auto f = ParseNtsFields(request, *d);
  EXPECT_TRUE(f);
  return {f->unique_id.begin(), f->unique_id.end()};
}

// An association with a session of `cookies` cookies that sent one request at 10 s.
struct Sent {
  explicit Sent(size_t cookies) {
    a.KeStarted();
    a.KeSucceeded(Keys(), Cookies(cookies), At(0));
    const auto size = a.WrapRequest(Header(), random, FakeAead(), out, At(10));
    EXPECT_TRUE(size);
    request = std::span(out).first(size.value_or(0));
    id = UniqueIdOf(request);
  }
  NtsAssociation a{At(0)};
  SeededRandom random{1};
  std::array<uint8_t, 2048> out{};
  std::span<const uint8_t> request;
  std::vector<uint8_t> id;  // the request's unique identifier
};

TEST(KeBackoff, DoublesFrom16SecondsUpToAnHour) {
  EXPECT_EQ(KeBackoff(1, 0.0).Seconds(), 16.0);
  EXPECT_EQ(KeBackoff(2, 0.0).Seconds(), 32.0);
  EXPECT_EQ(KeBackoff(5, 0.0).Seconds(), 256.0);
  EXPECT_EQ(KeBackoff(8, 0.0).Seconds(), 2048.0);
  EXPECT_EQ(KeBackoff(9, 0.0).Seconds(), 3600.0);
  EXPECT_EQ(KeBackoff(1000, 0.0).Seconds(), 3600.0);  // no overflow however many failures
}

TEST(KeBackoff, JitterTakesUpToAQuarterOff) {
  EXPECT_NEAR(KeBackoff(1, 0.5).Seconds(), 14.0, 1e-6);
  EXPECT_NEAR(KeBackoff(9, 0.999999).Seconds(), 2700.0, 0.01);
  EXPECT_GT(KeBackoff(9, 0.999999).Seconds(), 2700.0);
}

TEST(NtsAssociation, FirstKeIsDueAtStartAndRetriedWithBackoff) {
  NtsAssociation a(At(100));
  EXPECT_FALSE(a.KeDue(At(99)));
  EXPECT_TRUE(a.KeDue(At(100)));
  a.KeStarted();
  EXPECT_FALSE(a.KeDue(At(100)));  // one exchange at a time
  FixedRandom random(0.0);
  EXPECT_TRUE(a.KeFailed("connect", At(105), random));  // a new reason: log it
  EXPECT_EQ(a.next_ke(), At(121));
  EXPECT_FALSE(a.KeDue(At(120)));
  EXPECT_TRUE(a.KeDue(At(121)));
  a.KeStarted();
  EXPECT_FALSE(a.KeFailed("connect", At(121), random));  // the same reason: said already
  EXPECT_EQ(a.next_ke(), At(153));
  a.KeStarted();
  EXPECT_TRUE(a.KeFailed("certificate", At(153), random));
  EXPECT_EQ(a.next_ke(), At(153 + 64));
  EXPECT_EQ(a.failures(), 3u);
  EXPECT_EQ(a.last_failure(), "certificate");
  EXPECT_FALSE(a.last_ke().has_value());  // none has succeeded yet (mode 6 ntske_time 0)
  a.KeStarted();
  a.KeSucceeded(Keys(), Cookies(8), At(300));
  EXPECT_EQ(a.last_ke(), At(300));
  EXPECT_EQ(a.last_failure(), "");  // mode 6 ntske_reason none
  EXPECT_EQ(a.failures(), 0u);
  EXPECT_EQ(a.phase(), NtsPhase::kSession);
  EXPECT_EQ(a.stats().ke_failed, 3u);
  EXPECT_EQ(a.stats().ke_ok, 1u);
}

TEST(NtsAssociation, NoSessionNoRequestAndNoSample) {
  NtsAssociation a(At(0));
  SeededRandom random(1);
  std::array<uint8_t, 2048> out{};
  EXPECT_FALSE(a.WrapRequest(Header(), random, FakeAead(), out, At(0)));
  EXPECT_EQ(a.stats().unsent, 1u);
  // A reply while no session exists (forged, or from before a NAK) is never a sample.
  const std::vector<uint8_t> plain(kHeaderSize, 0x24);
  EXPECT_EQ(a.OnReply(plain, FakeAead(), At(0)), NtsVerdict::kDrop);
  EXPECT_EQ(a.dropped(), 1u);
}

TEST(NtsAssociation, OnlyTheAuthenticatedReplyIsAccepted) {
  Sent sent(8);
  NtsAssociation& a = sent.a;
  const std::vector<uint8_t>& id = sent.id;
  // The core's header goes out as it was, sealed with the NTS fields after it.
  const auto header = Header();
  EXPECT_TRUE(std::equal(header.begin(), header.end(), sent.request.begin()));
  EXPECT_EQ(a.cookies(), 7u);

  // Unauthenticated (the plain header), tampered, under the wrong key, or not ours: dropped.
  EXPECT_EQ(a.OnReply(sent.request.first(kHeaderSize), FakeAead(), At(11)), NtsVerdict::kDrop);
  std::vector<uint8_t> tampered = Reply({.unique_id = id});
  tampered[40] ^= 1;  // a bit of the transmit timestamp
  EXPECT_EQ(a.OnReply(tampered, FakeAead(), At(11)), NtsVerdict::kDrop);
  ServerReply wrong_key{.unique_id = id};
  wrong_key.key.fill(0x11);
  EXPECT_EQ(a.OnReply(Reply(wrong_key), FakeAead(), At(11)), NtsVerdict::kDrop);
  const std::vector<uint8_t> other_id(32, 0xaa);
  EXPECT_EQ(a.OnReply(Reply({.unique_id = other_id}), FakeAead(), At(11)), NtsVerdict::kDrop);
  EXPECT_EQ(a.OnReply(Reply({.unique_id = id, .authenticate = false}), FakeAead(), At(11)), NtsVerdict::kDrop);
  EXPECT_EQ(a.dropped(), 5u);
  EXPECT_EQ(a.stats().drops[static_cast<size_t>(NtsReplyError::kAuthenticationFailed)], 2u);
  EXPECT_EQ(a.stats().drops[static_cast<size_t>(NtsReplyError::kWrongUniqueId)], 2u);  // none, or not ours
  EXPECT_EQ(a.stats().drops[static_cast<size_t>(NtsReplyError::kNotAuthenticated)], 1u);

  // The genuine reply: accepted once, its cookie kept; a replay of it is dropped.
  const std::vector<uint8_t> genuine = Reply({.unique_id = id});
  EXPECT_EQ(a.OnReply(genuine, FakeAead(), At(12)), NtsVerdict::kAccept);
  EXPECT_EQ(a.cookies(), 8u);
  EXPECT_EQ(a.OnReply(genuine, FakeAead(), At(12)), NtsVerdict::kDrop);
  EXPECT_EQ(a.stats().accepted, 1u);
  EXPECT_EQ(a.phase(), NtsPhase::kSession);
}

TEST(NtsAssociation, ANakMakesANewKeDueNow) {
  Sent sent(8);
  NtsAssociation& a = sent.a;
  const std::vector<uint8_t> nak =
      Reply({.unique_id = sent.id, .authenticate = false, .stratum = 0, .refid = RefId::FromCode("NTSN")});
  EXPECT_EQ(a.OnReply(nak, FakeAead(), At(20)), NtsVerdict::kNak);
  EXPECT_EQ(a.stats().naks, 1u);
  EXPECT_EQ(a.phase(), NtsPhase::kKeDue);
  EXPECT_TRUE(a.KeDue(At(20)));
  EXPECT_EQ(a.cookies(), 0u);
  EXPECT_FALSE(a.WrapRequest(Header(), sent.random, FakeAead(), sent.out, At(21)));  // nothing until a new KE
}

TEST(NtsAssociation, SpentCookiesMakeANewKeDue) {
  Sent sent(2);
  NtsAssociation& a = sent.a;
  // No reply ever comes: each cookie goes once, then no request can be built.
  EXPECT_TRUE(a.WrapRequest(Header(), sent.random, FakeAead(), sent.out, At(20)));
  EXPECT_FALSE(a.KeDue(At(20)));
  EXPECT_FALSE(a.WrapRequest(Header(), sent.random, FakeAead(), sent.out, At(30)));
  EXPECT_TRUE(a.KeDue(At(30)));
  EXPECT_EQ(a.stats().requests, 2u);
  EXPECT_EQ(a.stats().unsent, 1u);
}

}  // namespace
}  // namespace tempus::core::nts

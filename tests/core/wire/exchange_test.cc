#include "core/wire/exchange.h"

#include <vector>

#include <gtest/gtest.h>

#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::core {
namespace {

using testdata::FromHex;

// S1 is chrony's reply to C2: the cookie is C2's transmit timestamp.
const NtpTimestamp kCookie = NtpTimestamp::FromRaw(0xf9eff39608361db3);
const NtpTimestamp kT2 = NtpTimestamp::FromRaw(0xeeb62e3aa94fafa1);
const NtpTimestamp kT3 = NtpTimestamp::FromRaw(0xeeb62e3aa961ea6a);

TEST(Formulas, OffsetAndDelayOfASymmetricPath) {
  // Server 1 s ahead; 10 ms each way; 1 ms in the server.
  const auto t1 = NtpTimestamp::FromParts(1000, 0);
  const auto t2 = t1 + NtpDuration::FromMillis(1010);
  const auto t3 = t2 + NtpDuration::FromMillis(1);
  const auto t4 = t1 + NtpDuration::FromMillis(21);
  EXPECT_EQ(Offset(t1, t2, t3, t4), NtpDuration::FromMillis(1000));
  EXPECT_EQ(Delay(t1, t2, t3, t4), NtpDuration::FromMillis(20));
}

TEST(Formulas, OffsetAcrossTheEraBoundary) {
  // T1/T4 just before the 2036 rollover, T2/T3 just after: the wrapping differences still work.
  const auto t1 = NtpTimestamp::FromParts(0xffffffff, 0);
  const auto t2 = NtpTimestamp::FromParts(0, 0x80000000);  // +1.5 s
  const auto t3 = NtpTimestamp::FromParts(0, 0x80000000);
  const auto t4 = NtpTimestamp::FromParts(0xffffffff, 0);
  EXPECT_EQ(Offset(t1, t2, t3, t4), NtpDuration::FromSeconds(1.5));
  EXPECT_EQ(Delay(t1, t2, t3, t4), NtpDuration::Zero());
}

TEST(Formulas, OffsetDoesNotOverflowNearTheRangeLimit) {
  // A server 60 years ahead: (T2-T1)+(T3-T4) would wrap if summed before halving.
  const auto t1 = NtpTimestamp::FromParts(0, 0);
  const auto ahead = NtpDuration::FromSeconds(60.0 * 365 * 86400);
  const auto t2 = t1 + ahead;
  EXPECT_NEAR(Offset(t1, t2, t2, t1).Seconds(), ahead.Seconds(), 1e-9);
}

TEST(Exchange, BuildClientRequestCarriesTheCookie) {
  std::vector<uint8_t> buf(kHeaderSize);
  ASSERT_EQ(BuildClientRequest(kCookie, 6, buf), kHeaderSize);
  auto p = Decode(buf);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.mode, Mode::kClient);
  EXPECT_EQ(p->header.version, 4);
  EXPECT_EQ(p->header.poll, 6);
  EXPECT_EQ(p->header.transmit_time, kCookie);
  EXPECT_TRUE(p->header.origin_time.IsZero());
  EXPECT_TRUE(p->header.receive_time.IsZero());
}

TEST(Exchange, ChronyReplyGivesTheMeasurement) {
  // Local clock 250 ms behind the server; 5 µs each way.
  const auto t1 = kT2 - NtpDuration::FromMillis(250) - NtpDuration::FromMicros(5);
  const auto t4 = kT3 - NtpDuration::FromMillis(250) + NtpDuration::FromMicros(5);
  auto m = ProcessReply(FromHex(testdata::kResponses[0].hex), kCookie, t1, t4, -24);
  ASSERT_TRUE(m.has_value());
  EXPECT_NEAR(m->offset.Seconds(), 0.250, 1e-9);
  EXPECT_NEAR(m->delay.Seconds(), 10e-6, 1e-9);
  EXPECT_EQ(m->server.stratum, 8);
  EXPECT_EQ(m->server.refid.AsDottedQuad(), "127.127.1.1");
  // ε = 2^-24 (local) + 2^-26 (chrony's precision) + 15 ppm of T4 - T1.
  const double round_trip = (t4 - t1).Seconds();
  EXPECT_NEAR(m->dispersion.Seconds(), 0x1p-24 + 0x1p-26 + 15e-6 * round_trip, 3e-10);  // ±1 unit
  EXPECT_NEAR(m->RootDistance().Seconds(), 5e-6 + m->dispersion.Seconds(), 1e-9);
}

TEST(Exchange, DelayIsAtLeastTheLocalPrecision) {
  // T4 - T1 smaller than T3 - T2 (a server that took longer than the round trip): δ < 0 -> ρ.
  auto m = ProcessReply(FromHex(testdata::kResponses[0].hex), kCookie, kT2, kT2, -20);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->delay, PrecisionToDuration(-20));
}

TEST(Exchange, Test2RejectsBogusOrigin) {
  auto m = ProcessReply(FromHex(testdata::kResponses[0].hex), NtpTimestamp::FromRaw(1), kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kBogusOrigin);
}

TEST(Exchange, RejectsRequestsAndGarbage) {
  auto m = ProcessReply(FromHex(testdata::kRequests[1].hex), kCookie, kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kNotServerMode);
  m = ProcessReply(std::vector<uint8_t>(20, 0x24), kCookie, kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kMalformed);
  EXPECT_EQ(m.error().decode_error, DecodeError::kTooShort);
}

TEST(Exchange, KissOfDeathCarriesItsCode) {
  auto reply = FromHex(testdata::kResponses[0].hex);
  reply[1] = 0;  // stratum 0
  for (auto [code, kiss] : {std::pair{"RATE", KissCode::kRate}, std::pair{"DENY", KissCode::kDeny},
                            std::pair{"RSTR", KissCode::kRstr}, std::pair{"INIT", KissCode::kOther}}) {
    const uint32_t raw = RefId::FromCode(code).raw();
    reply[12] = static_cast<uint8_t>(raw >> 24);
    reply[13] = static_cast<uint8_t>(raw >> 16);
    reply[14] = static_cast<uint8_t>(raw >> 8);
    reply[15] = static_cast<uint8_t>(raw);
    auto m = ProcessReply(reply, kCookie, kT2, kT3, -20);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().error, ReplyError::kKissOfDeath);
    EXPECT_EQ(m.error().kiss, kiss) << code;
  }
}

TEST(Exchange, NtpsecInitReplyIsAKiss) {
  // N2 answered C1: LI3, stratum 0, "INIT".
  auto m = ProcessReply(FromHex(testdata::kResponses[3].hex), NtpTimestamp::FromRaw(0x2e86a86b6c02e2aa), kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kKissOfDeath);
  EXPECT_EQ(m.error().kiss, KissCode::kOther);
}

TEST(Exchange, Test3AndTest6AndTest7) {
  auto reply = FromHex(testdata::kResponses[0].hex);
  auto zero_rx = reply;
  std::fill(zero_rx.begin() + 32, zero_rx.begin() + 40, 0);
  auto m = ProcessReply(zero_rx, kCookie, kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kZeroTimestamps);

  auto unsync = reply;
  unsync[0] = 0xe4;  // LI 3
  m = ProcessReply(unsync, kCookie, kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kUnsynchronized);

  auto st16 = reply;
  st16[1] = 16;
  m = ProcessReply(st16, kCookie, kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kUnsynchronized);

  auto far = reply;
  far[8] = 0x00;
  far[9] = 0x02;  // root dispersion 2 s >= MAXDIST
  m = ProcessReply(far, kCookie, kT2, kT3, -20);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().error, ReplyError::kBadRootDistance);
}

}  // namespace
}  // namespace tempus::core

#include "core/time/ntp_timestamp.h"

#include <gtest/gtest.h>

#include "core/time/int128.h"
#include "core/time/unix_time.h"

namespace tempus::core {
namespace {

// 2036-02-07T06:28:16Z, the first instant of NTP era 1.
constexpr int64_t kEra1StartUnix = 2085978496;

TEST(NtpTimestamp, PartsAndRaw) {
  const auto ts = NtpTimestamp::FromParts(0xeeb62e9c, 0x82cac519);
  EXPECT_EQ(ts.raw(), 0xeeb62e9c82cac519u);
  EXPECT_EQ(ts.seconds(), 0xeeb62e9cu);
  EXPECT_EQ(ts.fraction(), 0x82cac519u);
  EXPECT_FALSE(ts.IsZero());
  EXPECT_TRUE(NtpTimestamp().IsZero());
}

TEST(NtpTimestamp, DifferenceWrapsAcrossTheEraBoundary) {
  const auto before = NtpTimestamp::FromParts(0xffffffff, 0x80000000);  // 0.5 s before era 1
  const auto after = NtpTimestamp::FromParts(0, 0x80000000);            // 0.5 s into era 1
  EXPECT_EQ((after - before).Nanos(), 1000000000);
  EXPECT_EQ((before - after).Nanos(), -1000000000);
  EXPECT_EQ(before + NtpDuration::FromSeconds(1.0), after);
  EXPECT_EQ(after - NtpDuration::FromSeconds(1.0), before);
}

TEST(NtpShort, FromDurationRoundsClampsAndSaturates) {
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::FromSeconds(1.5)).raw(), 0x00018000u);
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::FromSeconds(-1.0)).raw(), 0u);
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::FromSeconds(70000.0)).raw(), 0xffffffffu);
  // 0x8000 units of 2^-32 s is exactly half a 16.16 unit: rounds up.
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::FromRaw(0x8000)).raw(), 1u);
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::FromRaw(0x7fff)).raw(), 0u);
  // The rounding step must not overflow near the top of the range (found by fuzz_server_handle).
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::Max()).raw(), 0xffffffffu);
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::FromRaw((int64_t{0xffffffff} << 16) + 0x7fff)).raw(), 0xffffffffu);
  EXPECT_EQ(NtpShort::FromDuration(NtpDuration::FromRaw((int64_t{0xfffffffe} << 16) + 0x7fff)).raw(), 0xfffffffeu);
  EXPECT_EQ(NtpShort::FromRaw(0x00020000).ToDuration(), NtpDuration::FromSeconds(2.0));
}

TEST(UnixTime, ToNtpOfKnownInstants) {
  // 1970-01-01 is NTP second 2208988800 of era 0.
  EXPECT_EQ(UnixTime::FromParts(0, 0).ToNtp().seconds(), 2208988800u);
  // Era 1 starts with seconds field 0.
  const auto era1 = UnixTime::FromParts(kEra1StartUnix, 0);
  EXPECT_EQ(era1.ToNtp().raw(), 0u);
  EXPECT_EQ(era1.NtpEra(), 1);
  EXPECT_EQ(UnixTime::FromParts(kEra1StartUnix - 1, 0).NtpEra(), 0);
  EXPECT_EQ(UnixTime::FromParts(-UnixTime::kNtpToUnixSeconds - 1, 0).NtpEra(), -1);
}

TEST(UnixTime, FromNtpPicksTheEraNearestTheReference) {
  const auto era1_start = UnixTime::FromParts(kEra1StartUnix, 0);
  // A timestamp of 0x00000010 read when the clock says 2036-02-07T06:28:00Z is 16 s into era 1.
  const auto ts = NtpTimestamp::FromParts(0x10, 0);
  const auto ref = UnixTime::FromParts(kEra1StartUnix - 16, 0);
  EXPECT_EQ(UnixTime::FromNtp(ts, ref), UnixTime::FromParts(kEra1StartUnix + 16, 0));
  // The same wire value read in 1900 is in era 0.
  const auto ref1900 = UnixTime::FromParts(-UnixTime::kNtpToUnixSeconds + 100, 0);
  EXPECT_EQ(UnixTime::FromNtp(ts, ref1900), UnixTime::FromParts(-UnixTime::kNtpToUnixSeconds + 16, 0));
  // A late-era-0 timestamp read just after the rollover stays in era 0.
  const auto late = NtpTimestamp::FromParts(0xfffffff0, 0);
  EXPECT_EQ(UnixTime::FromNtp(late, era1_start + NtpDuration::FromSeconds(5)),
            UnixTime::FromParts(kEra1StartUnix - 16, 0));
}

TEST(UnixTime, RoundTripThroughNtpAtManyInstants) {
  const auto ref = UnixTime::FromParts(1795928139, 0);  // 2026-11-29
  for (int64_t s :
       {int64_t{0}, int64_t{1795928139}, kEra1StartUnix - 1, kEra1StartUnix, kEra1StartUnix + 1, int64_t{3000000000}}) {
    const auto t = UnixTime::FromParts(s, 0x12345678);
    EXPECT_EQ(UnixTime::FromNtp(t.ToNtp(), t + NtpDuration::FromSeconds(1e9)), t) << s;
    EXPECT_EQ(UnixTime::FromNtp(t.ToNtp(), t - NtpDuration::FromSeconds(1e9)), t) << s;
  }
  EXPECT_EQ(UnixTime::FromNtp(ref.ToNtp(), ref), ref);
}

TEST(UnixTime, NegativeInstantsKeepANonNegativeFraction) {
  const auto t = UnixTime::FromParts(0, 0) - NtpDuration::FromSeconds(0.25);
  EXPECT_EQ(t.seconds(), -1);
  EXPECT_EQ(t.fraction(), 0xc0000000u);
  EXPECT_EQ(t.ToIso8601(), "1969-12-31T23:59:59.750000Z");
}

TEST(UnixTime, FromTimespecAndIso8601) {
  const auto t = UnixTime::FromTimespec(1795928092, 510123000);
  EXPECT_EQ(t.ToIso8601(), "2026-11-29T04:54:52.510123Z");
  EXPECT_EQ(t.SubsecondNanos(), 510123000);
  EXPECT_EQ(UnixTime::FromParts(kEra1StartUnix, 0).ToIso8601(), "2036-02-07T06:28:16.000000Z");
}

// FromTimespec's multiplication against the conversion it replaced (seconds shifted, the
// nanoseconds through NtpDuration::FromNanos, in 128 bits): equal to the bit at the edges of the
// rounding and of the second, and on a million pseudo-random values.
TEST(UnixTime, FromTimespecMatchesTheDurationConversion) {
  const auto reference = [](int64_t seconds, int64_t nanos) {
    return UnixTime::FromParts(seconds, 0) + NtpDuration::FromNanos(nanos);
  };
  const int64_t seconds[] = {0, 1, -1, 1795928092, kEra1StartUnix, -(int64_t{1} << 40), int64_t{1} << 40};
  const int64_t edges[] = {0,         1,         2,         116,       117,       232,       233,      499999999,
                           500000000, 500000001, 999999767, 999999883, 999999884, 999999998, 999999999};
  for (const int64_t s : seconds) {
    for (const int64_t n : edges) {
      ASSERT_EQ(UnixTime::FromTimespec(s, n), reference(s, n)) << s << " s " << n << " ns";
    }
  }
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (int i = 0; i < 1000000; ++i) {
    x = x * 6364136223846793005u + 1442695040888963407u;  // 64-bit LCG (Knuth's MMIX constants)
    const auto n = static_cast<int64_t>((x >> 16) % 1000000000);
    const auto s = static_cast<int64_t>(x >> 40) - (int64_t{1} << 23);
    ASSERT_EQ(UnixTime::FromTimespec(s, n), reference(s, n)) << s << " s " << n << " ns";
  }
  EXPECT_EQ(UnixTime::FromTimespec(7, 999999999).seconds(), 7);  // no carry into the seconds
  EXPECT_EQ(UnixTime::FromTimespec(7, 999999999).fraction(), 4294967292u);
}

// UnixTime's + and - take a 64-bit route when the seconds allow: both equal the 128-bit
// arithmetic (saturating the difference, wrapping the seconds of a sum) on every side of its
// bounds (seconds 2^31 - 1 apart, int64 overflow) and on pseudo-random values.
TEST(UnixTime, ArithmeticMatches128Bits) {
  const auto units = [](UnixTime t) { return (static_cast<Int128>(t.seconds()) << 32) + t.fraction(); };
  const auto difference = [&](UnixTime a, UnixTime b) {
    const Int128 d = units(a) - units(b);
    if (d > INT64_MAX) return NtpDuration::Max();
    if (d < INT64_MIN) return NtpDuration::Min();
    return NtpDuration::FromRaw(static_cast<int64_t>(d));
  };
  const auto sum = [&](UnixTime t, NtpDuration d) {
    const Int128 u = units(t) + d.raw();
    return UnixTime::FromParts(static_cast<int64_t>(u >> 32), static_cast<uint32_t>(u & 0xffffffff));
  };
  const int64_t big = int64_t{1} << 31;
  const int64_t seconds[] = {0,    1,        -1,         big - 2,   big - 1,   big,           big + 1,      -big + 1,
                             -big, -big - 1, 1795928092, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1};
  const uint32_t fractions[] = {0, 1, 0x80000000u, 0xffffffffu};
  const int64_t raws[] = {0, 1, -1, INT64_MAX, INT64_MIN, int64_t{1} << 32, -(int64_t{1} << 32), 0x7fffffffffffu};
  for (const int64_t sa : seconds) {
    for (const uint32_t fa : fractions) {
      const auto a = UnixTime::FromParts(sa, fa);
      for (const int64_t r : raws)
        ASSERT_EQ(a + NtpDuration::FromRaw(r), sum(a, NtpDuration::FromRaw(r))) << sa << " " << r;
      for (const int64_t sb : seconds) {
        for (const uint32_t fb : fractions) {
          const auto b = UnixTime::FromParts(sb, fb);
          ASSERT_EQ(a - b, difference(a, b)) << sa << "." << fa << " - " << sb << "." << fb;
        }
      }
    }
  }
  uint64_t x = 0x2545f4914f6cdd1du;
  for (int i = 0; i < 100000; ++i) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    const auto a = UnixTime::FromParts(static_cast<int64_t>(x >> 32) - big, static_cast<uint32_t>(x));
    x = x * 6364136223846793005u + 1442695040888963407u;
    const auto b = UnixTime::FromParts(static_cast<int64_t>(x >> 32) - big, static_cast<uint32_t>(x));
    x = x * 6364136223846793005u + 1442695040888963407u;
    const auto d = NtpDuration::FromRaw(static_cast<int64_t>(x));
    ASSERT_EQ(a - b, difference(a, b));
    ASSERT_EQ(a + d, sum(a, d));
  }
}

TEST(UnixTime, DifferenceSaturates) {
  const auto a = UnixTime::FromParts(int64_t{1} << 40, 0);
  const auto b = UnixTime::FromParts(0, 0);
  EXPECT_EQ(a - b, NtpDuration::Max());
  EXPECT_EQ(b - a, NtpDuration::Min());
  EXPECT_EQ((UnixTime::FromParts(10, 0) - UnixTime::FromParts(7, 0x80000000)).Seconds(), 2.5);
}

}  // namespace
}  // namespace tempus::core

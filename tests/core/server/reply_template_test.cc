// The server's lean reply (reply.h ReplyTemplate, EncodeReplyFromTemplate, IsTimeRequestByte):
// the same bytes as the general route (Decode, CheckTimeRequest, EncodeReply), for any snapshot,
// any time request and any receive time.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "core/server/reply.h"
#include "core/wire/codec.h"

namespace tempus::core::server {
namespace {

using system::SystemSnapshot;

SystemSnapshot RandomSnapshot(std::mt19937_64& g) {
  SystemSnapshot s;
  s.leap = static_cast<Leap>(g() % 4);
  s.stratum = static_cast<uint8_t>(g() % 18);  // 16 and 17: unsynchronized, sent as 0
  s.precision = static_cast<int8_t>(-static_cast<int>(g() % 32));
  s.root_delay = NtpDuration::FromRaw(static_cast<int64_t>(g() % (int64_t{1} << 36)));
  s.root_dispersion = NtpDuration::FromRaw(static_cast<int64_t>(g() % (int64_t{1} << 36)));
  if (g() % 8 == 0) s.root_dispersion = NtpDuration::Max();  // saturates as it grows
  s.refid = RefId::FromRaw(static_cast<uint32_t>(g()));
  s.reference_time = g() % 8 == 0 ? NtpTimestamp() : NtpTimestamp::FromRaw(g());
  return s;
}

TEST(ReplyTemplate, EncodesTheBytesOfEncodeReply) {
  std::mt19937_64 g(12);
  for (int i = 0; i < 20000; ++i) {
    const SystemSnapshot s = RandomSnapshot(g);
    std::array<uint8_t, kHeaderSize> request{};
    for (uint8_t& b : request) b = static_cast<uint8_t>(g());
    request[0] = static_cast<uint8_t>((request[0] & 0xc0) | ((1 + g() % 4) << 3) | 3);    // mode 3, v1-4
    if (g() % 8 == 0) request[0] = static_cast<uint8_t>((request[0] & 0xc0) | (1 << 3));  // v1 mode 0
    // The receive time near the reference time (before it, too), or anywhere.
    const NtpTimestamp rx =
        g() % 2 == 0 ? s.reference_time +
                           NtpDuration::FromRaw(static_cast<int64_t>(g() % (int64_t{1} << 50)) - (int64_t{1} << 40))
                     : NtpTimestamp::FromRaw(g());
    const auto decoded = Decode(request);
    ASSERT_TRUE(decoded);
    std::array<uint8_t, kHeaderSize> expected{};
    EncodeReply(decoded->header, Mode::kServer, rx, s, expected);
    std::array<uint8_t, kHeaderSize> lean{};
    EncodeReplyFromTemplate(MakeReplyTemplate(s), request, rx, lean);
    ASSERT_EQ(lean, expected) << "case " << i;
  }
}

TEST(ReplyTemplate, IsTimeRequestByteIsCheckTimeRequestsVerdictOnAHeader) {
  for (int first = 0; first < 256; ++first) {
    std::vector<uint8_t> request(kHeaderSize, 0);
    request[0] = static_cast<uint8_t>(first);
    const bool answered = CheckTimeRequest(request, Decode(request)).has_value();
    EXPECT_EQ(IsTimeRequestByte(static_cast<uint8_t>(first)), answered) << "first byte " << first;
  }
}

// RootDispersionAt grows at PHI in integers (no long double per reply): as age.Scaled(kPhi) to the
// unit for ages up to a week, within one unit beyond.
TEST(ReplyTemplate, RootDispersionGrowsAtPhiInIntegers) {
  std::mt19937_64 g(5);
  const NtpTimestamp reference = NtpTimestamp::FromParts(0xeeb62e00, 0);
  for (int i = 0; i < 200000; ++i) {
    const int64_t max_age = i % 2 == 0 ? NtpDuration::FromWholeSeconds(7 * 86400).raw() : (int64_t{1} << 62);
    const NtpDuration age = NtpDuration::FromRaw(static_cast<int64_t>(g() % static_cast<uint64_t>(max_age)) + 1);
    const NtpDuration base = NtpDuration::FromMillis(3);
    const NtpDuration got = system::RootDispersionAt(base, reference, reference + age);
    const int64_t want = (base + age.Scaled(15e-6)).raw();
    if (i % 2 == 0) {
      ASSERT_EQ(got.raw(), want) << "age " << age.raw();
    } else {
      ASSERT_LE(std::abs(got.raw() - want), 1) << "age " << age.raw();
    }
  }
}

// With a memo (the server keeps one per template), the same bytes as without, for receive times
// that step forward by a few microseconds to seconds (across the root dispersion's steps), jump
// back, or land anywhere; and the memo spares most of the computations.
TEST(ReplyTemplate, RootDispersionMemoGivesTheSameBytes) {
  std::mt19937_64 g(34);
  int spans = 0;
  for (int snapshot = 0; snapshot < 200; ++snapshot) {
    const SystemSnapshot s = RandomSnapshot(g);
    const ReplyTemplate t = MakeReplyTemplate(s);
    RootDispersionMemo memo;
    std::array<uint8_t, kHeaderSize> request{};
    request[0] = 0x23;  // v4 mode 3
    NtpTimestamp rx = s.reference_time + NtpDuration::FromRaw(static_cast<int64_t>(g() % (int64_t{1} << 44)));
    for (int i = 0; i < 2000; ++i) {
      switch (g() % 16) {
        case 0: rx = NtpTimestamp::FromRaw(g()); break;                                         // anywhere
        case 1: rx = rx - NtpDuration::FromRaw(static_cast<int64_t>(g() % (1u << 30))); break;  // back
        case 2: rx = rx + NtpDuration::FromRaw(static_cast<int64_t>(g() % (int64_t{1} << 34))); break;
        default: rx = rx + NtpDuration::FromRaw(static_cast<int64_t>(g() % (1u << 24))); break;  // < 4 ms
      }
      std::array<uint8_t, kHeaderSize> plain{};
      std::array<uint8_t, kHeaderSize> memoized{};
      EncodeReplyFromTemplate(t, request, rx, plain);
      EncodeReplyFromTemplate(t, request, rx, memoized, &memo);
      ASSERT_EQ(memoized, plain) << "snapshot " << snapshot << " reply " << i;
      ASSERT_LE(memo.lo, memo.hi);
      spans += memo.hi > memo.lo;
    }
  }
  EXPECT_GT(spans, 200 * 2000 / 2);  // most replies found (or left) a span, not a single age
}

}  // namespace
}  // namespace tempus::core::server

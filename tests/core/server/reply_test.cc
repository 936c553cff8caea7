#include "core/server/reply.h"

#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::core::server {

using system::SystemSnapshot;

namespace {

using testdata::FromHex;

SystemSnapshot SyncedStratum3() {
  SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = 3;
  s.precision = -24;
  s.root_delay = NtpDuration::FromMillis(12);
  s.root_dispersion = NtpDuration::FromMillis(3);
  s.refid = RefId::FromRaw(0x0a000001);
  s.reference_time = NtpTimestamp::FromParts(0xeeb62e00, 0);
  return s;
}

const NtpTimestamp kRx = NtpTimestamp::FromParts(0xeeb62e10, 0x80000000);  // 16.5 s after reftime

Header Reply(std::span<const uint8_t> request, const SystemSnapshot& s) {
  std::vector<uint8_t> out(kHeaderSize);
  auto n = HandleRequest(request, kRx, s, out);
  EXPECT_TRUE(n.has_value());
  EXPECT_EQ(n.value_or(0), kHeaderSize);
  auto d = Decode(out);
  EXPECT_TRUE(d.has_value());
  return d->header;
}

TEST(ServerReply, AnswersEveryCapturedClientRequest) {
  for (const auto& v : testdata::kRequests) {
    const auto req = FromHex(v.hex);
    const auto decoded_req = Decode(req);
    ASSERT_TRUE(decoded_req);
    const Header h = Reply(req, SyncedStratum3());
    EXPECT_EQ(h.mode, Mode::kServer) << v.name;
    EXPECT_EQ(h.version, decoded_req->header.version) << v.name;
    EXPECT_EQ(h.origin_time, decoded_req->header.transmit_time) << v.name;
    EXPECT_EQ(h.poll, decoded_req->header.poll) << v.name;
  }
}

TEST(ServerReply, CopiesTheSystemSnapshot) {
  const auto req = FromHex(testdata::kRequests[1].hex);
  const Header h = Reply(req, SyncedStratum3());
  EXPECT_EQ(h.leap, Leap::kNoWarning);
  EXPECT_EQ(h.stratum, 3);
  EXPECT_EQ(h.precision, -24);
  EXPECT_EQ(h.refid.raw(), 0x0a000001u);
  EXPECT_EQ(h.reference_time, SyncedStratum3().reference_time);
  EXPECT_EQ(h.root_delay, NtpShort::FromDuration(NtpDuration::FromMillis(12)));
  EXPECT_EQ(h.receive_time, kRx);
  EXPECT_EQ(h.transmit_time, kRx);  // until restamped by the edge
}

TEST(ServerReply, RootDispersionGrowsAtPhiSinceTheReferenceTime) {
  const Header h = Reply(FromHex(testdata::kRequests[1].hex), SyncedStratum3());
  // 3 ms + 15 ppm * 16.5 s = 3.2475 ms.
  EXPECT_NEAR(h.root_dispersion.ToDuration().Seconds(), 0.0032475, 2e-5);
}

TEST(ServerReply, HugeRootDispersionSaturatesInsteadOfWrapping) {
  // Found by fuzz_server_handle: near the top of the range the grown dispersion wrapped around
  // (and the 16.16 rounding overflowed); the reply must say "huge", never "tiny".
  SystemSnapshot s = SyncedStratum3();
  s.root_dispersion = NtpDuration::Max() - NtpDuration::FromMicros(1);  // grows by 247 µs by kRx
  EXPECT_EQ(system::RootDispersionAt(s, kRx), NtpDuration::Max());
  EXPECT_EQ(Reply(FromHex(testdata::kRequests[1].hex), s).root_dispersion.raw(), 0xffffffffu);
}

TEST(ServerReply, AnswersEachVersionInKind) {
  auto req = FromHex(testdata::kRequests[1].hex);
  for (int vn = 1; vn <= 4; ++vn) {
    req[0] = static_cast<uint8_t>((vn << 3) | 3);
    EXPECT_EQ(Reply(req, SyncedStratum3()).version, vn);
  }
  // NTPv1 had no modes: mode 0 in v1 is a client request.
  req[0] = static_cast<uint8_t>(1 << 3);
  EXPECT_EQ(Reply(req, SyncedStratum3()).mode, Mode::kServer);
}

TEST(ServerReply, UnsynchronizedServerSaysSo) {
  SystemSnapshot s;  // default: unsynchronized, stratum 16, refid INIT
  const Header h = Reply(FromHex(testdata::kRequests[0].hex), s);
  EXPECT_EQ(h.leap, Leap::kUnsynchronized);
  EXPECT_EQ(h.stratum, 0);  // MAXSTRAT on the wire is 0
  EXPECT_EQ(h.refid.AsCode(), "INIT");
  // A leap warning with stratum 16 is still unsynchronized.
  s.leap = Leap::kNoWarning;
  EXPECT_EQ(Reply(FromHex(testdata::kRequests[0].hex), s).leap, Leap::kUnsynchronized);
}

TEST(ServerReply, DropsEveryModeButClient) {
  auto req = FromHex(testdata::kRequests[1].hex);
  std::vector<uint8_t> out(kHeaderSize);
  const std::pair<int, DropReason> cases[] = {{0, DropReason::kReservedMode},  {1, DropReason::kSymmetricMode},
                                              {2, DropReason::kSymmetricMode}, {4, DropReason::kServerMode},
                                              {5, DropReason::kBroadcastMode}, {6, DropReason::kControlMode},
                                              {7, DropReason::kPrivateMode}};
  for (auto [mode, reason] : cases) {
    req[0] = static_cast<uint8_t>((4 << 3) | mode);
    auto r = HandleRequest(req, kRx, SyncedStratum3(), out);
    ASSERT_FALSE(r.has_value()) << mode;
    EXPECT_EQ(r.error(), reason) << mode;
  }
}

TEST(ServerReply, NeverAnswersCapturedServerReplies) {
  std::vector<uint8_t> out(kHeaderSize);
  for (const auto& v : testdata::kResponses) {
    auto r = HandleRequest(FromHex(v.hex), kRx, SyncedStratum3(), out);
    ASSERT_FALSE(r.has_value()) << v.name;
    EXPECT_EQ(r.error(), DropReason::kServerMode) << v.name;
  }
}

TEST(ServerReply, MalformedInputOfEveryLengthIsATypedDrop) {
  std::vector<uint8_t> out(kHeaderSize);
  ServerStats stats;
  uint64_t state = 12345;
  std::vector<uint8_t> req;
  for (size_t n = 0; n <= 1500; ++n) {
    req.resize(n);
    for (auto& b : req) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      b = static_cast<uint8_t>(state >> 56);
    }
    ++stats.received;
    auto r = HandleRequest(req, kRx, SyncedStratum3(), out);
    if (r) {
      ++stats.replied;
      EXPECT_LE(*r, n) << "reply larger than request";
    } else {
      stats.CountDrop(r.error());
    }
  }
  EXPECT_EQ(stats.replied + stats.TotalDropped(), stats.received);
  EXPECT_EQ(stats.dropped[static_cast<size_t>(DropReason::kTooShort)], kHeaderSize);
}

TEST(ServerReply, RejectsTruncatedExtensionFields) {
  auto req = FromHex(testdata::kRequests[1].hex);
  const std::vector<uint8_t> ef = {0x01, 0x04, 0x00, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  req.insert(req.end(), ef.begin(), ef.end());
  std::vector<uint8_t> out(kHeaderSize);
  auto r = HandleRequest(req, kRx, SyncedStratum3(), out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DropReason::kBadExtensionLength);
}

TEST(ServerReply, ReplyIsNeverLongerThanTheRequest) {
  // A 68-byte authenticated request still gets a 48-byte reply.
  auto req = FromHex(testdata::kRequests[1].hex);
  req.resize(68, 0x5a);
  std::vector<uint8_t> out(1500);
  auto r = HandleRequest(req, kRx, SyncedStratum3(), out);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, kHeaderSize);
}

TEST(ServerReply, SmallReplyBufferIsADrop) {
  std::vector<uint8_t> out(10);
  auto r = HandleRequest(FromHex(testdata::kRequests[1].hex), kRx, SyncedStratum3(), out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DropReason::kReplyBufferTooSmall);
}

TEST(ServerReply, DropReasonNamesAreDistinct) {
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    for (size_t j = i + 1; j < kDropReasonCount; ++j) {
      EXPECT_NE(DropReasonName(static_cast<DropReason>(i)), DropReasonName(static_cast<DropReason>(j)));
    }
  }
}

}  // namespace
}  // namespace tempus::core::server

#include "core/wire/codec.h"

#include <vector>

#include <gtest/gtest.h>

#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::core {
namespace {

using testdata::FromHex;
using testdata::ToHex;

std::vector<uint8_t> Reencode(const DecodedPacket& p, std::span<const uint8_t> original) {
  std::vector<uint8_t> out(original.size());
  const auto trailer = original.subspan(kHeaderSize);
  EXPECT_EQ(Encode(p.header, trailer, out), original.size());
  return out;
}

TEST(Codec, EveryCapturedPacketRoundTripsByteForByte) {
  for (const auto& vectors : {std::span(testdata::kRequests), std::span(testdata::kResponses)}) {
    for (const auto& v : vectors) {
      const auto bytes = FromHex(v.hex);
      auto decoded = Decode(bytes);
      ASSERT_TRUE(decoded.has_value()) << v.name;
      EXPECT_EQ(ToHex(Reencode(*decoded, bytes)), v.hex) << v.name;
      EXPECT_TRUE(decoded->extensions.empty()) << v.name;
      EXPECT_FALSE(decoded->mac.has_value()) << v.name;
    }
  }
}

TEST(Codec, ChronyClientRequestFields) {
  // C2: LI0 VN4 mode 3, poll 4, precision 0x20 (+32: chrony's request marker), random transmit.
  auto p = Decode(FromHex(testdata::kRequests[1].hex));
  ASSERT_TRUE(p);
  const Header& h = p->header;
  EXPECT_EQ(h.leap, Leap::kNoWarning);
  EXPECT_EQ(h.version, 4);
  EXPECT_EQ(h.mode, Mode::kClient);
  EXPECT_EQ(h.stratum, 0);
  EXPECT_EQ(h.poll, 4);
  EXPECT_EQ(h.precision, 32);
  EXPECT_TRUE(h.origin_time.IsZero());
  EXPECT_TRUE(h.receive_time.IsZero());
  EXPECT_EQ(h.transmit_time.raw(), 0xf9eff39608361db3u);
  EXPECT_FALSE(h.IsKissOfDeath());
}

TEST(Codec, NtpdigRequestSaysUnsynchronized) {
  auto p = Decode(FromHex(testdata::kRequests[3].hex));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.leap, Leap::kUnsynchronized);
  EXPECT_EQ(p->header.version, 4);
  EXPECT_EQ(p->header.mode, Mode::kClient);
}

TEST(Codec, ChronyServerResponseFields) {
  // S1: LI0 VN4 mode 4, stratum 8, poll 4, precision -26, refid 127.127.1.1.
  auto p = Decode(FromHex(testdata::kResponses[0].hex));
  ASSERT_TRUE(p);
  const Header& h = p->header;
  EXPECT_EQ(h.mode, Mode::kServer);
  EXPECT_EQ(h.stratum, 8);
  EXPECT_EQ(h.poll, 4);
  EXPECT_EQ(h.precision, -26);
  EXPECT_EQ(h.refid.AsDottedQuad(), "127.127.1.1");
  EXPECT_EQ(h.reference_time.raw(), 0xeeb62e39a1707cc8u);
  EXPECT_EQ(h.origin_time.raw(), 0xf9eff39608361db3u);  // = C2's transmit
  EXPECT_EQ(h.receive_time.raw(), 0xeeb62e3aa94fafa1u);
  EXPECT_EQ(h.transmit_time.raw(), 0xeeb62e3aa961ea6au);
}

TEST(Codec, NtpsecUnsynchronizedResponseIsAnInitKiss) {
  // N2: LI3, stratum 0, refid "INIT": a kiss code that is not RATE/DENY/RSTR.
  auto p = Decode(FromHex(testdata::kResponses[3].hex));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.leap, Leap::kUnsynchronized);
  EXPECT_EQ(p->header.stratum, 0);
  EXPECT_TRUE(p->header.IsKissOfDeath());
  EXPECT_EQ(p->header.refid.AsCode(), "INIT");
  EXPECT_EQ(KissCodeOf(p->header.refid), KissCode::kOther);
  EXPECT_EQ(p->header.refid.ToDisplay(0), ".INIT.");
}

TEST(Codec, OpenntpdResponseKeepsOddRootDelay) {
  auto p = Decode(FromHex(testdata::kResponses[6].hex));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.stratum, 9);
  EXPECT_EQ(p->header.precision, -29);
  EXPECT_EQ(p->header.root_delay.raw(), 2u);
  EXPECT_EQ(p->header.refid.AsDottedQuad(), "127.0.0.1");
}

TEST(Codec, RejectsEveryLengthBelowTheHeader) {
  std::vector<uint8_t> bytes(kHeaderSize, 0x23);
  for (size_t n = 0; n < kHeaderSize; ++n) {
    auto p = Decode(std::span(bytes).first(n));
    ASSERT_FALSE(p.has_value()) << n;
    EXPECT_EQ(p.error(), DecodeError::kTooShort);
  }
}

TEST(Codec, RejectsVersionsZeroAndFiveToSeven) {
  auto bytes = FromHex(testdata::kRequests[0].hex);
  for (int vn : {0, 5, 6, 7}) {
    bytes[0] = static_cast<uint8_t>((vn << 3) | 3);
    auto p = Decode(bytes);
    ASSERT_FALSE(p) << vn;
    EXPECT_EQ(p.error(), DecodeError::kBadVersion);
  }
  for (int vn : {1, 2, 3, 4}) {
    bytes[0] = static_cast<uint8_t>((vn << 3) | 3);
    EXPECT_TRUE(Decode(bytes)) << vn;
  }
}

std::vector<uint8_t> WithTrailer(std::vector<uint8_t> trailer) {
  auto bytes = FromHex(testdata::kRequests[0].hex);
  bytes.insert(bytes.end(), trailer.begin(), trailer.end());
  return bytes;
}

TEST(Codec, RecognisesMacsOfEverySize) {
  // key id 0x01020304 + 16-byte digest (MD5 / AES-CMAC).
  std::vector<uint8_t> mac = {1, 2, 3, 4};
  mac.resize(20, 0xaa);
  auto p = Decode(WithTrailer(mac));
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->mac.has_value());
  EXPECT_EQ(p->mac->key_id, 0x01020304u);
  EXPECT_EQ(p->mac->digest.size(), 16u);
  // SHA-1: 20-byte digest.
  mac.resize(24, 0xbb);
  p = Decode(WithTrailer(mac));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->mac->digest.size(), 20u);
  // Crypto-NAK: key id only.
  p = Decode(WithTrailer({0, 0, 0, 0}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->mac->key_id, 0u);
  EXPECT_TRUE(p->mac->digest.empty());
}

TEST(Codec, ParsesExtensionFieldsThenMac) {
  // EF type 0x0104 (NTS unique identifier), length 36; EF type 0x0204 length 28; then a MD5 MAC.
  std::vector<uint8_t> trailer = {0x01, 0x04, 0x00, 36};
  trailer.resize(36, 0x11);
  const std::vector<uint8_t> ef2_head = {0x02, 0x04, 0x00, 28};
  trailer.insert(trailer.end(), ef2_head.begin(), ef2_head.end());
  trailer.resize(36 + 28, 0x22);
  const std::vector<uint8_t> mac = {0, 0, 0, 7};
  trailer.insert(trailer.end(), mac.begin(), mac.end());
  trailer.resize(36 + 28 + 20, 0x33);
  const auto bytes = WithTrailer(trailer);  // the decoded spans point into it
  auto p = Decode(bytes);
  ASSERT_TRUE(p);
  std::vector<ExtensionField> fields(p->extensions.begin(), p->extensions.end());
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].type, 0x0104);
  EXPECT_EQ(fields[0].value.size(), 32u);
  EXPECT_EQ(fields[0].value[0], 0x11);
  EXPECT_EQ(fields[1].type, 0x0204);
  EXPECT_EQ(fields[1].value.size(), 24u);
  ASSERT_TRUE(p->mac);
  EXPECT_EQ(p->mac->key_id, 7u);
  EXPECT_EQ(p->size, kHeaderSize + trailer.size());
}

TEST(Codec, RejectsBadExtensionFields) {
  // Length shorter than 16.
  auto p = Decode(
      WithTrailer({0x01, 0x04, 0x00, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error(), DecodeError::kBadExtensionLength);
  // Length not a multiple of 4.
  std::vector<uint8_t> t = {0x01, 0x04, 0x00, 30};
  t.resize(32, 0);
  p = Decode(WithTrailer(t));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error(), DecodeError::kBadExtensionLength);
  // Length past the end (truncated field).
  t = {0x01, 0x04, 0x01, 0x00};
  t.resize(40, 0);
  p = Decode(WithTrailer(t));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error(), DecodeError::kBadExtensionLength);
  // A remainder that is neither a field nor a MAC.
  p = Decode(WithTrailer({1, 2, 3, 4, 5, 6, 7, 8}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error(), DecodeError::kBadTrailer);
}

TEST(Codec, EveryLengthUpTo1500DecodesOrFailsCleanly) {
  // Deterministic pseudo-random bytes: any input gives a value or a typed error, and a decoded
  // packet re-encodes to its own bytes.
  uint64_t state = 0x9e3779b97f4a7c15u;
  std::vector<uint8_t> bytes;
  int decoded = 0;
  for (size_t n = 0; n <= 1500; ++n) {
    bytes.resize(n);
    for (auto& b : bytes) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      b = static_cast<uint8_t>(state >> 56);
    }
    if (n >= 1) bytes[0] = static_cast<uint8_t>((bytes[0] & 0xc7) | (4 << 3));  // VN 4
    auto p = Decode(bytes);
    if (!p) continue;
    ++decoded;
    std::vector<uint8_t> out(n);
    ASSERT_EQ(Encode(p->header, std::span(bytes).subspan(kHeaderSize), out), n);
    ASSERT_EQ(out, bytes) << n;
  }
  EXPECT_GE(decoded, 3);  // 48, 52, 68, 72 bytes at least
}

TEST(Codec, EncodeRefusesASmallBuffer) {
  Header h;
  std::vector<uint8_t> out(47);
  EXPECT_EQ(Encode(h, {}, out), 0u);
}

TEST(Codec, StampTransmitOverwritesOnlyTheTransmitField) {
  auto bytes = FromHex(testdata::kResponses[0].hex);
  const auto before = bytes;
  StampTransmit(bytes, NtpTimestamp::FromParts(0x01020304, 0x05060708));
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.begin() + 40, before.begin()));
  auto p = Decode(bytes);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.transmit_time, NtpTimestamp::FromParts(0x01020304, 0x05060708));
}

TEST(RefId, CodesAndAddresses) {
  EXPECT_EQ(RefId::FromCode("GPS").raw(), 0x47505300u);
  EXPECT_EQ(RefId::FromCode("GPS").AsCode(), "GPS");
  EXPECT_EQ(RefId::FromCode("GPS").ToDisplay(1), ".GPS.");
  EXPECT_EQ(RefId::FromRaw(0x7f000001).ToDisplay(8), "127.0.0.1");
  EXPECT_EQ(RefId::FromRaw(0x7f000001).AsCode(), "");  // not printable
  const uint8_t digest[] = {0xde, 0xad, 0xbe, 0xef, 0x00};
  EXPECT_EQ(RefId::FromDigestPrefix(digest).raw(), 0xdeadbeefu);
}

TEST(KissCode, RoundTrip) {
  for (auto k : {KissCode::kRate, KissCode::kDeny, KissCode::kRstr, KissCode::kNtsNak}) {
    EXPECT_EQ(KissCodeOf(RefIdOf(k)), k);
  }
  EXPECT_EQ(RefIdOf(KissCode::kRate).AsCode(), "RATE");
  EXPECT_EQ(KissCodeOf(RefId::FromCode("XYZW")), KissCode::kOther);
}

}  // namespace
}  // namespace tempus::core

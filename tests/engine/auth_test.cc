// MACs (RFC 5905 §7.3, RFC 8573) against vectors recorded once from the OpenSSL command line, and
// the server path's answers to signed, badly signed and unsigned requests.
//
// The packet P of the vectors is the 48 bytes
//   230206ec 00000000 ... 00000000 e90f3a8c 12345678   (a client request, transmit = e90f3a8c.12345678)
// and the vectors were computed with (P in auth_pkt.bin, the key text in auth_k.bin):
//   cat auth_k.bin auth_pkt.bin | openssl dgst -md5     (key "tempus-key-1")
//   cat auth_k.bin auth_pkt.bin | openssl dgst -sha1
//   cat auth_k.bin auth_pkt.bin | openssl dgst -sha256  (ntpd sends the first 20 bytes)
//   openssl mac -cipher AES-128-CBC -macopt hexkey:000102030405060708090a0b0c0d0e0f -in auth_pkt.bin CMAC
// and RFC 4493 §4 example 1 (the empty message) for AES-CMAC itself.
#include "engine/auth.h"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "engine/fake_clock.h"
#include "engine/served_node.h"
#include "testdata/hex.h"

namespace tempus::engine {
namespace {

using core::AuthVerdict;
using core::server::DropReason;

constexpr char kPacketHex[] =
    "230206ec000000000000000000000000000000000000000000000000000000000000000000000000e90f3a8c12345678";

std::string Hex(std::span<const uint8_t> bytes) {
  return testdata::ToHex(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

std::vector<uint8_t> Text(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::string Digest(const AuthKey& key, const std::vector<uint8_t>& message) {
  std::array<uint8_t, 20> out{};
  const size_t n = ComputeDigest(key, message, out);
  return Hex(std::span<const uint8_t>(out).first(n));
}

TEST(Mac, DigestsMatchOpensslCli) {
  const auto p = testdata::FromHex(kPacketHex);
  ASSERT_EQ(p.size(), 48u);
  EXPECT_EQ(Digest(AuthKey(1, MacAlgorithm::kMd5, Text("tempus-key-1"), true), p), "ecdb011ef912b98f997120d84ff01b11");
  EXPECT_EQ(Digest(AuthKey(2, MacAlgorithm::kSha1, Text("tempus-key-1"), true), p),
            "b3871b2e56f22d4d64d1ddea852a6024cd7c05e7");
  EXPECT_EQ(Digest(AuthKey(3, MacAlgorithm::kSha256, Text("tempus-key-1"), true), p),
            "5c43202b07e7ce339d1a21970b4061edb83713ef");  // truncated to 20 bytes
  EXPECT_EQ(Digest(AuthKey(4, MacAlgorithm::kAes128Cmac, testdata::FromHex("000102030405060708090a0b0c0d0e0f"), true),
                   p),
            "e7f9a1c8208ec2c2d85c0fe96a8636e8");
  EXPECT_EQ(Digest(AuthKey(5, MacAlgorithm::kAes128Cmac, testdata::FromHex("2b7e151628aed2a6abf7158809cf4f3c"), true),
                   {}),
            "bb1d6929e95937287fa37d129b756746");  // RFC 4493 example 1
}

std::vector<AuthKey> RingKeys() {
  std::vector<AuthKey> keys;
  keys.emplace_back(1, MacAlgorithm::kMd5, Text("tempus-key-1"), true);
  keys.emplace_back(2, MacAlgorithm::kSha1, Text("tempus-key-1"), true);
  keys.emplace_back(4, MacAlgorithm::kAes128Cmac, testdata::FromHex("000102030405060708090a0b0c0d0e0f"), true);
  keys.emplace_back(7, MacAlgorithm::kMd5, Text("untrusted"), false);
  return keys;
}

KeyRing Ring() { return KeyRing(RingKeys()); }

// A node that serves time with the keys of Ring() (and `access`).
NodeConfig Keyed(core::server::AccessPolicy access = {}) {
  NodeConfig config;
  config.keys = RingKeys();
  config.access = std::move(access);
  return config;
}

std::vector<uint8_t> Signed(const KeyRing& ring, uint32_t id) {
  std::vector<uint8_t> packet = testdata::FromHex(kPacketHex);
  packet.resize(48 + kMaxMacSize);
  const auto size = ring.Sign(id, packet, 48);
  EXPECT_TRUE(size);
  packet.resize(size.value_or(48));
  return packet;
}

TEST(KeyRing, SignWritesKeyIdAndTheVectorDigest) {
  const KeyRing ring = Ring();
  EXPECT_EQ(Hex(std::span<const uint8_t>(Signed(ring, 1)).subspan(48)), "00000001ecdb011ef912b98f997120d84ff01b11");
  EXPECT_EQ(Hex(std::span<const uint8_t>(Signed(ring, 2)).subspan(48)),
            "00000002b3871b2e56f22d4d64d1ddea852a6024cd7c05e7");
  EXPECT_EQ(Hex(std::span<const uint8_t>(Signed(ring, 4)).subspan(48)), "00000004e7f9a1c8208ec2c2d85c0fe96a8636e8");
  std::vector<uint8_t> buf(72);
  EXPECT_FALSE(ring.Sign(7, buf, 48));                       // untrusted
  EXPECT_FALSE(ring.Sign(9, buf, 48));                       // unknown
  EXPECT_FALSE(ring.Sign(2, std::span(buf).first(68), 48));  // no room for a SHA1 MAC
}

TEST(KeyRing, CheckGivesEachVerdict) {
  const KeyRing ring = Ring();
  for (uint32_t id : {1u, 2u, 4u}) {
    uint32_t seen = 0;
    EXPECT_EQ(ring.Check(Signed(ring, id), std::nullopt, &seen), AuthVerdict::kOk) << id;
    EXPECT_EQ(seen, id);
    EXPECT_EQ(ring.Check(Signed(ring, id), id), AuthVerdict::kOk) << id;
    EXPECT_EQ(ring.Check(Signed(ring, id), 99), AuthVerdict::kBad) << id;  // not the association's key
    for (size_t at : {size_t{0}, size_t{47}, size_t{55}}) {                // header, transmit stamp, digest
      auto tampered = Signed(ring, id);
      tampered[at] ^= 0x01;
      EXPECT_EQ(ring.Check(tampered), AuthVerdict::kBad) << id << " byte " << at;
    }
  }
  const auto plain = testdata::FromHex(kPacketHex);
  EXPECT_EQ(ring.Check(plain, 1), AuthVerdict::kNone);
  auto nak = plain;
  nak.insert(nak.end(), {0, 0, 0, 0});
  EXPECT_EQ(ring.Check(nak, 1), AuthVerdict::kCryptoNak);
  // A MAC by an untrusted key, even a correct one, authenticates nothing.
  std::vector<AuthKey> trusting;
  trusting.emplace_back(7, MacAlgorithm::kMd5, Text("untrusted"), true);
  auto by7 = Signed(KeyRing(std::move(trusting)), 7);
  EXPECT_EQ(ring.Check(by7), AuthVerdict::kBad);
  // A digest of the wrong size for the key's type (an MD5-sized MAC claiming SHA1 key 2).
  auto wrong_size = Signed(ring, 1);
  wrong_size[51] = 2;
  EXPECT_EQ(ring.Check(wrong_size), AuthVerdict::kBad);
}

core::NetAddress A(const char* s) { return core::NetAddress::Parse(s).value(); }

// The server route through the engine (served_node.h): the core decides, the engine signs.
TEST(NodeServeAuth, SignedRequestGetsASignedReplyOfTheSameSize) {
  const KeyRing ring = Ring();
  ServedNode path(Keyed());
  for (uint32_t id : {1u, 2u, 4u}) {
    const auto req = Signed(ring, id);
    auto reply = path.Ask(req);
    ASSERT_TRUE(reply) << id;
    EXPECT_EQ(reply->size(), req.size());
    uint32_t seen = 0;
    EXPECT_EQ(ring.Check(*reply, id, &seen), AuthVerdict::kOk) << id;
    EXPECT_EQ(seen, id);
    EXPECT_EQ(core::Decode(*reply)->header.mode, core::Mode::kServer);
  }
  EXPECT_EQ(path.stats().replied, 3u);
}

TEST(NodeServeAuth, BadMacGetsACryptoNak) {
  const KeyRing ring = Ring();
  ServedNode path(Keyed());
  auto bad = Signed(ring, 2);
  bad.back() ^= 0x80;
  std::vector<AuthKey> other;
  other.emplace_back(7, MacAlgorithm::kMd5, Text("untrusted"), true);
  const auto untrusted = Signed(KeyRing(std::move(other)), 7);
  for (const auto& req : {bad, untrusted}) {
    auto reply = path.Ask(req);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->size(), 52u);
    EXPECT_LE(reply->size(), req.size());
    EXPECT_EQ(ring.Check(*reply), AuthVerdict::kCryptoNak);
  }
  EXPECT_EQ(path.Dropped(DropReason::kCryptoNakSent), 2u);
  EXPECT_EQ(path.stats().replied, 0u);
  // Without keys at all, any MAC fails the same way.
  ServedNode keyless;
  auto reply = keyless.Ask(Signed(ring, 1));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->size(), 52u);
  // An unsigned request is answered as always, without MAC.
  auto plain = path.Ask(testdata::FromHex(kPacketHex));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->size(), 48u);
}

TEST(NodeServeAuth, NotrustServesOnlyAuthenticatedRequests) {
  const KeyRing ring = Ring();
  core::server::AccessPolicy access;
  access.restricts = {core::server::RestrictRule::Default(core::NetAddress::Family::kIPv4,
                                                          static_cast<uint32_t>(core::server::Restrict::kNoTrust))};
  ServedNode path(Keyed(access));
  EXPECT_FALSE(path.Ask(testdata::FromHex(kPacketHex), A("192.0.2.1:123")));
  auto bad = Signed(ring, 1);
  bad[60] ^= 1;
  EXPECT_FALSE(path.Ask(bad, A("192.0.2.1:123")));  // no crypto-NAK, no time
  EXPECT_EQ(path.Dropped(DropReason::kNotAuthenticated), 2u);
  auto good = path.Ask(Signed(ring, 1), A("192.0.2.1:123"));
  ASSERT_TRUE(good);
  EXPECT_EQ(ring.Check(*good, 1), AuthVerdict::kOk);
  EXPECT_EQ(path.stats().replied, 1u);
}

}  // namespace
}  // namespace tempus::engine

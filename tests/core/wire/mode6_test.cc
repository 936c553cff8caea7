#include "core/wire/mode6.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testdata/hex.h"
#include "testdata/mode6_vectors.h"

namespace tempus::core::mode6 {
namespace {

using testdata::FromHex;
using testdata::ToHex;

std::string Text(std::span<const uint8_t> data) { return std::string(data.begin(), data.end()); }

TEST(Mode6, DecodesNtpqRequestsAndReencodesThemByteForByte) {
  for (auto hex : {testdata::kReadVarSystemRequest, testdata::kReadStatRequest, testdata::kReadVarPeerRequest}) {
    const auto bytes = FromHex(hex);
    auto m = Decode(bytes);
    ASSERT_TRUE(m.has_value()) << hex;
    EXPECT_EQ(m->header.version, 2);  // classic ntpq sends VN=2
    EXPECT_EQ(m->header.leap, 3);
    EXPECT_FALSE(m->header.response);
    EXPECT_EQ(m->header.count, 0);
    EXPECT_EQ(ToHex(Encode(m->header, m->data)), hex);
  }
  const auto peer_bytes = FromHex(testdata::kReadVarPeerRequest);
  auto peer = Decode(peer_bytes);
  EXPECT_EQ(peer->header.opcode, static_cast<uint8_t>(Opcode::kReadVariables));
  EXPECT_EQ(peer->header.sequence, 2);
  EXPECT_EQ(peer->header.association_id, 17767);
}

TEST(Mode6, DecodesTheSystemReadVarAnswer) {
  const auto bytes = FromHex(testdata::kReadVarSystemResponse);
  auto m = Decode(bytes);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->header.version, 2);
  EXPECT_TRUE(m->header.response);
  EXPECT_FALSE(m->header.more);
  EXPECT_EQ(m->header.status, 0x0016);
  EXPECT_EQ(m->header.count, 0x161);
  EXPECT_EQ(ToHex(Encode(m->header, m->data)), testdata::kReadVarSystemResponse);
  const auto vars = ParseVariables(m->data);
  ASSERT_EQ(vars.size(), 19u);
  EXPECT_EQ(vars[0], (std::pair<std::string, std::string>("leap", "0")));
  EXPECT_EQ(vars[1].second, "9");
  EXPECT_EQ(vars[3], (std::pair<std::string, std::string>("rootdelay", "0.033")));
  EXPECT_EQ(vars[5].second, "127.0.0.1");
  EXPECT_EQ(vars[14], (std::pair<std::string, std::string>("processor", "x86_64")));
  EXPECT_EQ(vars[16], (std::pair<std::string, std::string>("version", "ntpd ntpsec-1.2.2")));
  EXPECT_EQ(vars[18], (std::pair<std::string, std::string>("mintc", "0")));
}

TEST(Mode6, DecodesTheReadStatAnswer) {
  const auto bytes = FromHex(testdata::kReadStatResponse);
  auto m = Decode(bytes);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->header.opcode, 1);
  auto list = ParseStatusList(m->data);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].association_id, 17767);
  EXPECT_EQ((*list)[0].status, 0xb61a);
  // b61a: configured, authentic, reachable; select 6 (sys.peer, tally '*'); 1 event, sys_peer.
  EXPECT_EQ(PeerSelect(0xb61a), 6);
  EXPECT_EQ(TallyChar(PeerSelect(0xb61a)), '*');
  EXPECT_EQ(EventCount(0xb61a), 1);
  EXPECT_EQ(EventCode(0xb61a), 10);
  EXPECT_TRUE(0xb61a & kPeerConfigured);
  EXPECT_TRUE(0xb61a & kPeerReachable);
  EXPECT_EQ(ToHex(Encode(m->header, m->data)), testdata::kReadStatResponse);
}

TEST(Mode6, ReassemblesTheTwoFragmentPeerAnswer) {
  const auto f1 = FromHex(testdata::kReadVarPeerFragment1);
  const auto f2 = FromHex(testdata::kReadVarPeerFragment2);
  auto m1 = Decode(f1);
  auto m2 = Decode(f2);
  ASSERT_TRUE(m1.has_value());
  ASSERT_TRUE(m2.has_value());
  EXPECT_TRUE(m1->header.more);
  EXPECT_EQ(m1->header.offset, 0);
  EXPECT_EQ(m1->header.count, 468);
  EXPECT_FALSE(m2->header.more);
  EXPECT_EQ(m2->header.offset, 468);
  EXPECT_EQ(m2->header.count, 190);
  // Fragment 1 re-encodes exactly; fragment 2 exactly except its 2 padding bytes (ntpd sends
  // garbage there, we send zeros).
  EXPECT_EQ(ToHex(Encode(m1->header, m1->data)), testdata::kReadVarPeerFragment1);
  const std::string re2 = ToHex(Encode(m2->header, m2->data));
  ASSERT_EQ(re2.size(), testdata::kReadVarPeerFragment2.size());
  EXPECT_EQ(re2.substr(0, re2.size() - 4), testdata::kReadVarPeerFragment2.substr(0, re2.size() - 4));

  // Out of order, with a duplicate: still one answer of 658 bytes.
  Reassembler r(2, Opcode::kReadVariables);
  auto s = r.Add(*m2);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, Reassembler::State::kIncomplete);
  s = r.Add(*m2);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, Reassembler::State::kIncomplete);
  s = r.Add(*m1);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, Reassembler::State::kComplete);
  EXPECT_EQ(r.data().size(), 658u);
  EXPECT_EQ(r.status(), 0xb61a);
  EXPECT_EQ(r.association_id(), 17767);

  // The text survives ntpd 1.2.2's uninitialised bytes in filtdelay/filtoffset/filtdisp.
  const auto vars = ParseVariables(r.data());
  std::map<std::string, std::string> byname(vars.begin(), vars.end());
  EXPECT_EQ(byname["srcadr"], "127.0.0.1");
  EXPECT_EQ(byname["hmode"], "3");
  EXPECT_EQ(byname["stratum"], "8");
  EXPECT_EQ(byname["hpoll"], "4");
  EXPECT_EQ(byname["reach"], "0x7");
  EXPECT_EQ(byname["delay"], "0.032905");
  EXPECT_EQ(byname["offset"], "0.010665");
  EXPECT_EQ(byname["jitter"], "0.002761");
  EXPECT_EQ(byname["rec"], "0xeeb62e9c.82cac519");
  EXPECT_EQ(byname["ntscookies"], "-1");
  for (const auto& [name, value] : vars) {
    for (char c : name + value) EXPECT_TRUE(c > 0 && c < 127) << name;
  }
}

TEST(Mode6, ReassemblerRejectsOtherExchangesErrorsAndOverlaps) {
  Reassembler r(7, Opcode::kReadVariables);
  Header h;
  h.response = true;
  h.opcode = 2;
  h.sequence = 8;
  const std::vector<uint8_t> data(8, 'a');
  auto wrong_seq = Decode(Encode(h, data));
  EXPECT_EQ(r.Add(*wrong_seq).error(), Reassembler::Error::kWrongSequence);
  h.sequence = 7;
  h.opcode = 1;
  EXPECT_EQ(r.Add(*Decode(Encode(h, data))).error(), Reassembler::Error::kWrongOpcode);
  h.opcode = 2;
  h.more = true;
  EXPECT_EQ(*r.Add(*Decode(Encode(h, data))), Reassembler::State::kIncomplete);
  h.offset = 4;  // overlaps [0, 8)
  EXPECT_EQ(r.Add(*Decode(Encode(h, data))).error(), Reassembler::Error::kOverlap);
  Header e = h;
  e.error = true;
  e.more = false;
  e.status = 0x0400;
  EXPECT_EQ(r.Add(*Decode(Encode(e, {}))).error(), Reassembler::Error::kErrorResponse);
  EXPECT_EQ(r.error_code(), ErrorCode::kUnknownAssociation);
}

TEST(Mode6, TypedDecodeErrors) {
  auto ok = FromHex(testdata::kReadStatRequest);
  EXPECT_EQ(Decode(std::span(ok).first(11)).error(), Mode6Error::kTooShort);
  auto not6 = ok;
  not6[0] = 0xd3;  // mode 3
  EXPECT_EQ(Decode(not6).error(), Mode6Error::kNotControl);
  auto v0 = ok;
  v0[0] = 0xc6;  // VN 0
  EXPECT_EQ(Decode(v0).error(), Mode6Error::kBadVersion);
  auto v5 = ok;
  v5[0] = 0xee;  // VN 5
  EXPECT_EQ(Decode(v5).error(), Mode6Error::kBadVersion);
  auto count = ok;
  count[11] = 1;  // claims one byte of data, has none
  EXPECT_EQ(Decode(count).error(), Mode6Error::kBadCount);
  auto offset = ok;
  offset.push_back('x');
  offset.push_back(0);
  offset.push_back(0);
  offset.push_back(0);
  offset[8] = 0xff;
  offset[9] = 0xff;
  offset[11] = 1;  // 65535 + 1
  EXPECT_EQ(Decode(offset).error(), Mode6Error::kBadOffset);
  for (uint8_t vn = 1; vn <= 4; ++vn) {
    auto v = ok;
    v[0] = static_cast<uint8_t>(0xc0 | (vn << 3) | 6);
    EXPECT_TRUE(Decode(v).has_value()) << int{vn};
  }
}

TEST(Mode6, ResponsesAreFragmentedAt468BytesAndPadded) {
  Header request;
  request.version = 3;
  request.opcode = 2;
  request.sequence = 99;
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>('a' + i % 26);
  const auto frags = EncodeResponse(request, 0x1234, 5, data);
  ASSERT_EQ(frags.size(), 3u);
  Reassembler r(99, Opcode::kReadVariables);
  size_t expected_offset = 0;
  for (size_t i = 0; i < frags.size(); ++i) {
    EXPECT_EQ(frags[i].size() % 4, 0u);
    auto m = Decode(frags[i]);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->header.version, 3);
    EXPECT_TRUE(m->header.response);
    EXPECT_EQ(m->header.more, i + 1 < frags.size());
    EXPECT_EQ(m->header.offset, expected_offset);
    EXPECT_LE(m->header.count, kMaxFragmentData);
    expected_offset += m->header.count;
    (void)r.Add(*m);
  }
  EXPECT_EQ(r.data(), data);
  EXPECT_EQ(frags[2].size(), 12u + 64u);  // 1000 - 936 = 64
  EXPECT_EQ(EncodeResponse(request, 0, 0, {}).size(), 1u);
}

TEST(Mode6, ErrorResponseCarriesTheCode) {
  Header request;
  request.opcode = 3;
  request.sequence = 4;
  request.association_id = 9;
  auto m = Decode(EncodeError(request, ErrorCode::kPermission));
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->header.error);
  EXPECT_TRUE(m->header.response);
  EXPECT_EQ(m->header.status >> 8, 7);
  EXPECT_EQ(m->header.association_id, 9);
  EXPECT_EQ(m->header.count, 0);
}

TEST(Mode6, ParseVariablesHandlesQuotesAndEmptyValues) {
  const std::string text = "a=1, b=\"x, y\",\r\n c, d= 2 ,";
  const auto vars = ParseVariables(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  ASSERT_EQ(vars.size(), 4u);
  EXPECT_EQ(vars[1], (std::pair<std::string, std::string>("b", "x, y")));
  EXPECT_EQ(vars[2], (std::pair<std::string, std::string>("c", "")));
  EXPECT_EQ(vars[3], (std::pair<std::string, std::string>("d", "2")));
  EXPECT_EQ(Text(EncodeRequest(Opcode::kReadVariables, 1, 0, "leap")).substr(12, 4), "leap");
  EXPECT_FALSE(ParseStatusList(std::vector<uint8_t>(5)).has_value());
}

}  // namespace
}  // namespace tempus::core::mode6

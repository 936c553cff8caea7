#include "core/nts/ke_record.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testdata/hex.h"

namespace tempus::core::nts {
namespace {

using testdata::FromHex;

// A client request as chrony and NTPsec send it (RFC 8915 §4.1): Next Protocol NTPv4 (critical),
// AEAD AES-SIV-CMAC-256 (critical), End of Message.
constexpr std::string_view kClientRequest =
    "80010002"
    "0000"
    "80040002"
    "000f"
    "80000000";

std::string Cookie(int i) { return "00050008" + std::string(14, '0') + std::to_string(i % 10) + "f"; }

TEST(KeRecord, ParsesAClientRequest) {
  const auto bytes = FromHex(kClientRequest);
  auto m = ParseKeMessage(bytes);
  ASSERT_TRUE(m) << KeDecodeErrorName(m.error());
  ASSERT_TRUE(m->next_protocols && m->aead_algorithms);
  EXPECT_EQ(m->next_protocols->size(), 1u);
  EXPECT_TRUE(m->next_protocols->Contains(kProtocolNtpV4));
  EXPECT_TRUE(m->aead_algorithms->Contains(kAeadAesSivCmac256));
  EXPECT_EQ(m->size, bytes.size());
  EXPECT_FALSE(RequestProblem(*m));
}

TEST(KeRecord, ParsesAServerResponseWithCookiesServerAndPort) {
  // §4.1.6 to §4.1.8: cookies are not critical; server and port may be.
  std::string hex =
      "80010002"
      "0000"
      "80040002"
      "000f";
  for (int i = 0; i < 8; ++i) hex += Cookie(i);
  hex += "8006000b" + std::string("3132372e302e302e3132") + "33" +
         "80070002"
         "007b"
         "80000000";
  const auto bytes = FromHex(hex);
  auto m = ParseKeMessage(bytes);
  ASSERT_TRUE(m) << KeDecodeErrorName(m.error());
  EXPECT_EQ(m->cookie_count, 8u);
  EXPECT_EQ(m->cookies[7].size(), 8u);
  EXPECT_EQ(m->cookies[7][7], 0x7f);
  EXPECT_EQ(m->server, "127.0.0.123");
  EXPECT_EQ(m->port, 123);
  EXPECT_FALSE(m->error);
}

TEST(KeRecord, WriterOutputParsesBack) {
  std::array<uint8_t, 512> buf{};
  KeMessageWriter w(buf);
  const std::array<uint16_t, 1> ntp{kProtocolNtpV4};
  const std::array<uint16_t, 2> aead{kAeadAesSivCmac256, 16};
  w.Ids(KeRecordType::kNextProtocol, true, ntp);
  w.Ids(KeRecordType::kAeadAlgorithm, true, aead);
  const std::array<uint8_t, 3> cookie{1, 2, 3};
  w.Record(KeRecordType::kNewCookie, false, cookie);
  w.U16(KeRecordType::kPort, true, 4123);
  w.End();
  ASSERT_TRUE(w.ok());
  auto m = ParseKeMessage(w.bytes());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->aead_algorithms->size(), 2u);
  EXPECT_EQ((*m->aead_algorithms)[1], 16);
  EXPECT_EQ(m->port, 4123);
  ASSERT_EQ(m->cookie_count, 1u);
  EXPECT_EQ(m->cookies[0][2], 3);
}

// Found by fuzz_nts_ke (tests/testdata/fuzz/nts_ke/long-protocol-list): a list of 48 ids parsed,
// but the writer refused lists of more than 32.
TEST(KeRecord, WriterTakesIdListsOfAnyLength) {
  std::array<uint16_t, 300> ids{};
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<uint16_t>(i * 7);
  std::array<uint8_t, 1024> buf{};
  KeMessageWriter w(buf);
  w.Ids(KeRecordType::kAeadAlgorithm, false, ids);
  w.End();
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.size(), 4 + 600 + 4u);
  auto m = ParseKeMessage(w.bytes());
  ASSERT_TRUE(m);
  ASSERT_EQ(m->aead_algorithms->size(), 300u);
  EXPECT_EQ((*m->aead_algorithms)[299], 299 * 7);
  KeMessageWriter small{std::span<uint8_t>(buf).first(600)};
  small.Ids(KeRecordType::kAeadAlgorithm, false, ids);  // 604 bytes: does not fit
  EXPECT_FALSE(small.ok());
  EXPECT_EQ(small.size(), 0u);
}

TEST(KeRecord, WriterRefusesWhatDoesNotFit) {
  std::array<uint8_t, 7> buf{};
  KeMessageWriter w(buf);
  w.U16(KeRecordType::kPort, true, 1);  // 6 bytes: fits
  EXPECT_TRUE(w.ok());
  w.End();  // 4 more: does not
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 6u);
}

TEST(KeRecord, EveryPrefixIsIncomplete) {
  const auto bytes = FromHex(kClientRequest);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto m = ParseKeMessage(std::span(bytes).first(n));
    ASSERT_FALSE(m) << n;
    EXPECT_EQ(m.error(), KeDecodeError::kIncomplete) << n;
  }
}

struct Bad {
  const char* name;
  std::string hex;
  KeDecodeError error;
};

TEST(KeRecord, MalformedMessagesGetTheirError) {
  const std::vector<Bad> cases = {
      {"trailing byte", std::string(kClientRequest) + "00", KeDecodeError::kTrailingData},
      {"end not critical", "80010002000000000000", KeDecodeError::kEndOfMessageNotCritical},
      {"end with a body", "8001000200008000000100", KeDecodeError::kBadBodyLength},
      {"odd protocol list",
       "80010003000000"
       "80000000",
       KeDecodeError::kBadBodyLength},
      {"two next protocols", "80010002000080010002000080000000", KeDecodeError::kDuplicateRecord},
      {"two AEAD",
       "000400020000000400020000"
       "80000000",
       KeDecodeError::kDuplicateRecord},
      {"error of 3 bytes",
       "80020003000000"
       "80000000",
       KeDecodeError::kBadBodyLength},
      {"two errors",
       "800200020001"
       "800200020001"
       "80000000",
       KeDecodeError::kDuplicateRecord},
      {"port of 1 byte",
       "8007000101"
       "80000000",
       KeDecodeError::kBadBodyLength},
      {"unknown critical",
       "80400000"
       "80000000",
       KeDecodeError::kUnrecognizedCritical},
      {"empty server",
       "80060000"
       "80000000",
       KeDecodeError::kBadServerName},
      {"server with a space",
       "800600026120"
       "80000000",
       KeDecodeError::kBadServerName},
      {"server with NUL",
       "800600026100"
       "80000000",
       KeDecodeError::kBadServerName},
  };
  for (const Bad& c : cases) {
    auto m = ParseKeMessage(FromHex(c.hex));
    ASSERT_FALSE(m) << c.name;
    EXPECT_EQ(m.error(), c.error) << c.name << ": got " << KeDecodeErrorName(m.error());
  }
}

TEST(KeRecord, UnknownNonCriticalRecordIsIgnored) {
  const auto bytes = FromHex("0040000301020380010002000080040002000f80000000");
  auto m = ParseKeMessage(bytes);
  ASSERT_TRUE(m);
  EXPECT_FALSE(RequestProblem(*m));
}

TEST(KeRecord, OversizedCookieAndMessageAreRefused) {
  std::vector<uint8_t> cookie = {0x00, 0x05, 0x01, 0x01};  // 257 bytes
  cookie.resize(4 + 257);
  cookie.insert(cookie.end(), {0x80, 0, 0, 0});
  EXPECT_EQ(ParseKeMessage(cookie).error(), KeDecodeError::kCookieTooLarge);

  // Records that never end the message: refused once past the bound, not buffered forever.
  std::vector<uint8_t> big;
  while (big.size() <= kMaxKeMessageSize) big.insert(big.end(), {0x00, 0x40, 0x00, 0x00});
  EXPECT_EQ(ParseKeMessage(big).error(), KeDecodeError::kTooLarge);
  // One record whose declared body reaches past the bound.
  EXPECT_EQ(ParseKeMessage(FromHex("0040ffff")).error(), KeDecodeError::kTooLarge);
}

TEST(KeRecord, CookiesBeyondEightAreCountedNotKept) {
  std::string hex;
  for (int i = 0; i < 10; ++i) hex += Cookie(i);
  const auto bytes = FromHex(hex + "80000000");
  auto m = ParseKeMessage(bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cookie_count, kMaxCookiesKept);
  EXPECT_EQ(m->cookies_ignored, 2u);
}

TEST(KeRecord, RequestProblems) {
  // §4.1.2: no Next Protocol; §4.1.5: NTPv4 without AEAD; a client sends no cookies or errors.
  for (const char* hex :
       {"80040002000f80000000", "80010002000080000000", "80010002000080040002000f000500040102030480000000",
        "80010002000080040002000f80020002000180000000"}) {
    const auto bytes = FromHex(hex);  // the message borrows them
    auto m = ParseKeMessage(bytes);
    ASSERT_TRUE(m) << hex;
    EXPECT_EQ(RequestProblem(*m), kKeErrorBadRequest) << hex;
  }
}

}  // namespace
}  // namespace tempus::core::nts

// The client's NTS-KE request and its reading of responses (RFC 8915 §4).
#include "core/nts/ke_client.h"

#include <array>
#include <vector>

#include <gtest/gtest.h>

namespace tempus::core::nts {
namespace {

TEST(KeClient, RequestOffersNtpV4AndAesSivCmac256) {
  std::array<uint8_t, 64> out{};
  const size_t n = WriteKeRequest(out);
  // The request chrony sends, record by record (§4.1.1, §4.1.2, §4.1.5).
  const std::vector<uint8_t> want = {0x80, 0x01, 0x00, 0x02, 0x00, 0x00, 0x80, 0x04,
                                     0x00, 0x02, 0x00, 0x0f, 0x80, 0x00, 0x00, 0x00};
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + n), want);
  auto m = ParseKeMessage(std::span(out).first(n));
  ASSERT_TRUE(m);
  EXPECT_FALSE(RequestProblem(*m));
  std::array<uint8_t, 8> small{};
  EXPECT_EQ(WriteKeRequest(small), 0u);
}

std::vector<uint8_t> Response(bool ntp, bool aead, size_t cookies, std::optional<uint16_t> error = std::nullopt) {
  std::vector<uint8_t> out(4096);
  KeMessageWriter w(out);
  const std::array<uint16_t, 1> p{kProtocolNtpV4}, a{kAeadAesSivCmac256};
  if (error) w.U16(KeRecordType::kError, true, *error);
  w.Ids(KeRecordType::kNextProtocol, true, std::span(p).first(ntp ? 1 : 0));
  w.Ids(KeRecordType::kAeadAlgorithm, true, std::span(a).first(aead ? 1 : 0));
  for (size_t i = 0; i < cookies; ++i) w.Record(KeRecordType::kNewCookie, false, std::vector<uint8_t>(100, i));
  const std::string server = "ntp.example";
  w.Record(KeRecordType::kServer, true, std::span(reinterpret_cast<const uint8_t*>(server.data()), server.size()));
  w.U16(KeRecordType::kPort, true, 1123);
  w.End();
  out.resize(w.size());
  return out;
}

TEST(KeClient, GoodResponseGivesCookiesServerAndPort) {
  auto r = ReadKeResponse(Response(true, true, 8));
  ASSERT_TRUE(r) << DescribeKeProblem(r.error());
  ASSERT_EQ(r->cookies.size(), 8u);
  EXPECT_EQ(r->cookies[7], std::vector<uint8_t>(100, 7));
  EXPECT_EQ(r->server, "ntp.example");
  EXPECT_EQ(r->port, 1123);
}

TEST(KeClient, RefusesWhatGivesNoSession) {
  const auto error = [](const std::vector<uint8_t>& bytes) { return ReadKeResponse(bytes).error().error; };
  EXPECT_EQ(error(Response(false, true, 8)), KeResponseError::kNoNtpV4);
  EXPECT_EQ(error(Response(true, false, 8)), KeResponseError::kNoAead);
  EXPECT_EQ(error(Response(true, true, 0)), KeResponseError::kNoCookies);
  auto e = ReadKeResponse(Response(true, true, 8, kKeErrorBadRequest));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().error, KeResponseError::kErrorRecord);
  EXPECT_EQ(DescribeKeProblem(e.error()), "NTS-KE error record 1 (bad request)");
  auto cut = Response(true, true, 8);
  cut.resize(cut.size() - 4);
  auto incomplete = ReadKeResponse(cut);
  ASSERT_FALSE(incomplete);
  EXPECT_EQ(incomplete.error().decode_error, KeDecodeError::kIncomplete);
}

}  // namespace
}  // namespace tempus::core::nts

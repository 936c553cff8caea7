#include "crypto/ke_responder.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/nts/ke_record.h"
#include "testdata/hex.h"

namespace tempus::crypto {
namespace {

namespace nts = core::nts;
using testdata::FromHex;

SessionKeys Keys() {
  SessionKeys k;
  k.c2s.fill(1);
  k.s2c.fill(2);
  return k;
}

struct Exchange {
  SeededRandom random{1};
  CookieJar jar{ServerKey{42, {}}};
  KeServerOptions options;
  int exports = 0;
  std::vector<uint8_t> reply = std::vector<uint8_t>(4096);

  std::optional<size_t> Answer(const std::vector<uint8_t>& request) {
    const ExportKeys export_keys = [this](uint16_t protocol, uint16_t aead) -> std::optional<SessionKeys> {
      ++exports;
      EXPECT_EQ(protocol, nts::kProtocolNtpV4);
      EXPECT_EQ(aead, nts::kAeadAesSivCmac256);
      return Keys();
    };
    auto n = AnswerKeRequest(request, export_keys, jar, random, options, reply);
    if (n) reply.resize(*n);
    return n;
  }
};

TEST(KeResponder, ChronyRequestGetsProtocolAeadAndEightCookiesThatOpen) {
  Exchange x;
  x.options.port = 4123;
  ASSERT_TRUE(x.Answer(FromHex("80010002000080040002000f80000000")));
  auto m = nts::ParseKeMessage(x.reply);
  ASSERT_TRUE(m) << nts::KeDecodeErrorName(m.error());
  EXPECT_FALSE(m->error);
  EXPECT_TRUE(m->next_protocols->Contains(nts::kProtocolNtpV4));
  EXPECT_TRUE(m->aead_algorithms->Contains(nts::kAeadAesSivCmac256));
  ASSERT_EQ(m->cookie_count, 8u);
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(x.jar.Open(m->cookies[i]).value_or(SessionKeys{}), Keys()) << i;
  EXPECT_NE(std::vector(m->cookies[0].begin(), m->cookies[0].end()),
            std::vector(m->cookies[1].begin(), m->cookies[1].end()));
  EXPECT_EQ(m->port, 4123);
  EXPECT_FALSE(m->server);
  EXPECT_EQ(x.exports, 1);
}

TEST(KeResponder, IncompleteRequestAsksForMore) {
  Exchange x;
  const auto full = FromHex("80010002000080040002000f80000000");
  EXPECT_FALSE(x.Answer(std::vector(full.begin(), full.end() - 1)));
  EXPECT_EQ(x.exports, 0);
}

TEST(KeResponder, BadRequestsGetTheirErrorAndNoCookies) {
  const struct {
    const char* hex;
    uint16_t error;
  } cases[] = {
      {"80040002000f80000000", nts::kKeErrorBadRequest},              // no Next Protocol
      {"80010002000080000000", nts::kKeErrorBadRequest},              // NTPv4 without AEAD
      {"80010002000080010002000080000000", nts::kKeErrorBadRequest},  // two Next Protocol
      {"800100020000800400010080000000", nts::kKeErrorBadRequest},    // odd AEAD body
      {"80400000"
       "80000000",
       nts::kKeErrorUnrecognizedCritical},  // unknown critical
  };
  for (const auto& c : cases) {
    Exchange x;
    ASSERT_TRUE(x.Answer(FromHex(c.hex))) << c.hex;
    auto m = nts::ParseKeMessage(x.reply);
    ASSERT_TRUE(m) << c.hex;
    EXPECT_EQ(m->error, c.error) << c.hex;
    EXPECT_EQ(m->cookie_count, 0u) << c.hex;
    EXPECT_EQ(x.exports, 0) << c.hex;
  }
}

TEST(KeResponder, NothingSharedGetsEmptyRecordsAndNoCookies) {
  Exchange x;
  ASSERT_TRUE(
      x.Answer(FromHex("800100020000800400020010"
                       "80000000")));  // AEAD 16 only
  auto m = nts::ParseKeMessage(x.reply);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->next_protocols->Contains(nts::kProtocolNtpV4));
  EXPECT_EQ(m->aead_algorithms->size(), 0u);
  EXPECT_EQ(m->cookie_count, 0u);
  Exchange y;
  ASSERT_TRUE(
      y.Answer(FromHex("800100020007800400020010"
                       "80000000")));  // protocol 7 only
  auto n = nts::ParseKeMessage(y.reply);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->next_protocols->size(), 0u);
  EXPECT_FALSE(n->aead_algorithms);
  EXPECT_EQ(y.exports, 0);
}

TEST(KeResponder, FailedKeyExportIsAnInternalError) {
  SeededRandom random(1);
  const CookieJar jar(ServerKey{1, {}});
  std::vector<uint8_t> out(1024);
  auto n = AnswerKeRequest(
      FromHex("80010002000080040002000f80000000"), [](uint16_t, uint16_t) { return std::optional<SessionKeys>(); }, jar,
      random, {}, out);
  ASSERT_TRUE(n);
  out.resize(*n);
  auto m = nts::ParseKeMessage(out);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->error, nts::kKeErrorInternalServer);
}

// RFC 8915 §5.1: one label, and a context of protocol id, AEAD id and 0x00 (C2S) / 0x01 (S2C).
TEST(ExportSessionKeys, Section51LabelAndContexts) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> calls;
  const TlsExporter exporter = [&](std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out) {
    calls.emplace_back(std::string(label), std::vector<uint8_t>(context.begin(), context.end()));
    std::fill(out.begin(), out.end(), static_cast<uint8_t>(calls.size()));
    return true;
  };
  const auto keys = ExportSessionKeys(exporter, nts::kProtocolNtpV4, nts::kAeadAesSivCmac256);
  ASSERT_TRUE(keys);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].first, "EXPORTER-network-time-security");
  EXPECT_EQ(calls[1].first, "EXPORTER-network-time-security");
  EXPECT_EQ(calls[0].second, FromHex("0000000f00"));
  EXPECT_EQ(calls[1].second, FromHex("0000000f01"));
  EXPECT_EQ(keys->c2s[0], 1);
  EXPECT_EQ(keys->s2c[31], 2);
}

TEST(ExportSessionKeys, AFailedExportGivesNoKeys) {
  int calls = 0;
  const TlsExporter exporter = [&](std::string_view, std::span<const uint8_t>, std::span<uint8_t>) {
    return ++calls == 1;  // C2S exports, S2C fails
  };
  EXPECT_FALSE(ExportSessionKeys(exporter, nts::kProtocolNtpV4, nts::kAeadAesSivCmac256));
}

}  // namespace
}  // namespace tempus::crypto

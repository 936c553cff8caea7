#include "ntp_load/nts_load.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "core/nts/ntp_fields.h"
#include "core/server/server.h"
#include "crypto/aes_siv_aead.h"
#include "crypto/jar_cookie_codec.h"

namespace tempus::bench {
namespace {

namespace nts = core::nts;

class NoKeys final : public core::Authenticator {
 public:
  bool Verify(uint32_t, std::span<const uint8_t>, std::span<const uint8_t>) const override { return false; }
};

// The core's NTS server path with the daemon's crypto (as bench/nts_server_bench.cc runs it):
// what tempusd does with each request of the load.
class NtsLoadTest : public ::testing::Test {
 protected:
  NtsLoadTest() : jar_(std::in_place, Key()), cookies_(jar_), random_(5) {
    core::system::SystemSnapshot s;
    s.leap = core::Leap::kNoWarning;
    s.stratum = 2;
    server_.Publish(s);
    server_.SetNts(core::server::NtsServerContext{&cookies_, &aead_, &random_});
    for (size_t i = 0; i < nts::kAeadKeySize; ++i) {
      keys_.c2s[i] = static_cast<uint8_t>(i + 1);
      keys_.s2c[i] = static_cast<uint8_t>(0x80 + i);
    }
  }

  static crypto::ServerKey Key() {
    crypto::ServerKey key{1, {}};
    key.key.fill(0x42);
    return key;
  }

  // The session an NTS-KE with the server would give: the keys and `n` cookies sealed for them.
  NtsSession Session(size_t n) {
    NtsSession s{keys_, {}};
    for (size_t i = 0; i < n; ++i) {
      std::vector<uint8_t> cookie(cookies_.cookie_size());
      cookies_.Seal(keys_, random_, cookie);
      s.cookies.push_back(cookie);
    }
    return s;
  }

  // A request as ntp_load sends it: the 48-octet client header with `cookie` as transmit
  // timestamp, then NtsRequests::Seal.
  std::vector<uint8_t> Request(NtsRequests& requests, uint64_t cookie) {
    std::vector<uint8_t> packet(requests.max_request_size());
    core::Header h;
    h.mode = core::Mode::kClient;
    h.transmit_time = core::NtpTimestamp::FromRaw(cookie);
    core::EncodeHeader(h, std::span(packet).first<core::kHeaderSize>());
    const size_t size = requests.Seal(cookie, packet);
    packet.resize(size);
    return packet;
  }

  // The server's answer to `request` (empty when it ignores it).
  std::vector<uint8_t> Answer(std::span<const uint8_t> request) {
    std::array<uint8_t, core::server::kNtsReplyCapacity> reply{};
    const auto action = server_.Handle(request, *core::NetAddress::Parse("127.1.0.1:40000"),
                                       core::NtpTimestamp::FromParts(0xeeb62e10, 0), core::MonoTime(), no_keys_, reply);
    const auto* respond = std::get_if<core::server::Respond>(&action);
    if (respond == nullptr) return {};
    return {respond->bytes.begin(), respond->bytes.end()};
  }

  NtsVerdict Check(NtsRequests& requests, uint64_t cookie, std::span<const uint8_t> reply) {
    auto decoded = core::Decode(reply);
    if (!decoded) return NtsVerdict::kMalformed;
    return requests.Check(cookie, reply, *decoded);
  }

  std::optional<crypto::CookieJar> jar_;
  crypto::JarCookieCodec cookies_;
  crypto::AesSivAead aead_;
  SeededRandom random_;
  core::server::Server server_;
  NoKeys no_keys_;
  nts::SessionKeys keys_;
};

TEST_F(NtsLoadTest, TheCoreServerAnswersEveryRequestAndEveryReplyIsValid) {
  NtsRequests requests(Session(8), 0, 99, aead_);
  for (uint64_t cookie = 0x1234'5678'0000'0001; cookie < 0x1234'5678'0000'0041; ++cookie) {
    const auto request = Request(requests, cookie);
    ASSERT_FALSE(request.empty());
    const auto reply = Answer(request);
    ASSERT_FALSE(reply.empty()) << "request " << cookie << " not answered";
    EXPECT_EQ(Check(requests, cookie, reply), NtsVerdict::kValid);
  }
  EXPECT_EQ(server_.stats().replied, 64u);
  // One request at a time: each spends a cookie its predecessor's reply brought, none twice.
  EXPECT_EQ(requests.cookies_reused(), 0u);
  EXPECT_EQ(requests.cookies_dropped(), 0u);
}

TEST_F(NtsLoadTest, PlaceholdersBringMoreCookies) {
  NtsRequests requests(Session(1), 3, 99, aead_);
  for (uint64_t cookie = 1; cookie <= 8; ++cookie) {
    const auto reply = Answer(Request(requests, cookie));
    ASSERT_EQ(Check(requests, cookie, reply), NtsVerdict::kValid);
  }
  EXPECT_EQ(requests.cookies_reused(), 0u);  // 1 cookie, then 4 per reply for 1 spent
}

TEST_F(NtsLoadTest, MoreRequestsInFlightThanCookiesSendTheLastOneAgainAndCountIt) {
  NtsRequests requests(Session(8), 0, 99, aead_);
  std::vector<std::vector<uint8_t>> sent;
  for (uint64_t cookie = 1; cookie <= 10; ++cookie) sent.push_back(Request(requests, cookie));
  EXPECT_EQ(requests.cookies_reused(), 2u);
  for (uint64_t cookie = 1; cookie <= 10; ++cookie) {
    EXPECT_EQ(Check(requests, cookie, Answer(sent[cookie - 1])), NtsVerdict::kValid);
  }
  const auto reply = Answer(Request(requests, 11));
  EXPECT_EQ(Check(requests, 11, reply), NtsVerdict::kValid);
  EXPECT_EQ(requests.cookies_reused(), 2u);
}

TEST_F(NtsLoadTest, AReplyToAnotherRequestOrATamperedOneIsRefused) {
  NtsRequests requests(Session(8), 0, 99, aead_);
  auto reply = Answer(Request(requests, 7));
  ASSERT_FALSE(reply.empty());
  // Another request's identifier: a stale or misrouted reply.
  EXPECT_EQ(Check(requests, 8, reply), NtsVerdict::kWrongUniqueId);
  // An octet of the authenticator's ciphertext.
  auto decoded = core::Decode(reply);
  ASSERT_TRUE(decoded);
  auto fields = nts::ParseNtsFields(reply, *decoded);
  ASSERT_TRUE(fields && fields->authenticator);
  auto tampered = reply;
  tampered[static_cast<size_t>(fields->authenticator->ciphertext.data() - reply.data()) + 20] ^= 1;
  EXPECT_EQ(Check(requests, 7, tampered), NtsVerdict::kAuthenticationFailed);
  // Other keys: a server that does not hold this session.
  NtsSession other = Session(8);
  other.keys.s2c[0] ^= 1;
  NtsRequests wrong_keys(other, 0, 99, aead_);
  EXPECT_EQ(Check(wrong_keys, 7, reply), NtsVerdict::kAuthenticationFailed);
  EXPECT_EQ(Check(requests, 7, reply), NtsVerdict::kValid);
}

TEST_F(NtsLoadTest, AReplyWithoutAuthenticatorIsRefused) {
  NtsRequests requests(Session(8), 0, 99, aead_);
  const auto request = Request(requests, 3);
  // The reply's header and Unique Identifier alone (the request's is the first field).
  const auto reply = Answer(request);
  ASSERT_GT(reply.size(), core::kHeaderSize + 36);
  std::vector<uint8_t> bare(reply.begin(), reply.begin() + core::kHeaderSize + 36);
  EXPECT_EQ(Check(requests, 3, bare), NtsVerdict::kNotAuthenticated);
}

TEST_F(NtsLoadTest, ASessionFileIsReadInsteadOfAnNtsKe) {
  char path[] = "/tmp/nts_load_test.XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  NtsLoadOptions o;
  o.ke_server = *core::NetAddress::Parse("127.0.0.1:9");  // nothing listens: a KE would fail
  o.ca_file = "/nonexistent";
  o.session_file = path;
  {
    std::ofstream out(path);
    out << R"({"c2s": ")" << std::string(64, 'a') << R"(", "s2c": ")" << std::string(64, 'b')
        << R"(", "cookies": ["0102", "030405"]})";
  }
  auto s = ObtainNtsSession(o);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->keys.c2s[0], 0xaa);
  EXPECT_EQ(s->keys.s2c[31], 0xbb);
  ASSERT_EQ(s->cookies.size(), 2u);
  EXPECT_EQ(s->cookies[1], (std::vector<uint8_t>{3, 4, 5}));
  {
    std::ofstream out(path);
    out << R"({"c2s": "aa", "s2c": ")" << std::string(64, 'b') << R"(", "cookies": ["01"]})";
  }
  s = ObtainNtsSession(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find(path), std::string::npos) << s.error();
  EXPECT_NE(s.error().find("c2s"), std::string::npos) << s.error();
  std::remove(path);
}

}  // namespace
}  // namespace tempus::bench

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

  // The session an NTS-KE with the server would give: the keys and `n` cookies sealed for them;
  // `client` makes keys of another client.
  NtsSession Session(size_t n, uint8_t client = 0) {
    NtsSession s{keys_, {}};
    s.keys.c2s[5] ^= client;
    s.keys.s2c[5] ^= client;
    for (size_t i = 0; i < n; ++i) {
      std::vector<uint8_t> cookie(cookies_.cookie_size());
      cookies_.Seal(s.keys, random_, cookie);
      s.cookies.push_back(cookie);
    }
    return s;
  }

  // A request as ntp_load sends it: the 48-octet client header with `cookie` as transmit
  // timestamp, then NtsRequests::Seal.
  std::vector<uint8_t> Request(NtsRequests& requests, uint64_t cookie, size_t session = 0) {
    std::vector<uint8_t> packet(requests.max_request_size());
    core::Header h;
    h.mode = core::Mode::kClient;
    h.transmit_time = core::NtpTimestamp::FromRaw(cookie);
    core::EncodeHeader(h, std::span(packet).first<core::kHeaderSize>());
    const size_t size = requests.Seal(session, cookie, packet);
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

  NtsVerdict Check(NtsRequests& requests, uint64_t cookie, std::span<const uint8_t> reply, size_t session = 0) {
    auto decoded = core::Decode(reply);
    if (!decoded) return NtsVerdict::kMalformed;
    return requests.Check(session, cookie, reply, *decoded);
  }

  static std::vector<NtsSession> Sessions(NtsSession one) {
    std::vector<NtsSession> v;
    v.push_back(std::move(one));
    return v;
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
  NtsRequests requests(Sessions(Session(8)), 0, 99, aead_);
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
  NtsRequests requests(Sessions(Session(1)), 3, 99, aead_);
  for (uint64_t cookie = 1; cookie <= 8; ++cookie) {
    const auto reply = Answer(Request(requests, cookie));
    ASSERT_EQ(Check(requests, cookie, reply), NtsVerdict::kValid);
  }
  EXPECT_EQ(requests.cookies_reused(), 0u);  // 1 cookie, then 4 per reply for 1 spent
}

TEST_F(NtsLoadTest, MoreRequestsInFlightThanCookiesSendTheLastOneAgainAndCountIt) {
  NtsRequests requests(Sessions(Session(8)), 0, 99, aead_);
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
  NtsRequests requests(Sessions(Session(8)), 0, 99, aead_);
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
  NtsRequests wrong_keys(Sessions(other), 0, 99, aead_);
  EXPECT_EQ(Check(wrong_keys, 7, reply), NtsVerdict::kAuthenticationFailed);
  EXPECT_EQ(Check(requests, 7, reply), NtsVerdict::kValid);
}

TEST_F(NtsLoadTest, AReplyWithoutAuthenticatorIsRefused) {
  NtsRequests requests(Sessions(Session(8)), 0, 99, aead_);
  const auto request = Request(requests, 3);
  // The reply's header and Unique Identifier alone (the request's is the first field).
  const auto reply = Answer(request);
  ASSERT_GT(reply.size(), core::kHeaderSize + 36);
  std::vector<uint8_t> bare(reply.begin(), reply.begin() + core::kHeaderSize + 36);
  EXPECT_EQ(Check(requests, 3, bare), NtsVerdict::kNotAuthenticated);
}

TEST_F(NtsLoadTest, SessionsTakingTurnsEachSpendTheirOwnCookiesUnderTheirOwnKeys) {
  std::vector<NtsSession> sessions;
  for (uint8_t client = 0; client < 3; ++client) sessions.push_back(Session(2, client));
  NtsRequests requests(std::move(sessions), 0, 99, aead_);
  ASSERT_EQ(requests.sessions(), 3u);
  // Many more requests than the 2 cookies of each session: each spends the cookies its own
  // replies brought. A cookie of another session would make the server seal the reply with that
  // session's S2C, which this session's Check refuses.
  for (uint64_t cookie = 1; cookie <= 30; ++cookie) {
    const size_t session = cookie % 3;
    const auto reply = Answer(Request(requests, cookie, session));
    ASSERT_FALSE(reply.empty()) << "request " << cookie << " not answered";
    EXPECT_EQ(Check(requests, cookie, reply, session), NtsVerdict::kValid) << "request " << cookie;
  }
  EXPECT_EQ(requests.cookies_reused(), 0u);
  EXPECT_EQ(requests.cookies_dropped(), 0u);
  // A reply judged as another session's does not open with that session's S2C.
  const auto reply = Answer(Request(requests, 31, 1));
  EXPECT_EQ(Check(requests, 31, reply, 2), NtsVerdict::kAuthenticationFailed);
  // An index past the sessions is refused, never read out of bounds.
  std::vector<uint8_t> packet(requests.max_request_size());
  EXPECT_EQ(requests.Seal(3, 32, packet), 0u);
  EXPECT_EQ(Check(requests, 31, reply, 3), NtsVerdict::kAuthenticationFailed);
}

TEST_F(NtsLoadTest, TheCookieStoresAreBoundedWhateverTheNumberOfSessions) {
  std::vector<NtsSession> one, many;
  one.push_back(Session(1));
  for (uint8_t client = 0; client < 200; ++client) many.push_back(Session(1, client));
  EXPECT_EQ(NtsRequests(std::move(one), 0, 1, aead_).cookies_per_session(), 16384u);
  EXPECT_EQ(NtsRequests(std::move(many), 0, 1, aead_).cookies_per_session(), 81u);
}

class NtsSessionFileTest : public ::testing::Test {
 protected:
  NtsSessionFileTest() {
    const int fd = mkstemp(path_);
    EXPECT_GE(fd, 0);
    close(fd);
    o_.ke_server = *core::NetAddress::Parse("127.0.0.1:9");  // nothing listens: a KE would fail
    o_.ca_file = "/nonexistent";
    o_.session_file = path_;
  }
  ~NtsSessionFileTest() override { std::remove(path_); }
  void Write(const std::string& text) {
    std::ofstream out(path_);
    out << text;
  }
  static std::string One(char c2s, char s2c, const std::string& cookies) {
    return R"({"c2s": ")" + std::string(64, c2s) + R"(", "s2c": ")" + std::string(64, s2c) + R"(", "cookies": [)" +
           cookies + "]}";
  }

  char path_[32] = "/tmp/nts_load_test.XXXXXX";
  NtsLoadOptions o_;
};

TEST_F(NtsSessionFileTest, OneSessionAloneIsReadInsteadOfAnNtsKe) {
  Write(One('a', 'b', R"("0102", "030405")"));
  auto s = ObtainNtsSessions(o_);
  ASSERT_TRUE(s) << s.error();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].keys.c2s[0], 0xaa);
  EXPECT_EQ((*s)[0].keys.s2c[31], 0xbb);
  ASSERT_EQ((*s)[0].cookies.size(), 2u);
  EXPECT_EQ((*s)[0].cookies[1], (std::vector<uint8_t>{3, 4, 5}));
  Write(R"({"c2s": "aa", "s2c": ")" + std::string(64, 'b') + R"(", "cookies": ["01"]})");
  s = ObtainNtsSessions(o_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find(path_), std::string::npos) << s.error();
  EXPECT_NE(s.error().find("c2s"), std::string::npos) << s.error();
}

TEST_F(NtsSessionFileTest, ManySessionsAreReadAndTheirNumberChecked) {
  Write(R"({"sessions": [)" + One('a', 'b', R"("01")") + "," + One('c', 'd', R"("02", "03")") + "]}");
  o_.sessions = 2;
  auto s = ObtainNtsSessions(o_);
  ASSERT_TRUE(s) << s.error();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[1].keys.c2s[0], 0xcc);
  EXPECT_EQ((*s)[1].cookies.size(), 2u);
  // Another number of sessions than asked: an error, never fewer clients than the figure says.
  o_.sessions = 3;
  s = ObtainNtsSessions(o_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("holds 2 session(s)"), std::string::npos) << s.error();
  o_.sessions = 0;
  EXPECT_FALSE(ObtainNtsSessions(o_));
  o_.sessions = 2;
  for (const std::string& bad :
       std::vector<std::string>{R"({"sessions": 3})", R"({"sessions": [1, 2]})",
                                R"({"sessions": [)" + One('a', 'b', "") + "," + One('c', 'd', R"("02")") + "]}"}) {
    Write(bad);
    s = ObtainNtsSessions(o_);
    EXPECT_FALSE(s) << bad;
  }
}

}  // namespace
}  // namespace tempus::bench

// NtsKeClient against tempus's own NtsKeListener on 127.0.0.1, both on one PollLoop (no thread),
// with certificates from a local CA that the openssl CLI makes in a temporary directory.
#include "io/nts_ke_client.h"

#include <signal.h>

#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "config/temp_dir.h"
#include "core/nts/ke_record.h"
#include "crypto/ke_client_keys.h"
#include "crypto/ke_responder.h"
#include "io/nts_ke_listener.h"
#include "io/tcp_listen.h"
#include "io/test_ca.h"

namespace tempus::io {
namespace {

namespace nts = core::nts;

class NtsKeClientTest : public config::testing::TempDirTest {
 protected:
  NtsKeClientTest() : TempDirTest("tempus-ntske-client") {}

  void SetUp() override {
    TempDirTest::SetUp();
    signal(SIGPIPE, SIG_IGN);
    ASSERT_TRUE(testing::MakeTestCertificates(dir()));
    NtsKeListenerOptions options;
    options.address = *core::NetAddress::Parse("127.0.0.1:0");
    options.cert_file = Path("server.pem");
    options.key_file = Path("server.key");
    auto l = NtsKeListener::Open(options, loop_,
                                 [this](std::span<const uint8_t> request, const NtsKeListener::Exporter& exporter,
                                        std::span<uint8_t> out) -> std::optional<size_t> {
                                   server_keys_ = crypto::ExportClientKeys(exporter);
                                   if (answer_) return answer_(request, out);
                                   const crypto::ExportKeys export_keys = [&](uint16_t protocol, uint16_t aead) {
                                     return crypto::ExportSessionKeys(exporter, protocol, aead);
                                   };
                                   return crypto::AnswerKeRequest(request, export_keys, jar_, random_,
                                                                  {.cookies = 8, .server = {}, .port = 1123}, out);
                                 });
    ASSERT_TRUE(l) << l.error();
    listener_ = std::move(*l);
  }

  NtsKeClientOptions Options(const std::string& host = "localhost") const {
    NtsKeClientOptions o;
    o.host = host;
    o.address = listener_->address();
    o.ca_file = Path("ca.pem");
    return o;
  }

  // Runs one exchange on the test's loop (at most 10 s of real time).
  Result<NtsKeSession, NtsKeFailure> Exchange(const NtsKeClientOptions& options) {
    std::optional<Result<NtsKeSession, NtsKeFailure>> result;
    auto client = NtsKeClient::Start(options, loop_, crypto::ExportClientKeys, [&](auto r) { result.emplace(r); });
    if (!client) return Unexpected(client.error());
    for (int i = 0; i < 1000 && !result; ++i) EXPECT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(10)));
    EXPECT_TRUE(result);
    if (!result) return Unexpected(NtsKeFailure{});
    return *result;
  }

  SeededRandom random_{7};
  crypto::CookieJar jar_{crypto::ServerKey{1, {}}};
  std::optional<nts::SessionKeys> server_keys_;
  std::function<std::optional<size_t>(std::span<const uint8_t>, std::span<uint8_t>)> answer_;
  core::NtpDuration skew_;
  PollLoop loop_{[this] { return MonoNow() + skew_; }};
  std::unique_ptr<NtsKeListener> listener_;
};

TEST_F(NtsKeClientTest, GetsEightCookiesThePortAndTheServersSessionKeys) {
  auto r = Exchange(Options());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->outcome.cookies.size(), 8u);
  EXPECT_EQ(r->outcome.cookies[0].size(), crypto::kCookieSize);
  EXPECT_EQ(r->outcome.port, 1123);
  // §5.1: both ends export the same C2S and S2C, and the cookies carry them.
  ASSERT_TRUE(server_keys_);
  EXPECT_EQ(r->keys.c2s, server_keys_->c2s);
  EXPECT_EQ(r->keys.s2c, server_keys_->s2c);
  EXPECT_NE(r->keys.c2s, r->keys.s2c);
  auto opened = jar_.Open(r->outcome.cookies[3]);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->c2s, r->keys.c2s);
  EXPECT_EQ(listener_->counters().answered, 1u);
}

// nts_ke_client.h: "the client may be destroyed in [done]" (the daemon's NtsSources does).
TEST_F(NtsKeClientTest, TheClientMayBeDestroyedInItsOwnDoneCallback) {
  std::unique_ptr<NtsKeClient> client;
  std::optional<bool> ok;
  // The freed client's memory handed out again and scribbled over (as the daemon's next
  // allocations do), so that a client still touching itself after `done` crashes without ASan.
  std::vector<std::vector<uint8_t>> scribbles;
  auto started = NtsKeClient::Start(Options(), loop_, crypto::ExportClientKeys, [&](auto r) {
    ok = r.has_value();
    client.reset();
    for (size_t size = 16; size <= 2048; size += 8) {
      for (int i = 0; i < 2; ++i) scribbles.emplace_back(size, 0xff);
    }
  });
  ASSERT_TRUE(started);
  client = std::move(*started);
  for (int i = 0; i < 1000 && !ok; ++i) EXPECT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(10)));
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
  EXPECT_EQ(client, nullptr);
  EXPECT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(20)));  // nothing left of it runs
}

TEST_F(NtsKeClientTest, AnIpAddressMatchesTheCertificatesIpEntry) {
  auto r = Exchange(Options("127.0.0.1"));
  ASSERT_TRUE(r) << r.error().ToString();
}

TEST_F(NtsKeClientTest, RefusesACertificateFromAnotherCa) {
  ASSERT_TRUE(testing::MakeTestCa(dir(), "other"));
  NtsKeClientOptions o = Options();
  o.ca_file = Path("other.pem");
  auto r = Exchange(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, NtsKeError::kCertificate) << r.error().ToString();
  EXPECT_NE(r.error().detail.find("local issuer"), std::string::npos) << r.error().detail;
  EXPECT_EQ(listener_->counters().answered, 0u);
  // noval (tests only) skips the check.
  o.verify = false;
  EXPECT_TRUE(Exchange(o));
}

TEST_F(NtsKeClientTest, RefusesACertificateForAnotherName) {
  auto r = Exchange(Options("ntp.example"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, NtsKeError::kCertificate) << r.error().ToString();
  EXPECT_NE(r.error().detail.find("mismatch"), std::string::npos) << r.error().detail;
}

TEST_F(NtsKeClientTest, AnErrorRecordIsAResponseFailureWithItsCode) {
  answer_ = [](std::span<const uint8_t>, std::span<uint8_t> out) -> std::optional<size_t> {
    nts::KeMessageWriter w(out);
    w.U16(nts::KeRecordType::kError, true, nts::kKeErrorInternalServer);
    w.End();
    return w.size();
  };
  auto r = Exchange(Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, NtsKeError::kResponse);
  ASSERT_TRUE(r.error().problem);
  EXPECT_EQ(r.error().problem->code, nts::kKeErrorInternalServer);
  EXPECT_EQ(r.error().ToString(), "response: NTS-KE error record 2 (internal server error)");
}

TEST_F(NtsKeClientTest, AServerThatClosesWithoutAWholeResponseIsClosedEarly) {
  answer_ = [](std::span<const uint8_t>, std::span<uint8_t> out) -> std::optional<size_t> {
    out[0] = 0x80;  // the first octets of a record, then close_notify
    out[1] = 0x01;
    return 2;
  };
  auto r = Exchange(Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, NtsKeError::kClosedEarly) << r.error().ToString();
}

TEST_F(NtsKeClientTest, ConnectionRefused) {
  NtsKeClientOptions o = Options();
  o.address = *core::NetAddress::Parse("127.0.0.1:1");  // nothing listens on tcpmux
  auto r = Exchange(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, NtsKeError::kConnect) << r.error().ToString();
}

TEST_F(NtsKeClientTest, ASilentServerTimesOut) {
  // Listens, never accepts: the TCP connection completes, the handshake never does.
  auto silent = ListenTcp(*core::NetAddress::Parse("127.0.0.1:0"), 4, "silent");
  ASSERT_TRUE(silent);
  NtsKeClientOptions o = Options();
  o.address = silent->second;
  std::optional<Result<NtsKeSession, NtsKeFailure>> result;
  auto client = NtsKeClient::Start(o, loop_, crypto::ExportClientKeys, [&](auto r) { result.emplace(r); });
  ASSERT_TRUE(client);
  ASSERT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(50)));
  EXPECT_FALSE(result);
  skew_ = core::NtpDuration::FromWholeSeconds(6);  // past the 5 s limit, without waiting for it
  ASSERT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(50)));
  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().error, NtsKeError::kTimeout) << result->error().ToString();
  close(silent->first);
}

TEST_F(NtsKeClientTest, AnUnreadableCaFileIsALocalErrorNamingIt) {
  NtsKeClientOptions o = Options();
  o.ca_file = Path("missing.pem");
  auto client = NtsKeClient::Start(o, loop_, crypto::ExportClientKeys, [](auto) {});
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().error, NtsKeError::kLocal);
  EXPECT_NE(client.error().detail.find("missing.pem"), std::string::npos) << client.error().detail;
}

// §4.1.7, §4.1.8: where NTP goes after NTS-KE, decided without a lookup unless a name was given.
TEST(NtpServerOf, NoServerRecordIsTheKeServersAddressOnPort123OrTheNamedPort) {
  const core::NetAddress ke = *core::NetAddress::Parse("192.0.2.1:4460");
  nts::KeOutcome outcome;
  EXPECT_EQ(NtpServerOf(ke, outcome).address, core::NetAddress::Parse("192.0.2.1:123"));
  outcome.port = 11123;
  EXPECT_EQ(NtpServerOf(ke, outcome).address, core::NetAddress::Parse("192.0.2.1:11123"));
}

TEST(NtpServerOf, ANumericServerRecordNeedsNoLookup) {
  const core::NetAddress ke = *core::NetAddress::Parse("192.0.2.1:4460");
  nts::KeOutcome outcome;
  outcome.server = "::1";
  NtpServerAfterKe ntp = NtpServerOf(ke, outcome);
  EXPECT_EQ(ntp.address, core::NetAddress::Parse("[::1]:123"));
  EXPECT_TRUE(ntp.name.empty());
  outcome.server = "198.51.100.7";
  outcome.port = 1234;
  EXPECT_EQ(NtpServerOf(ke, outcome).address, core::NetAddress::Parse("198.51.100.7:1234"));
}

TEST(NtpServerOf, AHostNameIsLeftToTheCallersLookup) {
  nts::KeOutcome outcome;
  outcome.server = "ntp.example.org";
  outcome.port = 1234;
  NtpServerAfterKe ntp = NtpServerOf(*core::NetAddress::Parse("192.0.2.1:4460"), outcome);
  EXPECT_FALSE(ntp.address);
  EXPECT_EQ(ntp.name, "ntp.example.org");
  EXPECT_EQ(ntp.port, 1234);
}

TEST(NtpAddressOf, TakesTheFirstAddressWithThePortOrSaysWhyNot) {
  const std::vector<core::NetAddress> found = {*core::NetAddress::Parse("198.51.100.7"),
                                               *core::NetAddress::Parse("198.51.100.8")};
  auto ok = NtpAddressOf("ntp.example.org", 1234, found);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, *core::NetAddress::Parse("198.51.100.7:1234"));
  auto none = NtpAddressOf("ntp.example.org", 1234, std::vector<core::NetAddress>{});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), "the NTP server it named, ntp.example.org, has no address");
  auto failed = NtpAddressOf("ntp.example.org", 1234,
                             Result<std::vector<core::NetAddress>, std::string>(Unexpected(std::string("timed out"))));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), "the NTP server it named: timed out");
}

}  // namespace
}  // namespace tempus::io

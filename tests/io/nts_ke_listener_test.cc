// NtsKeListener on 127.0.0.1 with a certificate from a local CA that the openssl CLI makes in a
// temporary directory, and an OpenSSL client on a second thread (the listener runs on this one,
// in a PollLoop whose clock the test moves forward: the time limit passes without a wait).
#include "io/nts_ke_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "config/cookie_key_file.h"
#include "config/temp_dir.h"
#include "core/nts/ke_record.h"
#include "crypto/cookie.h"
#include "crypto/ke_responder.h"
#include "crypto/system_random.h"
#include "io/test_ca.h"

namespace tempus::io {
namespace {

namespace nts = core::nts;

// NTPv4 and AEAD_AES_SIV_CMAC_256 offered, as chrony's client asks (RFC 8915 §4).
const std::vector<uint8_t> kRequest = {0x80, 0x01, 0x00, 0x02, 0x00, 0x00,  // Next Protocol: NTPv4
                                       0x00, 0x04, 0x00, 0x02, 0x00, 0x0f,  // AEAD: 15
                                       0x80, 0x00, 0x00, 0x00};             // End of Message

// How a client ends its side after the request: not at all, TCP FIN, or TLS close_notify.
enum class HalfClose { kNo, kTcp, kTls };

// What the client thread saw.
struct ClientResult {
  bool handshake = false;
  std::vector<uint8_t> response;
  crypto::SessionKeys keys;  // exported on the client's side of the session
};

class NtsKeListenerTest : public config::testing::TempDirTest {
 protected:
  NtsKeListenerTest() : TempDirTest("tempus-ntske") {}

  void SetUp() override {
    TempDirTest::SetUp();
    signal(SIGPIPE, SIG_IGN);  // a client writing to a connection the listener dropped
    ASSERT_TRUE(testing::MakeTestCertificates(dir()));
    auto keys = config::LoadOrRotateCookieKeys(Path("nts-keys"), 1'700'000'000, 86400,
                                               [this](std::span<uint8_t> b) { crypto::FillRandom(random_, b); });
    ASSERT_TRUE(keys) << keys.error();
    jar_.emplace(crypto::ServerKey{keys->current.id, keys->current.key});
  }

  void Listen(NtsKeListenerOptions options = {}) {
    options.address = *core::NetAddress::Parse("127.0.0.1:0");
    options.cert_file = Path("server.pem");
    options.key_file = Path("server.key");
    auto l = NtsKeListener::Open(options, loop_,
                                 [this](std::span<const uint8_t> request, const NtsKeListener::Exporter& exporter,
                                        std::span<uint8_t> out) {
                                   const crypto::ExportKeys export_keys = [&](uint16_t protocol, uint16_t aead) {
                                     return crypto::ExportSessionKeys(exporter, protocol, aead);
                                   };
                                   return crypto::AnswerKeRequest(request, export_keys, *jar_, random_, {}, out);
                                 });
    ASSERT_TRUE(l) << l.error();
    listener_ = std::move(*l);
  }

  // A TCP connection to the listener (blocking, with a 10 s receive bound so no test hangs).
  int Connect() const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(listener_->address().port());
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    return fd;
  }

  // An NTS-KE client offering `alpn` (wire format, "" for none) that sends `request` and reads
  // until the listener closes.
  ClientResult Client(const std::string& alpn, const std::vector<uint8_t>& request, HalfClose half_close) const {
    ClientResult result;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_load_verify_locations(ctx, (dir() + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!alpn.empty()) {
      SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(alpn.data()),
                              static_cast<unsigned>(alpn.size()));
    }
    SSL* ssl = SSL_new(ctx);
    SSL_set1_host(ssl, "localhost");
    SSL_set_tlsext_host_name(ssl, "localhost");
    const int fd = Connect();
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      result.handshake = true;
      result.keys = *crypto::ExportSessionKeys(
          [ssl](std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out) {
            return SSL_export_keying_material(ssl, out.data(), out.size(), label.data(), label.size(), context.data(),
                                              context.size(), 1) == 1;
          },
          nts::kProtocolNtpV4, nts::kAeadAesSivCmac256);
      size_t written = 0;
      if (SSL_write_ex(ssl, request.data(), request.size(), &written) == 1) {
        if (half_close == HalfClose::kTcp) shutdown(fd, SHUT_WR);
        if (half_close == HalfClose::kTls) SSL_shutdown(ssl);  // close_notify, then read on
        uint8_t buf[4096];
        size_t n = 0;
        while (SSL_read_ex(ssl, buf, sizeof buf, &n) == 1) result.response.insert(result.response.end(), buf, buf + n);
      }
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return result;
  }

  // Runs the loop until `done` (at most 10 s of real time).
  void RunUntil(const std::atomic<bool>& done) {
    for (int i = 0; i < 1000 && !done; ++i) ASSERT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(10)));
    ASSERT_TRUE(done);
  }

  ClientResult Exchange(const std::string& alpn, const std::vector<uint8_t>& request,
                        HalfClose half_close = HalfClose::kNo) {
    ClientResult result;
    std::atomic<bool> done = false;
    std::thread client([&] {
      result = Client(alpn, request, half_close);
      done = true;
    });
    RunUntil(done);
    client.join();
    return result;
  }

  SeededRandom random_{7};  // fixed seed: cookie nonces and key bytes
  std::optional<crypto::CookieJar> jar_;
  core::NtpDuration skew_;  // how far the test moved the loop's clock ahead
  PollLoop loop_{[this] { return MonoNow() + skew_; }};
  std::unique_ptr<NtsKeListener> listener_;
};

const std::string kNtske = std::string("\x07") + "ntske/1";

TEST_F(NtsKeListenerTest, AnswersEightCookiesThatOpenWithTheKeyFilesKey) {
  Listen();
  const ClientResult r = Exchange(kNtske, kRequest);
  ASSERT_TRUE(r.handshake);
  auto m = nts::ParseKeMessage(r.response);
  ASSERT_TRUE(m) << nts::KeDecodeErrorName(m.error());
  EXPECT_EQ(m->size, r.response.size());
  ASSERT_TRUE(m->next_protocols && m->aead_algorithms);
  ASSERT_EQ(m->next_protocols->size(), 1u);
  EXPECT_EQ((*m->next_protocols)[0], nts::kProtocolNtpV4);
  ASSERT_EQ(m->aead_algorithms->size(), 1u);
  EXPECT_EQ((*m->aead_algorithms)[0], nts::kAeadAesSivCmac256);
  EXPECT_FALSE(m->error);
  ASSERT_EQ(m->cookie_count, 8u);
  // The cookies open with the key as the file holds it, and carry this session's keys (§5.1).
  auto file = config::ReadCookieKeyFile(Path("nts-keys"));
  ASSERT_TRUE(file) << file.error();
  const crypto::CookieJar from_file(crypto::ServerKey{file->current.id, file->current.key});
  for (size_t i = 0; i < m->cookie_count; ++i) {
    auto keys = from_file.Open(m->cookies[i]);
    ASSERT_TRUE(keys) << crypto::CookieErrorName(keys.error());
    EXPECT_EQ(*keys, r.keys);
  }
  EXPECT_EQ(listener_->counters().answered, 1u);
  EXPECT_EQ(listener_->open_connections(), 0u);
}

// A client that shuts its side after the request (TCP FIN or TLS close_notify; TLS 1.3 closes
// one direction at a time) still gets the answer.
TEST_F(NtsKeListenerTest, AnswersAClientThatHalfClosesAfterItsRequest) {
  Listen();
  for (const HalfClose how : {HalfClose::kTcp, HalfClose::kTls}) {
    const ClientResult r = Exchange(kNtske, kRequest, how);
    auto m = nts::ParseKeMessage(r.response);
    ASSERT_TRUE(m) << nts::KeDecodeErrorName(m.error());
    EXPECT_EQ(m->cookie_count, 8u);
  }
  EXPECT_EQ(listener_->counters().answered, 2u);
  EXPECT_EQ(listener_->counters().closed_early, 0u);
}

TEST_F(NtsKeListenerTest, RefusesAnotherAlpnOrNone) {
  Listen();
  EXPECT_FALSE(Exchange(std::string("\x08") + "http/1.1", kRequest).handshake);
  const ClientResult none = Exchange("", kRequest);
  EXPECT_TRUE(none.response.empty());
  EXPECT_EQ(listener_->counters().tls_failed, 2u);
  EXPECT_EQ(listener_->counters().answered, 0u);
}

// The listener's own bound: more plaintext than max_request without a whole request (records
// the codec skips, and no End of Message) is dropped unanswered, however it arrives.
TEST_F(NtsKeListenerTest, RefusesAnOversizedRequest) {
  NtsKeListenerOptions options;
  options.max_request = 1000;
  Listen(options);
  std::vector<uint8_t> request;
  for (int i = 0; i < 100; ++i) {
    const std::vector<uint8_t> record = {0x40, 0x00, 0x00, 0x10};  // unknown, not critical, 16 octets
    request.insert(request.end(), record.begin(), record.end());
    request.resize(request.size() + 16, 0);
  }
  const ClientResult r = Exchange(kNtske, request);
  EXPECT_TRUE(r.handshake);
  EXPECT_TRUE(r.response.empty());
  EXPECT_EQ(listener_->counters().too_large, 1u);
  EXPECT_EQ(listener_->counters().answered, 0u);
}

// The codec's bound (16 KiB) is met before the bytes: a record that claims 65535 octets gets
// Error Bad Request (RFC 8915 §4.1.3) at once, and no cookies.
TEST_F(NtsKeListenerTest, ARecordLargerThanTheBoundGetsBadRequest) {
  Listen();
  // New Cookie, 65535 octets, then zeros (built in place: GCC 12 at -O3 warns, wrongly, that
  // growing a 4-octet vector reads past it, -Warray-bounds).
  std::vector<uint8_t> request(100, 0);
  request[1] = 0x05;
  request[2] = 0xff;
  request[3] = 0xff;
  const ClientResult r = Exchange(kNtske, request);
  auto m = nts::ParseKeMessage(r.response);
  ASSERT_TRUE(m) << nts::KeDecodeErrorName(m.error());
  EXPECT_EQ(m->error, nts::kKeErrorBadRequest);
  EXPECT_EQ(m->cookie_count, 0u);
}

TEST_F(NtsKeListenerTest, DropsASilentClientAfterTheTimeLimit) {
  NtsKeListenerOptions options;
  options.time_limit = core::NtpDuration::FromWholeSeconds(30);
  Listen(options);
  const int fd = Connect();
  for (int i = 0; i < 1000 && listener_->open_connections() == 0; ++i) {
    ASSERT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(10)));
  }
  ASSERT_EQ(listener_->open_connections(), 1u);
  std::atomic<bool> done = false;
  ssize_t got = -2;
  std::thread client([&] {
    char byte;
    got = recv(fd, &byte, 1, 0);  // 0 once the listener closes
    done = true;
  });
  skew_ = core::NtpDuration::FromWholeSeconds(31);  // past the limit, without waiting for it
  RunUntil(done);
  client.join();
  close(fd);
  EXPECT_EQ(got, 0);
  EXPECT_EQ(listener_->counters().timed_out, 1u);
  EXPECT_EQ(listener_->open_connections(), 0u);
}

TEST_F(NtsKeListenerTest, DropsTheLeastRecentlyActiveConnectionWhenFull) {
  NtsKeListenerOptions options;
  options.max_connections = 2;
  Listen(options);
  std::vector<int> fds;
  for (int i = 0; i < 3; ++i) {
    fds.push_back(Connect());
    for (int k = 0; k < 1000 && listener_->counters().accepted < fds.size(); ++k) {
      ASSERT_TRUE(loop_.Run(loop_.Now() + core::NtpDuration::FromMillis(10)));
    }
  }
  EXPECT_EQ(listener_->open_connections(), 2u);
  EXPECT_EQ(listener_->counters().over_capacity, 1u);
  char byte;
  EXPECT_EQ(recv(fds[0], &byte, 1, 0), 0);  // the first one was dropped
  for (int fd : fds) close(fd);
}

TEST_F(NtsKeListenerTest, ABadCertificateOrKeyIsAnErrorNamingTheFile) {
  NtsKeListenerOptions options;
  options.address = *core::NetAddress::Parse("127.0.0.1:0");
  options.cert_file = Path("missing.pem");
  options.key_file = Path("server.key");
  auto l = NtsKeListener::Open(options, loop_, nullptr);
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().find("nts cert " + Path("missing.pem")), std::string::npos) << l.error();
  options.cert_file = Path("server.pem");
  options.key_file = Path("ca.key");
  l = NtsKeListener::Open(options, loop_, nullptr);
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().find("nts key " + Path("ca.key")), std::string::npos) << l.error();
}

// SIGHUP (a renewed certificate): a file that does not load, or a key that does not match,
// keeps the certificate in use and names the file; good files are taken for new connections.
TEST_F(NtsKeListenerTest, ReloadKeepsTheCertificateInUseWhenTheNewFilesDoNotLoad) {
  Listen();
  namespace fs = std::filesystem;
  fs::copy_file(Path("server.pem"), Path("server.pem.good"));
  fs::copy_file(Path("server.key"), Path("server.key.good"));
  std::ofstream(Path("server.pem"), std::ios::trunc) << "not a certificate\n";
  auto r = listener_->ReloadCertificate();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("nts cert " + Path("server.pem")), std::string::npos) << r.error();
  EXPECT_EQ(nts::ParseKeMessage(Exchange(kNtske, kRequest).response)->cookie_count, 8u);

  fs::copy_file(Path("server.pem.good"), Path("server.pem"), fs::copy_options::overwrite_existing);
  fs::copy_file(Path("ca.key"), Path("server.key"), fs::copy_options::overwrite_existing);
  r = listener_->ReloadCertificate();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("nts key " + Path("server.key")), std::string::npos) << r.error();
  EXPECT_EQ(nts::ParseKeMessage(Exchange(kNtske, kRequest).response)->cookie_count, 8u);

  fs::copy_file(Path("server.key.good"), Path("server.key"), fs::copy_options::overwrite_existing);
  EXPECT_TRUE(listener_->ReloadCertificate());
  EXPECT_EQ(nts::ParseKeMessage(Exchange(kNtske, kRequest).response)->cookie_count, 8u);
  EXPECT_EQ(listener_->counters().answered, 3u);
}

}  // namespace
}  // namespace tempus::io

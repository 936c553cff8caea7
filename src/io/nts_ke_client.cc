#include "io/nts_ke_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "io/openssl_reason.h"
#include "io/resolver.h"
#include "io/sockaddr.h"
#include "io/tcp_listen.h"

namespace tempus::io {
namespace {

namespace nts = core::nts;

constexpr size_t kChunk = 4096;
// The request written by core::nts::WriteKeRequest is 16 octets.
constexpr size_t kMaxRequest = 64;

}  // namespace

std::string_view NtsKeErrorName(NtsKeError error) {
  switch (error) {
    case NtsKeError::kConnect: return "connect";
    case NtsKeError::kTls: return "tls";
    case NtsKeError::kCertificate: return "certificate";
    case NtsKeError::kAlpn: return "alpn";
    case NtsKeError::kTimeout: return "timeout";
    case NtsKeError::kTooLarge: return "too_large";
    case NtsKeError::kClosedEarly: return "closed_early";
    case NtsKeError::kResponse: return "response";
    case NtsKeError::kKeyExport: return "key_export";
    case NtsKeError::kLocal: return "local";
  }
  return "unknown";
}

std::string NtsKeFailure::ToString() const {
  return std::string(NtsKeErrorName(error)) + (detail.empty() ? "" : ": " + detail);
}

struct NtsKeClient::Tls {
  ~Tls() {
    SSL_free(ssl);  // and its BIOs
    SSL_CTX_free(ctx);
  }
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  BIO* in = nullptr;   // ciphertext from the server, for OpenSSL to read
  BIO* out = nullptr;  // ciphertext OpenSSL wrote, for us to send
};

namespace {

// The TLS context and connection for `options`; the error says what could not be set up.
Result<void, NtsKeFailure> SetUpTls(const NtsKeClientOptions& options, SSL_CTX*& ctx, SSL*& ssl, BIO*& in, BIO*& out) {
  const auto local = [](std::string what) {
    return Unexpected(NtsKeFailure{NtsKeError::kLocal, what + OpenSslReason(), {}});
  };
  ERR_clear_error();
  ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return local("cannot make a TLS context: ");
  // RFC 8915 §3: TLS 1.3 or newer; there is nothing newer to allow.
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  if (options.verify) {
    const bool loaded = options.ca_file.empty()
                            ? SSL_CTX_set_default_verify_paths(ctx) == 1
                            : SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) == 1;
    if (!loaded)
      return local(options.ca_file.empty() ? "cannot load the system CA store: " : "ca " + options.ca_file + ": ");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  ssl = SSL_new(ctx);
  in = BIO_new(BIO_s_mem());
  out = BIO_new(BIO_s_mem());
  if (ssl == nullptr || in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    in = out = nullptr;
    return local("cannot make a TLS connection: ");
  }
  BIO_set_mem_eof_return(in, -1);  // an empty input is "read more", not the end
  SSL_set_bio(ssl, in, out);
  // RFC 8915 §4: ALPN "ntske/1". Wire format: a length octet, then the name.
  static constexpr unsigned char kAlpnWire[] = {7, 'n', 't', 's', 'k', 'e', '/', '1'};
  if (SSL_set_alpn_protos(ssl, kAlpnWire, sizeof kAlpnWire) != 0) return local("cannot set ALPN: ");
  // §3 and RFC 6125: the certificate must name the host we were told; an IP literal is matched
  // against the certificate's IP addresses and sent without SNI (RFC 6066 §3 forbids it).
  if (core::NetAddress::Parse(options.host)) {
    if (options.verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), options.host.c_str()) != 1) {
      return local("bad address " + options.host + ": ");
    }
  } else {
    if (SSL_set_tlsext_host_name(ssl, options.host.c_str()) != 1) return local("bad host name " + options.host + ": ");
    if (options.verify && SSL_set1_host(ssl, options.host.c_str()) != 1) {
      return local("bad host name " + options.host + ": ");
    }
  }
  SSL_set_connect_state(ssl);
  return {};
}

}  // namespace

Result<std::unique_ptr<NtsKeClient>, NtsKeFailure> NtsKeClient::Start(const NtsKeClientOptions& options, PollLoop& loop,
                                                                      ExportKeys export_keys, Done done) {
  std::unique_ptr<NtsKeClient> c(new NtsKeClient(loop, std::move(export_keys), std::move(done)));
  c->tls_ = std::make_unique<Tls>();
  if (auto t = SetUpTls(options, c->tls_->ctx, c->tls_->ssl, c->tls_->in, c->tls_->out); !t) {
    return Unexpected(t.error());
  }
  c->fd_ = socket(ToAddressFamily(options.address.family()), SOCK_STREAM, 0);
  if (c->fd_ < 0 || !SetNonBlockingCloexec(c->fd_)) {
    return Unexpected(NtsKeFailure{NtsKeError::kLocal, std::string("socket: ") + std::strerror(errno), {}});
  }
  sockaddr_storage ss{};
  const socklen_t len = ToSockaddr(options.address, &ss);
  if (connect(c->fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    // Refused or unreachable at once (loopback): still reported through `done`, from the loop.
    const std::string why = "connect " + options.address.ToStringWithPort() + ": " + std::strerror(errno);
    c->deadline_ = loop.AddTimer(loop.Now(), [p = c.get(), why] {
      p->deadline_ = 0;
      p->Fail(NtsKeError::kConnect, why);
    });
    return c;
  }
  c->deadline_ = loop.AddTimer(loop.Now() + options.time_limit, [p = c.get(), options] {
    p->deadline_ = 0;
    p->Fail(NtsKeError::kTimeout, "no whole response from " + options.address.ToStringWithPort() + " within " +
                                      std::to_string(options.time_limit.Seconds()) + " s");
  });
  loop.Watch(c->fd_, POLLOUT, [p = c.get()](short revents) { p->OnEvent(revents); });
  return c;
}

NtsKeClient::NtsKeClient(PollLoop& loop, ExportKeys export_keys, Done done)
    : loop_(loop), export_keys_(std::move(export_keys)), done_(std::move(done)) {}

NtsKeClient::~NtsKeClient() {
  if (deadline_ != 0) loop_.CancelTimer(deadline_);
  if (done_timer_ != 0) loop_.CancelTimer(done_timer_);
  if (fd_ >= 0) {
    loop_.Unwatch(fd_);
    close(fd_);
  }
}

void NtsKeClient::OnEvent(short revents) {
  if (state_ == State::kDone) return;
  if (state_ == State::kConnecting) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return Fail(NtsKeError::kConnect, std::strerror(err));
    state_ = State::kHandshake;
  } else {
    std::array<uint8_t, kChunk> buf{};
    while ((revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      const ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, nullptr, nullptr);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0) return Fail(NtsKeError::kClosedEarly, std::string("receive: ") + std::strerror(errno));
      if (n == 0) {
        eof_ = true;
        break;
      }
      // A response larger than the bound, plus the handshake, is refused in ReadResponse.
      BIO_write(tls_->in, buf.data(), static_cast<int>(n));
      if (static_cast<size_t>(n) < buf.size()) break;
    }
  }
  Advance();
}

void NtsKeClient::Advance() {
  ERR_clear_error();
  if (state_ == State::kHandshake) Handshake();
  if (state_ == State::kResponse) ReadResponse();
  if (state_ == State::kDone) return;
  if (!Flush()) return;
  if (eof_) {
    Fail(state_ == State::kHandshake ? NtsKeError::kTls : NtsKeError::kClosedEarly,
         state_ == State::kHandshake ? "the server closed the connection during the handshake"
                                     : "the server closed the connection before a whole response");
  }
}

void NtsKeClient::Handshake() {
  SSL* ssl = tls_->ssl;
  const int r = SSL_do_handshake(ssl);
  if (r != 1) {
    if (SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ) return;
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) return Fail(NtsKeError::kCertificate, X509_verify_cert_error_string(verify));
    std::string reason = OpenSslReason();
    return Fail(NtsKeError::kTls, reason.empty() ? "handshake failed" : reason);
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn == nullptr || std::string_view(reinterpret_cast<const char*>(alpn), alpn_len) != kAlpn) {
    return Fail(NtsKeError::kAlpn, "the server did not select ALPN ntske/1");
  }
  std::array<uint8_t, kMaxRequest> request{};
  const size_t size = nts::WriteKeRequest(request);
  size_t written = 0;
  // Memory BIOs grow as needed: the write completes at once.
  if (SSL_write_ex(ssl, request.data(), size, &written) != 1 || written != size) {
    return Fail(NtsKeError::kTls, "cannot write the request: " + OpenSslReason());
  }
  state_ = State::kResponse;
}

void NtsKeClient::ReadResponse() {
  std::array<uint8_t, kChunk> buf{};
  for (;;) {
    size_t n = 0;
    if (SSL_read_ex(tls_->ssl, buf.data(), buf.size(), &n) == 1) {
      response_.insert(response_.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      if (response_.size() > nts::kMaxKeMessageSize) {
        return Fail(NtsKeError::kTooLarge, "more than " + std::to_string(nts::kMaxKeMessageSize) + " octets");
      }
      continue;
    }
    const int err = SSL_get_error(tls_->ssl, 0);
    if (err == SSL_ERROR_WANT_READ) break;
    if (err == SSL_ERROR_ZERO_RETURN) {  // close_notify: §4, the server closes after its response
      eof_ = true;
      break;
    }
    return Fail(NtsKeError::kTls, "reading the response: " + OpenSslReason());
  }
  auto outcome = nts::ReadKeResponse(response_);
  if (!outcome) {
    const nts::KeResponseProblem& p = outcome.error();
    if (p.error == nts::KeResponseError::kMalformed && p.decode_error == nts::KeDecodeError::kIncomplete) return;
    NtsKeFailure f{NtsKeError::kResponse, nts::DescribeKeProblem(p), p};
    return Finish(Unexpected(std::move(f)));
  }
  SSL* ssl = tls_->ssl;
  const Exporter exporter = [ssl](std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out) {
    return SSL_export_keying_material(ssl, out.data(), out.size(), label.data(), label.size(), context.data(),
                                      context.size(), 1) == 1;
  };
  auto keys = export_keys_(exporter);
  if (!keys) return Fail(NtsKeError::kKeyExport, "cannot export the session keys: " + OpenSslReason());
  Finish(NtsKeSession{*keys, std::move(*outcome)});
}

bool NtsKeClient::Flush() {
  std::array<uint8_t, kChunk> buf{};
  for (int n; (n = BIO_read(tls_->out, buf.data(), static_cast<int>(buf.size()))) > 0;) {
    pending_.insert(pending_.end(), buf.begin(), buf.begin() + n);
  }
  while (!pending_.empty()) {
    const ssize_t n = sendto(fd_, pending_.data(), pending_.size(), MSG_NOSIGNAL, nullptr, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      Fail(NtsKeError::kClosedEarly, std::string("send: ") + std::strerror(errno));
      return false;
    }
    pending_.erase(pending_.begin(), pending_.begin() + n);
  }
  loop_.Watch(fd_, pending_.empty() ? POLLIN : POLLIN | POLLOUT, [this](short revents) { OnEvent(revents); });
  return true;
}

void NtsKeClient::Fail(NtsKeError error, std::string detail) {
  Finish(Unexpected(NtsKeFailure{error, std::move(detail), std::nullopt}));
}

void NtsKeClient::Finish(Result<NtsKeSession, NtsKeFailure> result) {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  if (deadline_ != 0) loop_.CancelTimer(deadline_);
  deadline_ = 0;
  if (fd_ >= 0) {
    loop_.Unwatch(fd_);
    close(fd_);
    fd_ = -1;
  }
  ERR_clear_error();
  // `done` may destroy this client, and Finish runs deep inside its own frames (Advance goes on
  // after ReadResponse): call it from a timer of its own, cancelled if the client goes first.
  done_timer_ = loop_.AddTimer(loop_.Now(), [this, result = std::move(result)] {
    done_timer_ = 0;
    Done done = std::move(done_);
    done(result);  // last: it may destroy this client
  });
}

Result<NtsKeSession, NtsKeFailure> ExchangeNtsKe(const NtsKeClientOptions& options,
                                                 NtsKeClient::ExportKeys export_keys) {
  PollLoop loop;
  std::optional<Result<NtsKeSession, NtsKeFailure>> result;
  auto client = NtsKeClient::Start(options, loop, std::move(export_keys), [&](auto r) {
    result.emplace(std::move(r));
    loop.Stop();
  });
  if (!client) return Unexpected(client.error());
  // The client's own deadline ends the exchange; the bound here only guards against a bug.
  auto run = loop.Run(loop.Now() + options.time_limit + core::NtpDuration::FromWholeSeconds(1));
  if (!run) return Unexpected(NtsKeFailure{NtsKeError::kLocal, run.error().ToString(), {}});
  if (!result) return Unexpected(NtsKeFailure{NtsKeError::kTimeout, "no response", {}});
  return std::move(*result);
}

NtpServerAfterKe NtpServerOf(const core::NetAddress& ke_address, const core::nts::KeOutcome& outcome) {
  constexpr uint16_t kNtpPort = 123;
  NtpServerAfterKe out;
  out.port = outcome.port.value_or(kNtpPort);
  if (!outcome.server) {
    out.address = ke_address.WithPort(out.port);
  } else if (auto numeric = core::NetAddress::Parse(*outcome.server)) {
    out.address = numeric->WithPort(out.port);
  } else {
    out.name = *outcome.server;
  }
  return out;
}

Result<core::NetAddress, std::string> NtpAddressOf(
    const std::string& name, uint16_t port, const Result<std::vector<core::NetAddress>, std::string>& addresses) {
  if (!addresses) return Unexpected("the NTP server it named: " + addresses.error());
  if (addresses->empty()) return Unexpected("the NTP server it named, " + name + ", has no address");
  return addresses->front().WithPort(port);
}

Result<core::NetAddress, std::string> NtpAddressAfterKe(const core::NetAddress& ke_address,
                                                        const core::nts::KeOutcome& outcome) {
  NtpServerAfterKe ntp = NtpServerOf(ke_address, outcome);
  if (ntp.address) return *ntp.address;
  return NtpAddressOf(ntp.name, ntp.port, Resolver().Resolve(ntp.name, ntp.port));
}

}  // namespace tempus::io

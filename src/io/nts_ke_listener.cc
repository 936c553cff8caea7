#include "io/nts_ke_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "io/openssl_reason.h"
#include "io/tcp_listen.h"

namespace tempus::io {
namespace {

constexpr size_t kMaxAcceptsPerWakeup = 64;
constexpr size_t kMaxResponse = 16384;
// Ciphertext a client may send beyond its request: its side of the handshake and record headers.
constexpr size_t kMaxHandshakeBytes = 16384;
constexpr size_t kChunk = 4096;

// RFC 8915 §4: the server selects "ntske/1" or ends the handshake with no_application_protocol.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in, unsigned int in_len,
               void*) {
  const std::string_view want = NtsKeListener::kAlpn;
  for (unsigned int i = 0; i < in_len;) {
    const unsigned int len = in[i];
    if (i + 1 + len > in_len) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == want) {
      *out = in + i + 1;
      *out_len = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

}  // namespace

struct NtsKeListener::Tls {
  ~Tls() { SSL_CTX_free(ctx); }
  SSL_CTX* ctx = nullptr;
};

struct NtsKeListener::Connection {
  enum class State : uint8_t { kHandshake, kRequest, kFlushing };
  ~Connection() { SSL_free(ssl); }
  int fd = -1;
  SSL* ssl = nullptr;  // owns its two memory BIOs
  BIO* in = nullptr;   // ciphertext from the client, for OpenSSL to read
  BIO* out = nullptr;  // ciphertext OpenSSL wrote, for us to send
  State state = State::kHandshake;
  std::vector<uint8_t> request;  // plaintext read so far
  std::vector<uint8_t> pending;  // ciphertext not yet sent
  size_t received = 0;           // ciphertext octets read from the socket
  bool eof = false;              // the client shut its side: what it sent is all there is
  uint64_t last_activity = 0;
  PollLoop::TimerId deadline = 0;
};

Result<std::unique_ptr<NtsKeListener::Tls>, std::string> NtsKeListener::MakeTls(const NtsKeListenerOptions& options) {
  ERR_clear_error();
  auto tls = std::make_unique<Tls>();
  tls->ctx = SSL_CTX_new(TLS_server_method());
  if (tls->ctx == nullptr) return Unexpected("NTS-KE: cannot make a TLS context: " + OpenSslReason());
  // RFC 8915 §3: TLS 1.3 or newer; there is nothing newer to allow.
  SSL_CTX_set_min_proto_version(tls->ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(tls->ctx, TLS1_3_VERSION);
  // One ticket, though one exchange per connection needs none: sent at once after the client's
  // Finished, it carries the ACK of that flight. Without it the server has nothing to send, the
  // kernel delays its ACK (40 ms), and a client with Nagle on (Python's ssl, for one) holds its
  // request until then: 22 exchanges/s instead of ~900 on loopback. No session cache.
  SSL_CTX_set_num_tickets(tls->ctx, 1);
  SSL_CTX_set_session_cache_mode(tls->ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(tls->ctx, options.cert_file.c_str()) != 1) {
    return Unexpected("nts cert " + options.cert_file + ": " + OpenSslReason());
  }
  if (SSL_CTX_use_PrivateKey_file(tls->ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Unexpected("nts key " + options.key_file + ": " + OpenSslReason());
  }
  if (SSL_CTX_check_private_key(tls->ctx) != 1) {
    return Unexpected("nts key " + options.key_file + " does not match nts cert " + options.cert_file + ": " +
                      OpenSslReason());
  }
  SSL_CTX_set_alpn_select_cb(tls->ctx, SelectAlpn, nullptr);
  return tls;
}

Result<std::unique_ptr<NtsKeListener>, std::string> NtsKeListener::Open(const NtsKeListenerOptions& options,
                                                                        PollLoop& loop, Respond respond) {
  auto tls = MakeTls(options);
  if (!tls) return Unexpected(tls.error());
  auto listening = ListenTcp(options.address, 128, "NTS-KE");
  if (!listening) return Unexpected(listening.error().ToString());
  const auto [fd, actual] = *listening;
  std::unique_ptr<NtsKeListener> listener(
      new NtsKeListener(fd, actual, options, loop, std::move(respond), std::move(*tls)));
  loop.Watch(fd, POLLIN, [l = listener.get()](short) { l->Accept(); });
  return listener;
}

NtsKeListener::NtsKeListener(int fd, core::NetAddress address, const NtsKeListenerOptions& options, PollLoop& loop,
                             Respond respond, std::unique_ptr<Tls> tls)
    : fd_(fd), address_(address), options_(options), loop_(loop), respond_(std::move(respond)), tls_(std::move(tls)) {}

Result<void, std::string> NtsKeListener::ReloadCertificate() {
  auto tls = MakeTls(options_);
  if (!tls) return Unexpected(tls.error());
  // Open connections keep the context they started with: each SSL holds a reference to it.
  tls_ = std::move(*tls);
  return {};
}

NtsKeListener::~NtsKeListener() {
  while (!connections_.empty()) Close(connections_.begin()->first, nullptr);
  loop_.Unwatch(fd_);
  close(fd_);
}

void NtsKeListener::Accept() {
  for (size_t i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    int fd = accept(fd_, nullptr, nullptr);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE) && !connections_.empty()) {
      // Out of descriptors before max_connections (a lower RLIMIT_NOFILE, or the daemon's other
      // files): the least recently active connection makes room, as at max_connections. Leaving
      // the connection in the backlog would wake the loop at once, again and again, and let
      // idle connections lock every new client out.
      DropOldest();
      fd = accept(fd_, nullptr, nullptr);
    }
    if (fd < 0) return;  // EAGAIN: done; other errors: try again on the next wakeup
    if (!SetNonBlockingCloexec(fd)) {
      close(fd);
      continue;
    }
    // Every write is a whole TLS flight; without this, Nagle holds the response behind the
    // unacknowledged session ticket until the client's delayed ACK (up to 40 ms on Linux).
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connections_.size() >= options_.max_connections) DropOldest();
    ++counters_.accepted;
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->ssl = SSL_new(tls_->ctx);
    c->in = BIO_new(BIO_s_mem());
    c->out = BIO_new(BIO_s_mem());
    if (c->ssl == nullptr || c->in == nullptr || c->out == nullptr) {
      BIO_free(c->in);
      BIO_free(c->out);
      c->in = c->out = nullptr;
      ERR_clear_error();
      close(fd);
      ++counters_.tls_failed;
      continue;
    }
    BIO_set_mem_eof_return(c->in, -1);  // an empty input is "read more", not the end
    SSL_set_bio(c->ssl, c->in, c->out);
    SSL_set_accept_state(c->ssl);
    c->last_activity = ++activity_;
    c->deadline = loop_.AddTimer(loop_.Now() + options_.time_limit, [this, fd] {
      auto it = connections_.find(fd);
      if (it == connections_.end()) return;
      it->second->deadline = 0;  // this timer is running: nothing to cancel
      Close(fd, &counters_.timed_out);
    });
    connections_[fd] = std::move(c);
    loop_.Watch(fd, POLLIN, [this, fd](short revents) { OnEvent(fd, revents); });
  }
}

void NtsKeListener::OnEvent(int fd, short revents) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  c.last_activity = ++activity_;
  std::array<uint8_t, kChunk> buf{};
  while ((revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
    const ssize_t n = recvfrom(fd, buf.data(), buf.size(), 0, nullptr, nullptr);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) return Close(fd, &counters_.closed_early);
    if (n == 0) {
      // A half-close after the request still gets the answer (what was read is handled first).
      c.eof = true;
      break;
    }
    c.received += static_cast<size_t>(n);
    if (c.received > options_.max_request + kMaxHandshakeBytes) return Close(fd, &counters_.too_large);
    BIO_write(c.in, buf.data(), static_cast<int>(n));
    if (static_cast<size_t>(n) < buf.size()) break;
  }
  if (Advance(c) && c.eof && c.state != Connection::State::kFlushing) Close(fd, &counters_.closed_early);
}

bool NtsKeListener::Advance(Connection& c) {
  const int fd = c.fd;
  ERR_clear_error();
  if (c.state == Connection::State::kHandshake) {
    const int r = SSL_do_handshake(c.ssl);
    if (r != 1) {
      const int err = SSL_get_error(c.ssl, r);
      const bool more = err == SSL_ERROR_WANT_READ;
      // A failed handshake still owes the client its alert (no_application_protocol, ...).
      if (!Flush(c) || !more) {
        ERR_clear_error();
        Close(fd, &counters_.tls_failed);
        return false;
      }
      return true;
    }
    const unsigned char* alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(c.ssl, &alpn, &alpn_len);
    if (alpn == nullptr || std::string_view(reinterpret_cast<const char*>(alpn), alpn_len) != kAlpn) {
      // A client that offered no ALPN at all: the callback never ran.
      Close(fd, &counters_.tls_failed);
      return false;
    }
    c.state = Connection::State::kRequest;
  }
  if (c.state == Connection::State::kRequest) {
    std::array<uint8_t, kChunk> buf{};
    bool grew = false;
    for (;;) {
      size_t n = 0;
      if (SSL_read_ex(c.ssl, buf.data(), buf.size(), &n) == 1) {
        c.request.insert(c.request.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        grew = true;
        if (c.request.size() > options_.max_request) {
          Close(fd, &counters_.too_large);
          return false;
        }
        continue;
      }
      const int err = SSL_get_error(c.ssl, 0);
      if (err == SSL_ERROR_WANT_READ) break;
      if (err == SSL_ERROR_ZERO_RETURN) {
        // close_notify: TLS 1.3 closes one direction; the request before it is still answered.
        c.eof = true;
        break;
      }
      ERR_clear_error();
      Close(fd, &counters_.tls_failed);
      return false;
    }
    if (grew && !Answer(c)) return false;
  }
  if (!Flush(c)) {
    Close(fd, &counters_.closed_early);
    return false;
  }
  if (c.state == Connection::State::kFlushing && c.pending.empty()) {
    Close(fd, &counters_.answered);
    return false;
  }
  return true;
}

bool NtsKeListener::Answer(Connection& c) {
  const Exporter exporter = [ssl = c.ssl](std::string_view label, std::span<const uint8_t> context,
                                          std::span<uint8_t> out) {
    return SSL_export_keying_material(ssl, out.data(), out.size(), label.data(), label.size(), context.data(),
                                      context.size(), 1) == 1;
  };
  std::vector<uint8_t> response(kMaxResponse);
  const auto size = respond_(c.request, exporter, response);
  if (!size) return true;  // read more
  if (*size == 0) {
    Close(c.fd, &counters_.unanswerable);
    return false;
  }
  size_t written = 0;
  // Memory BIOs grow as needed: the write completes at once. §4: the server then closes.
  if (SSL_write_ex(c.ssl, response.data(), *size, &written) != 1 || written != *size) {
    ERR_clear_error();
    Close(c.fd, &counters_.tls_failed);
    return false;
  }
  (void)SSL_shutdown(c.ssl);  // queues close_notify
  ERR_clear_error();
  c.state = Connection::State::kFlushing;
  return true;
}

bool NtsKeListener::Flush(Connection& c) {
  std::array<uint8_t, kChunk> buf{};
  for (int n; (n = BIO_read(c.out, buf.data(), static_cast<int>(buf.size()))) > 0;) {
    c.pending.insert(c.pending.end(), buf.begin(), buf.begin() + n);
  }
  while (!c.pending.empty()) {
    const ssize_t n = sendto(c.fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL, nullptr, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) return false;
    c.pending.erase(c.pending.begin(), c.pending.begin() + n);
  }
  // After the client's end of stream POLLIN would fire forever: wait for room to write only.
  const short events = c.eof ? POLLOUT : (c.pending.empty() ? POLLIN : POLLIN | POLLOUT);
  loop_.Watch(c.fd, events, [this, fd = c.fd](short revents) { OnEvent(fd, revents); });
  return true;
}

void NtsKeListener::DropOldest() {
  const auto oldest = std::min_element(connections_.begin(), connections_.end(), [](const auto& a, const auto& b) {
    return a.second->last_activity < b.second->last_activity;
  });
  if (oldest != connections_.end()) Close(oldest->first, &counters_.over_capacity);
}

void NtsKeListener::Close(int fd, uint64_t* counter) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  if (counter != nullptr) ++*counter;
  if (it->second->deadline != 0) loop_.CancelTimer(it->second->deadline);
  loop_.Unwatch(fd);
  close(fd);
  connections_.erase(it);
}

}  // namespace tempus::io

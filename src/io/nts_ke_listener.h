// NtsKeListener: the TLS side of an NTS-KE server (RFC 8915 §4): TCP (port 4460 by default), TLS
// 1.3 only, ALPN "ntske/1" required, one request and one response per connection, driven by the
// daemon's PollLoop on non-blocking sockets (ARCHITECTURE.md "I/O rules": OpenSSL talks to
// memory BIOs, the bytes move with recvfrom/sendto).
//
// What the request means is not decided here: `respond` (crypto::AnswerKeRequest in the daemon)
// gets the plaintext read so far and an exporter for the session's keying material (§5.1), and
// says "read more" or hands back the response. Bounds, each drop counted: at most
// `max_connections` at once (the least recently active one is dropped for a new one), at most
// `max_request` plaintext octets, and `time_limit` from accept to the response written. Runs on
// the PollLoop's thread; not thread-safe.
#ifndef TEMPUS_IO_NTS_KE_LISTENER_H_
#define TEMPUS_IO_NTS_KE_LISTENER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "core/net/net_address.h"
#include "core/time/ntp_duration.h"
#include "io/poll_loop.h"

namespace tempus::io {

struct NtsKeListenerOptions {
  core::NetAddress address;  // where to listen (TCP)
  std::string cert_file;     // PEM certificate chain (NTPsec `nts cert`)
  std::string key_file;      // PEM private key (NTPsec `nts key`)
  size_t max_connections = 256;
  size_t max_request = 16384;  // the NTS-KE codec's bound (core::nts::kMaxKeMessageSize)
  core::NtpDuration time_limit = core::NtpDuration::FromWholeSeconds(5);  // handshake + request + response
};

// Every connection ends in exactly one of these (answered, or one drop reason).
struct NtsKeCounters {
  uint64_t accepted = 0;
  uint64_t answered = 0;       // a response was written
  uint64_t over_capacity = 0;  // dropped for a new connection (max_connections)
  uint64_t timed_out = 0;      // time_limit passed before the response was written
  uint64_t too_large = 0;      // more than max_request octets of plaintext without a whole request
  uint64_t tls_failed = 0;     // handshake failed: not TLS 1.3, no or another ALPN, a bad record
  uint64_t closed_early = 0;   // the client closed (or the socket failed) before the response
  uint64_t unanswerable = 0;   // `respond` gave no response (0 octets)
};

class NtsKeListener {
 public:
  // TLS keying material of the connection's session (RFC 8446 §7.5, RFC 5705): fills `out` from
  // `label` and `context`; false when the export fails.
  using Exporter =
      std::function<bool(std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out)>;
  // The request read so far in, nullopt to read more, or the response's size in `out` (0: none).
  using Respond = std::function<std::optional<size_t>(std::span<const uint8_t> request, const Exporter& exporter,
                                                      std::span<uint8_t> out)>;

  // Loads the certificate and key and listens. The error names what failed (file, OpenSSL's
  // reason, the socket call). `loop` must outlive the listener.
  [[nodiscard]] static Result<std::unique_ptr<NtsKeListener>, std::string> Open(const NtsKeListenerOptions& options,
                                                                                PollLoop& loop, Respond respond);
  NtsKeListener(const NtsKeListener&) = delete;
  NtsKeListener& operator=(const NtsKeListener&) = delete;
  ~NtsKeListener();

  // Reads the certificate and key files again (a renewed certificate, SIGHUP) for the
  // connections accepted from now on. When they do not load, or do not match, the ones in use
  // stay and the error names the file and OpenSSL's reason.
  [[nodiscard]] Result<void, std::string> ReloadCertificate();

  // The bound address (the real port when options.address had port 0).
  const core::NetAddress& address() const { return address_; }
  const NtsKeCounters& counters() const { return counters_; }
  size_t open_connections() const { return connections_.size(); }

  static constexpr std::string_view kAlpn = "ntske/1";  // RFC 8915 §4

 private:
  struct Tls;         // OpenSSL's context (nts_ke_listener.cc)
  struct Connection;  // one client: its SSL, buffers, deadline

  // The TLS context of `options`: TLS 1.3 only, ALPN ntske/1, the certificate chain and key loaded.
  static Result<std::unique_ptr<Tls>, std::string> MakeTls(const NtsKeListenerOptions& options);
  NtsKeListener(int fd, core::NetAddress address, const NtsKeListenerOptions& options, PollLoop& loop, Respond respond,
                std::unique_ptr<Tls> tls);
  void Accept();
  void OnEvent(int fd, short revents);
  // Moves the TLS state machine on as far as the bytes allow; false when the connection ended.
  bool Advance(Connection& c);
  // Asks `respond` about the request read so far and queues its response; false when closed.
  bool Answer(Connection& c);
  // Sends what TLS produced; false when the socket failed.
  bool Flush(Connection& c);
  void DropOldest();
  void Close(int fd, uint64_t* counter);

  int fd_;
  core::NetAddress address_;
  NtsKeListenerOptions options_;
  PollLoop& loop_;
  Respond respond_;
  std::unique_ptr<Tls> tls_;
  std::map<int, std::unique_ptr<Connection>> connections_;
  uint64_t activity_ = 0;  // orders connections by their last event
  NtsKeCounters counters_;
};

}  // namespace tempus::io

#endif  // TEMPUS_IO_NTS_KE_LISTENER_H_

// NtsKeClient: the TLS side of an NTS-KE client (RFC 8915 §4): TCP to port 4460 (or another),
// TLS 1.3 only, ALPN "ntske/1", SNI and certificate name = the server's host name, the chain
// checked against the system store or a `ca` file (`noval` turns the check off, for tests only).
// It sends the request core::nts::WriteKeRequest writes (NTPv4, AEAD_AES_SIV_CMAC_256), reads
// the response (at most core::nts::kMaxKeMessageSize octets) and judges it with
// core::nts::ReadKeResponse; the session keys come from the injected `export_keys`
// (crypto::ExportSessionKeys in the programs: io may not include crypto).
//
// Driven by a PollLoop on a non-blocking socket (ARCHITECTURE.md "I/O rules": OpenSSL talks to
// memory BIOs, the bytes move with recvfrom/sendto), bounded by `time_limit` from connect to the
// whole response. `done` is called exactly once, from the loop; the client may be destroyed in
// it or at any time (that cancels the exchange silently). Not thread-safe.
#ifndef TEMPUS_IO_NTS_KE_CLIENT_H_
#define TEMPUS_IO_NTS_KE_CLIENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"
#include "core/nts/client_exchange.h"
#include "core/nts/ke_client.h"
#include "core/time/ntp_duration.h"
#include "io/poll_loop.h"

namespace tempus::io {

// Why an exchange failed; each is a named reason (logs, counters).
enum class NtsKeError : uint8_t {
  kConnect,      // the TCP connection failed (refused, unreachable)
  kTls,          // the TLS handshake failed (not TLS 1.3, an alert from the server, a bad record)
  kCertificate,  // the server's certificate did not verify (unknown CA, wrong name, expired)
  kAlpn,         // the server did not select "ntske/1"
  kTimeout,      // time_limit passed
  kTooLarge,     // a response over kMaxKeMessageSize
  kClosedEarly,  // the server closed before a whole response
  kResponse,     // a whole response that gives no session (Error record, no NTPv4, no cookie)
  kKeyExport,    // the TLS exporter failed (§5.1)
  kLocal,        // a local failure: no socket, no TLS context, an unreadable `ca` file
};
inline constexpr size_t kNtsKeErrorCount = 10;
std::string_view NtsKeErrorName(NtsKeError error);

struct NtsKeFailure {
  NtsKeError error = NtsKeError::kLocal;
  std::string detail;  // one line: OpenSSL's reason, the verify error, errno's text, ...
  std::optional<core::nts::KeResponseProblem> problem;  // with kResponse
  // "certificate: unable to get local issuer certificate".
  std::string ToString() const;
};

struct NtsKeSession {
  core::nts::SessionKeys keys;
  core::nts::KeOutcome outcome;  // cookies, negotiated server and port
};

struct NtsKeClientOptions {
  std::string host;          // SNI and the name the certificate must carry (or an IP literal)
  core::NetAddress address;  // host's address, with the NTS-KE port
  std::string ca_file;       // PEM CA certificates; empty: the system store
  bool verify = true;        // false: `noval`, no certificate check (tests only)
  core::NtpDuration time_limit = core::NtpDuration::FromWholeSeconds(5);
};

class NtsKeClient {
 public:
  // TLS keying material (RFC 5705); fills `out`, false on failure.
  using Exporter =
      std::function<bool(std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out)>;
  using ExportKeys = std::function<std::optional<core::nts::SessionKeys>(const Exporter& exporter)>;
  using Done = std::function<void(Result<NtsKeSession, NtsKeFailure> result)>;

  // Starts the exchange; a local failure (no socket, bad `ca` file) comes back at once and `done`
  // is never called. `loop` must outlive the client.
  [[nodiscard]] static Result<std::unique_ptr<NtsKeClient>, NtsKeFailure> Start(const NtsKeClientOptions& options,
                                                                                PollLoop& loop, ExportKeys export_keys,
                                                                                Done done);
  NtsKeClient(const NtsKeClient&) = delete;
  NtsKeClient& operator=(const NtsKeClient&) = delete;
  ~NtsKeClient();

  static constexpr std::string_view kAlpn = "ntske/1";  // RFC 8915 §4

 private:
  struct Tls;  // OpenSSL's context and connection (nts_ke_client.cc)
  enum class State : uint8_t { kConnecting, kHandshake, kResponse, kDone };

  NtsKeClient(PollLoop& loop, ExportKeys export_keys, Done done);
  void OnEvent(short revents);
  void Advance();
  void Handshake();
  void ReadResponse();
  // Sends what TLS produced; false when the socket failed (the exchange then failed).
  bool Flush();
  void Finish(Result<NtsKeSession, NtsKeFailure> result);
  void Fail(NtsKeError error, std::string detail);

  PollLoop& loop_;
  ExportKeys export_keys_;
  Done done_;
  std::unique_ptr<Tls> tls_;
  int fd_ = -1;
  State state_ = State::kConnecting;
  bool eof_ = false;
  std::vector<uint8_t> response_;
  std::vector<uint8_t> pending_;  // ciphertext not yet sent
  PollLoop::TimerId deadline_ = 0;
  PollLoop::TimerId done_timer_ = 0;  // `done`'s call, armed by Finish
};

// Where NTP goes after NTS-KE with the server at `ke_address`, before any lookup: the NTS-KE
// server's address or the numeric address it named (§4.1.7), on the port it named (§4.1.8) or
// 123; or, when it named a host name, that name (for the caller to look up, with `port`).
struct NtpServerAfterKe {
  std::optional<core::NetAddress> address;  // known without a lookup
  std::string name;                         // else the host name to look up
  uint16_t port = 123;
};
NtpServerAfterKe NtpServerOf(const core::NetAddress& ke_address, const core::nts::KeOutcome& outcome);

// NtpServerOf, a named host looked up now with io::Resolver (it blocks for the lookup: for the
// one-shot `tempus query --nts`; tempusd looks names up on a helper thread).
[[nodiscard]] Result<core::NetAddress, std::string> NtpAddressAfterKe(const core::NetAddress& ke_address,
                                                                      const core::nts::KeOutcome& outcome);
// The first of a lookup's `addresses` of the NTP server NTS-KE named `name`, with `port`; or why
// there is none ("the NTP server it named: ...").
[[nodiscard]] Result<core::NetAddress, std::string> NtpAddressOf(
    const std::string& name, uint16_t port, const Result<std::vector<core::NetAddress>, std::string>& addresses);

// Runs one exchange on a PollLoop of its own (the one-shot `tempus query --nts`).
[[nodiscard]] Result<NtsKeSession, NtsKeFailure> ExchangeNtsKe(const NtsKeClientOptions& options,
                                                               NtsKeClient::ExportKeys export_keys);

}  // namespace tempus::io

#endif  // TEMPUS_IO_NTS_KE_CLIENT_H_

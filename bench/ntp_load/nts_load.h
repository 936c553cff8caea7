// NTS for ntp_load (RFC 8915 §5): N NTS-KE sessions with the server under test (1 by default),
// then NTS-protected client requests sealed, and their replies opened, many in flight at once.
//
// ObtainNtsSessions runs the NTS-KEs (io::ExchangeNtsKe: TLS 1.3, ALPN "ntske/1", the certificate
// checked against a CA file), one after the other, or reads the keys and cookies an earlier run
// saved, so that a measured run need not include a handshake (bench/server_bench.sh's callgrind
// pass zeroes the server's counters between two runs of ntp_load).
//
// Each session has its own C2S and S2C keys and its own cookie store, as a client of its own
// would: with many sessions the server sees many clients' keys taking turns (the cost of keying
// AES for each request, which one session hides: docs/performance.md). The caller says which
// session a request belongs to (ntp_load: its source address's index mod N, so that each address
// always speaks for the same session).
//
// NtsRequests seals each request as a client would (§5.7): a Unique Identifier, one cookie,
// placeholders, an Authenticator sealed with C2S over the packet before it. Unlike a real client
// (core::nts::NtsClientSession, one request outstanding) it keeps thousands in flight: the
// Unique Identifier and the nonce are derived from the request's transmit cookie (unique per
// request, see RequestRing) and a per-run salt, so a reply's identifier is checked against the
// request its origin timestamp names, with no state per request. Each request spends a cookie
// once, as a client does (§5.7): the 8 of the NTS-KE, then those the valid replies bring, kept in
// a first-in first-out store. Only when the store is empty (more requests in flight than cookies
// came back yet: the start of a closed loop, losses) is the last cookie sent again, and counted:
// a server may treat a cookie it has seen as a replay (tempusd counts them and answers), so the
// figures are those of fresh cookies when cookies_reused() is small. A reply counts as valid only
// when its identifier is the request's, its Authenticator opens with S2C and the encrypted part
// carries at least one cookie. Not thread-safe; nothing allocates per packet.
#ifndef TEMPUS_BENCH_NTP_LOAD_NTS_LOAD_H_
#define TEMPUS_BENCH_NTP_LOAD_NTS_LOAD_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"
#include "core/nts/aead.h"
#include "core/nts/ke_record.h"
#include "core/wire/codec.h"

namespace tempus::bench {

struct NtsLoadOptions {
  core::NetAddress ke_server;  // IPv4 loopback address and NTS-KE port
  std::string host;            // SNI and the name the certificate must carry
  std::string ca_file;         // PEM CA that signed the server's certificate
  std::string session_file;    // "": always NTS-KE; else read it if it exists, else KE and write it
  uint32_t placeholders = 0;   // cookie placeholders per request (0..7, §5.7)
  uint32_t sessions = 1;       // NTS-KE sessions (1..kMaxNtsSessions), each a client of its own
};
inline constexpr uint32_t kMaxNtsSessions = 4096;

struct NtsSession {
  core::nts::SessionKeys keys;
  std::vector<std::vector<uint8_t>> cookies;
};

// The keys and cookies of options.sessions sessions to load the server with; an error names what
// failed (the KE's reason, an unreadable or malformed session file, a file holding another number
// of sessions). The file is {"sessions": [{"c2s", "s2c", "cookies"}, ...]}; a file of one session
// may also be that session's object alone (what ntp_load wrote before it had sessions).
[[nodiscard]] Result<std::vector<NtsSession>, std::string> ObtainNtsSessions(const NtsLoadOptions& options);

// Why a reply to a request in flight is not a valid NTS reply.
enum class NtsVerdict : uint8_t {
  kValid,
  kMalformed,             // its NTS fields do not parse
  kWrongUniqueId,         // no Unique Identifier, or not the request's
  kNotAuthenticated,      // no Authenticator
  kAuthenticationFailed,  // it does not open with S2C
  kNoCookie,              // the encrypted part is malformed or carries no cookie
};
inline constexpr size_t kNtsVerdictCount = 6;
std::string_view NtsVerdictName(NtsVerdict verdict);

class NtsRequests {
 public:
  // `aead` must outlive this object. REQUIRES: 1 <= sessions.size() <= kMaxNtsSessions, every
  // session has a cookie, placeholders <= 7.
  NtsRequests(std::vector<NtsSession> sessions, uint32_t placeholders, uint64_t salt, const core::nts::Aead& aead);

  size_t sessions() const { return sessions_.size(); }
  // The largest request Seal writes.
  size_t max_request_size() const { return max_request_size_; }
  // Appends the NTS fields of session `session` (< sessions()) to the 48-octet client header at
  // the start of `packet` (its transmit timestamp is `request_cookie`) and seals it with its C2S;
  // returns the request's size, 0 when `packet` is too small or the AEAD failed.
  size_t Seal(size_t session, uint64_t request_cookie, std::span<uint8_t> packet);
  // Judges `reply` (decoded as `decoded`) to the request of `session` whose cookie is
  // `request_cookie`; a valid reply's cookies go to that session's store.
  NtsVerdict Check(size_t session, uint64_t request_cookie, std::span<const uint8_t> reply,
                   const core::DecodedPacket& decoded);

  // Requests that had to send a cookie again (their session's store was empty), all sessions.
  uint64_t cookies_reused() const { return cookies_reused_; }
  // Cookies received in valid replies that did not fit in their session's store (dropped).
  uint64_t cookies_dropped() const { return cookies_dropped_; }
  // Cookie slots per session: the stores hold kStoreCookies cookies in all, at least
  // kMinSessionCookies per session (kMaxCookieSize octets each: 4 MiB for up to 256 sessions,
  // 16 MiB at kMaxNtsSessions).
  size_t cookies_per_session() const { return per_session_; }

 private:
  static constexpr size_t kUniqueIdSize = 32;
  static constexpr size_t kNonceSize = 16;
  static constexpr size_t kStoreCookies = 16384;  // more than any closed loop keeps in flight
  static constexpr size_t kMinSessionCookies = 16;

  // One session's keys and its cookie store, a ring of per_session_ slots of kMaxCookieSize
  // octets in store_.
  struct Session {
    core::nts::SessionKeys keys;
    size_t first_slot = 0;
    uint64_t head = 0;                                      // next slot to fill
    uint64_t tail = 0;                                      // oldest cookie
    std::array<uint8_t, core::nts::kMaxCookieSize> last{};  // the last cookie sent (last_size used)
    size_t last_size = 0;
  };

  void Derive(uint64_t request_cookie, std::span<uint8_t> out) const;
  void Keep(Session& s, std::span<const uint8_t> cookie);
  // The next cookie of `s` to send: the oldest stored, else the last one sent again.
  std::span<const uint8_t> NextCookie(Session& s);

  std::vector<Session> sessions_;
  uint32_t placeholders_;
  std::array<uint8_t, kUniqueIdSize> salt_{};
  const core::nts::Aead& aead_;
  size_t max_request_size_ = 0;
  size_t per_session_ = 0;
  std::vector<uint8_t> plaintext_;  // an opened reply's encrypted fields
  std::vector<uint8_t> store_;      // every session's cookie ring
  std::vector<uint16_t> store_sizes_;
  uint64_t cookies_reused_ = 0;
  uint64_t cookies_dropped_ = 0;
};

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_NTS_LOAD_H_

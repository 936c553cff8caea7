#include "ntp_load/nts_load.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/nts/ke_record.h"
#include "core/nts/ntp_fields.h"
#include "crypto/ke_client_keys.h"
#include "io/nts_ke_client.h"

namespace tempus::bench {
namespace {

namespace nts = core::nts;

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<std::vector<uint8_t>> FromHex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

Result<NtsSession, std::string> ReadOneSession(const std::string& where, const nlohmann::json& j) {
  if (!j.is_object()) return Unexpected(where + "a session is not a JSON object");
  NtsSession s;
  for (auto [name, key] : {std::pair{"c2s", &s.keys.c2s}, std::pair{"s2c", &s.keys.s2c}}) {
    auto bytes = j.contains(name) && j[name].is_string() ? FromHex(j[name].get<std::string>()) : std::nullopt;
    if (!bytes || bytes->size() != key->size()) {
      return Unexpected(where + "'" + name + "' must be " + std::to_string(key->size()) + " octets in hex");
    }
    std::copy(bytes->begin(), bytes->end(), key->begin());
  }
  if (!j.contains("cookies") || !j["cookies"].is_array()) return Unexpected(where + "no 'cookies' array");
  for (const auto& c : j["cookies"]) {
    auto bytes = c.is_string() ? FromHex(c.get<std::string>()) : std::nullopt;
    if (!bytes || bytes->empty() || bytes->size() > nts::kMaxCookieSize) {
      return Unexpected(where + "a cookie is not 1 to " + std::to_string(nts::kMaxCookieSize) + " octets in hex");
    }
    s.cookies.push_back(std::move(*bytes));
  }
  if (s.cookies.empty()) return Unexpected(where + "no cookie");
  return s;
}

Result<std::vector<NtsSession>, std::string> ReadSessions(const std::string& path, std::ifstream& in, uint32_t wanted) {
  const std::string where = "NTS session file " + path + ": ";
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Unexpected(where + "not a JSON object");
  std::vector<NtsSession> sessions;
  if (!j.contains("sessions")) {  // one session's object alone
    auto s = ReadOneSession(where, j);
    if (!s) return Unexpected(s.error());
    sessions.push_back(std::move(*s));
  } else {
    if (!j["sessions"].is_array()) return Unexpected(where + "'sessions' is not an array");
    for (const auto& one : j["sessions"]) {
      auto s = ReadOneSession(where, one);
      if (!s) return Unexpected(s.error());
      sessions.push_back(std::move(*s));
    }
  }
  if (sessions.size() != wanted) {
    return Unexpected(where + "holds " + std::to_string(sessions.size()) + " session(s), --nts-sessions asks for " +
                      std::to_string(wanted) + " (remove the file to make a new one)");
  }
  return sessions;
}

}  // namespace

std::string_view NtsVerdictName(NtsVerdict verdict) {
  switch (verdict) {
    case NtsVerdict::kValid: return "valid";
    case NtsVerdict::kMalformed: return "malformed";
    case NtsVerdict::kWrongUniqueId: return "wrong_unique_id";
    case NtsVerdict::kNotAuthenticated: return "not_authenticated";
    case NtsVerdict::kAuthenticationFailed: return "authentication_failed";
    case NtsVerdict::kNoCookie: return "no_cookie";
  }
  return "unknown";
}

Result<std::vector<NtsSession>, std::string> ObtainNtsSessions(const NtsLoadOptions& options) {
  if (options.sessions < 1 || options.sessions > kMaxNtsSessions) {
    return Unexpected("NTS sessions: expected 1 to " + std::to_string(kMaxNtsSessions) + ", got " +
                      std::to_string(options.sessions));
  }
  if (!options.session_file.empty()) {
    std::ifstream in(options.session_file);
    if (in) return ReadSessions(options.session_file, in, options.sessions);
  }
  io::NtsKeClientOptions ke;
  ke.host = options.host;
  ke.address = options.ke_server;
  ke.ca_file = options.ca_file;
  ke.verify = true;
  ke.time_limit = core::NtpDuration::FromWholeSeconds(30);  // a server under valgrind is slow
  std::vector<NtsSession> sessions;
  // One after the other: a server's NTS-KE is not what is measured, and chronyd serves it from
  // one helper process.
  for (uint32_t i = 0; i < options.sessions; ++i) {
    auto session = io::ExchangeNtsKe(ke, crypto::ExportClientKeys);
    const std::string which = options.sessions == 1 ? "" : " (session " + std::to_string(i + 1) + ")";
    if (!session) {
      return Unexpected("NTS-KE with " + options.ke_server.ToStringWithPort() + which +
                        " failed: " + session.error().ToString());
    }
    NtsSession s{session->keys, session->outcome.cookies};
    std::erase_if(s.cookies, [](const auto& c) { return c.empty() || c.size() > nts::kMaxCookieSize; });
    if (s.cookies.empty()) {
      return Unexpected("NTS-KE with " + options.ke_server.ToStringWithPort() + which + " gave no cookie");
    }
    sessions.push_back(std::move(s));
  }
  if (!options.session_file.empty()) {
    nlohmann::json j = {{"sessions", nlohmann::json::array()}};
    for (const NtsSession& s : sessions) {
      nlohmann::json one = {{"c2s", Hex(s.keys.c2s)}, {"s2c", Hex(s.keys.s2c)}, {"cookies", nlohmann::json::array()}};
      for (const auto& c : s.cookies) one["cookies"].push_back(Hex(c));
      j["sessions"].push_back(std::move(one));
    }
    std::ofstream out(options.session_file);
    out << j.dump(2) << "\n";
    if (!out.flush()) return Unexpected("cannot write the NTS session file " + options.session_file);
  }
  return sessions;
}

NtsRequests::NtsRequests(std::vector<NtsSession> sessions, uint32_t placeholders, uint64_t salt,
                         const core::nts::Aead& aead)
    : placeholders_(placeholders), aead_(aead), plaintext_(4096) {
  per_session_ = std::max(kMinSessionCookies, kStoreCookies / std::max<size_t>(1, sessions.size()));
  store_.resize(sessions.size() * per_session_ * nts::kMaxCookieSize);
  store_sizes_.resize(sessions.size() * per_session_);
  for (size_t i = 0; i < salt_.size(); ++i) salt_[i] = static_cast<uint8_t>((salt >> (8 * (i % 8))) ^ (i * 37));
  max_request_size_ = core::kHeaderSize + nts::FieldSize(kUniqueIdSize) +
                      (1 + placeholders_) * nts::FieldSize(nts::kMaxCookieSize) +
                      nts::FieldSize(4 + kNonceSize + nts::kAeadTagSize);
  sessions_.resize(sessions.size());
  for (size_t i = 0; i < sessions.size(); ++i) {
    sessions_[i].keys = sessions[i].keys;
    sessions_[i].first_slot = i * per_session_;
    for (const auto& c : sessions[i].cookies) Keep(sessions_[i], c);
  }
}

void NtsRequests::Keep(Session& s, std::span<const uint8_t> cookie) {
  if (cookie.empty() || cookie.size() > nts::kMaxCookieSize || s.head - s.tail == per_session_) {
    ++cookies_dropped_;
    return;
  }
  const size_t slot = s.first_slot + s.head++ % per_session_;
  std::copy(cookie.begin(), cookie.end(), store_.begin() + static_cast<ptrdiff_t>(slot * nts::kMaxCookieSize));
  store_sizes_[slot] = static_cast<uint16_t>(cookie.size());
}

std::span<const uint8_t> NtsRequests::NextCookie(Session& s) {
  if (s.tail == s.head) {
    ++cookies_reused_;
  } else {
    const size_t slot = s.first_slot + s.tail++ % per_session_;
    s.last_size = store_sizes_[slot];
    std::copy_n(store_.begin() + static_cast<ptrdiff_t>(slot * nts::kMaxCookieSize), s.last_size, s.last.begin());
  }
  return std::span<const uint8_t>(s.last).first(s.last_size);
}

// The first 8 octets are the request's cookie (unique among the requests in flight), the rest
// the run's salt: a fresh identifier and nonce per request, derived instead of stored.
void NtsRequests::Derive(uint64_t request_cookie, std::span<uint8_t> out) const {
  std::copy_n(salt_.begin(), out.size(), out.begin());
  for (size_t i = 0; i < 8; ++i) out[i] ^= static_cast<uint8_t>(request_cookie >> (8 * i));
}

size_t NtsRequests::Seal(size_t session, uint64_t request_cookie, std::span<uint8_t> packet) {
  if (packet.size() < max_request_size_ || session >= sessions_.size()) return 0;
  Session& s = sessions_[session];
  std::array<uint8_t, kUniqueIdSize> unique_id{};
  std::array<uint8_t, kNonceSize> nonce{};
  Derive(request_cookie, unique_id);
  Derive(~request_cookie, nonce);
  const std::span<const uint8_t> cookie = NextCookie(s);
  // §5.7: Unique Identifier, Cookie, Placeholders (as long as the cookie, §5.5), Authenticator last.
  nts::NtsFieldWriter w(packet, core::kHeaderSize);
  w.Field(nts::kFieldUniqueId, unique_id);
  w.Field(nts::kFieldCookie, cookie);
  for (uint32_t i = 0; i < placeholders_; ++i) w.ZeroField(nts::kFieldCookiePlaceholder, cookie.size());
  if (!w.ok()) return 0;
  // §5.6: the associated data is the packet so far; a request encrypts nothing.
  std::array<uint8_t, nts::kAeadTagSize> tag{};
  const auto sealed = aead_.Seal(s.keys.c2s, packet.first(w.size()), nonce, {}, tag);
  if (!sealed || *sealed != tag.size()) return 0;
  w.AuthenticatorField(nonce, tag);
  return w.ok() ? w.size() : 0;
}

NtsVerdict NtsRequests::Check(size_t session, uint64_t request_cookie, std::span<const uint8_t> reply,
                              const core::DecodedPacket& decoded) {
  if (session >= sessions_.size()) return NtsVerdict::kAuthenticationFailed;
  Session& s = sessions_[session];
  auto fields = nts::ParseNtsFields(reply, decoded);
  if (!fields) return NtsVerdict::kMalformed;
  std::array<uint8_t, kUniqueIdSize> unique_id{};
  Derive(request_cookie, unique_id);
  if (fields->unique_id.size() != unique_id.size() ||
      !std::equal(unique_id.begin(), unique_id.end(), fields->unique_id.begin())) {
    return NtsVerdict::kWrongUniqueId;
  }
  if (!fields->authenticator) return NtsVerdict::kNotAuthenticated;
  const nts::Authenticator& auth = *fields->authenticator;
  if (auth.ciphertext.size() < nts::kAeadTagSize || auth.ciphertext.size() - nts::kAeadTagSize > plaintext_.size()) {
    return NtsVerdict::kAuthenticationFailed;
  }
  const auto opened = aead_.Open(s.keys.s2c, auth.associated_data, auth.nonce, auth.ciphertext,
                                 std::span<uint8_t>(plaintext_).first(auth.ciphertext.size() - nts::kAeadTagSize));
  if (!opened) return NtsVerdict::kAuthenticationFailed;
  std::array<std::span<const uint8_t>, nts::kMaxPlaceholders + 1> fresh{};
  const auto count = nts::EncryptedCookies(std::span<const uint8_t>(plaintext_).first(*opened), fresh);
  if (!count || *count == 0) return NtsVerdict::kNoCookie;
  for (size_t i = 0; i < *count; ++i) Keep(s, fresh[i]);
  return NtsVerdict::kValid;
}

}  // namespace tempus::bench

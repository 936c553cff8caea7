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

Result<NtsSession, std::string> ReadSession(const std::string& path, std::ifstream& in) {
  const std::string where = "NTS session file " + path + ": ";
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Unexpected(where + "not a JSON object");
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

Result<NtsSession, std::string> ObtainNtsSession(const NtsLoadOptions& options) {
  if (!options.session_file.empty()) {
    std::ifstream in(options.session_file);
    if (in) return ReadSession(options.session_file, in);
  }
  io::NtsKeClientOptions ke;
  ke.host = options.host;
  ke.address = options.ke_server;
  ke.ca_file = options.ca_file;
  ke.verify = true;
  ke.time_limit = core::NtpDuration::FromWholeSeconds(30);  // a server under valgrind is slow
  auto session = io::ExchangeNtsKe(ke, crypto::ExportClientKeys);
  if (!session) {
    return Unexpected("NTS-KE with " + options.ke_server.ToStringWithPort() + " failed: " + session.error().ToString());
  }
  NtsSession s{session->keys, session->outcome.cookies};
  std::erase_if(s.cookies, [](const auto& c) { return c.empty() || c.size() > nts::kMaxCookieSize; });
  if (s.cookies.empty()) return Unexpected("NTS-KE with " + options.ke_server.ToStringWithPort() + " gave no cookie");
  if (!options.session_file.empty()) {
    nlohmann::json j = {{"c2s", Hex(s.keys.c2s)}, {"s2c", Hex(s.keys.s2c)}, {"cookies", nlohmann::json::array()}};
    for (const auto& c : s.cookies) j["cookies"].push_back(Hex(c));
    std::ofstream out(options.session_file);
    out << j.dump(2) << "\n";
    if (!out.flush()) return Unexpected("cannot write the NTS session file " + options.session_file);
  }
  return s;
}

NtsRequests::NtsRequests(NtsSession session, uint32_t placeholders, uint64_t salt, const core::nts::Aead& aead)
    : keys_(session.keys),
      placeholders_(placeholders),
      aead_(aead),
      plaintext_(4096),
      store_(kStoreCookies * nts::kMaxCookieSize),
      store_sizes_(kStoreCookies),
      last_(nts::kMaxCookieSize) {
  for (size_t i = 0; i < salt_.size(); ++i) salt_[i] = static_cast<uint8_t>((salt >> (8 * (i % 8))) ^ (i * 37));
  max_request_size_ = core::kHeaderSize + nts::FieldSize(kUniqueIdSize) +
                      (1 + placeholders_) * nts::FieldSize(nts::kMaxCookieSize) +
                      nts::FieldSize(4 + kNonceSize + nts::kAeadTagSize);
  for (const auto& c : session.cookies) Keep(c);
}

void NtsRequests::Keep(std::span<const uint8_t> cookie) {
  if (cookie.empty() || cookie.size() > nts::kMaxCookieSize || store_head_ - store_tail_ == kStoreCookies) {
    ++cookies_dropped_;
    return;
  }
  const size_t slot = store_head_++ % kStoreCookies;
  std::copy(cookie.begin(), cookie.end(), store_.begin() + static_cast<ptrdiff_t>(slot * nts::kMaxCookieSize));
  store_sizes_[slot] = static_cast<uint16_t>(cookie.size());
}

std::span<const uint8_t> NtsRequests::NextCookie() {
  if (store_tail_ == store_head_) {
    ++cookies_reused_;
  } else {
    const size_t slot = store_tail_++ % kStoreCookies;
    last_size_ = store_sizes_[slot];
    std::copy_n(store_.begin() + static_cast<ptrdiff_t>(slot * nts::kMaxCookieSize), last_size_, last_.begin());
  }
  return std::span<const uint8_t>(last_).first(last_size_);
}

// The first 8 octets are the request's cookie (unique among the requests in flight), the rest
// the run's salt: a fresh identifier and nonce per request, derived instead of stored.
void NtsRequests::Derive(uint64_t request_cookie, std::span<uint8_t> out) const {
  std::copy_n(salt_.begin(), out.size(), out.begin());
  for (size_t i = 0; i < 8; ++i) out[i] ^= static_cast<uint8_t>(request_cookie >> (8 * i));
}

size_t NtsRequests::Seal(uint64_t request_cookie, std::span<uint8_t> packet) {
  if (packet.size() < max_request_size_) return 0;
  std::array<uint8_t, kUniqueIdSize> unique_id{};
  std::array<uint8_t, kNonceSize> nonce{};
  Derive(request_cookie, unique_id);
  Derive(~request_cookie, nonce);
  const std::span<const uint8_t> cookie = NextCookie();
  // §5.7: Unique Identifier, Cookie, Placeholders (as long as the cookie, §5.5), Authenticator last.
  nts::NtsFieldWriter w(packet, core::kHeaderSize);
  w.Field(nts::kFieldUniqueId, unique_id);
  w.Field(nts::kFieldCookie, cookie);
  for (uint32_t i = 0; i < placeholders_; ++i) w.ZeroField(nts::kFieldCookiePlaceholder, cookie.size());
  if (!w.ok()) return 0;
  // §5.6: the associated data is the packet so far; a request encrypts nothing.
  std::array<uint8_t, nts::kAeadTagSize> tag{};
  const auto sealed = aead_.Seal(keys_.c2s, packet.first(w.size()), nonce, {}, tag);
  if (!sealed || *sealed != tag.size()) return 0;
  w.AuthenticatorField(nonce, tag);
  return w.ok() ? w.size() : 0;
}

NtsVerdict NtsRequests::Check(uint64_t request_cookie, std::span<const uint8_t> reply,
                              const core::DecodedPacket& decoded) {
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
  const auto opened = aead_.Open(keys_.s2c, auth.associated_data, auth.nonce, auth.ciphertext,
                                 std::span<uint8_t>(plaintext_).first(auth.ciphertext.size() - nts::kAeadTagSize));
  if (!opened) return NtsVerdict::kAuthenticationFailed;
  std::array<std::span<const uint8_t>, nts::kMaxPlaceholders + 1> fresh{};
  const auto count = nts::EncryptedCookies(std::span<const uint8_t>(plaintext_).first(*opened), fresh);
  if (!count || *count == 0) return NtsVerdict::kNoCookie;
  for (size_t i = 0; i < *count; ++i) Keep(fresh[i]);
  return NtsVerdict::kValid;
}

}  // namespace tempus::bench

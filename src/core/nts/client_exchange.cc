#include "core/nts/client_exchange.h"

#include <algorithm>
#include <cstring>

#include "core/nts/ntp_fields.h"
#include "core/wire/codec.h"
#include "core/wire/exchange.h"

namespace tempus::core::nts {
namespace {

void Fill(Random& random, std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    const uint64_t v = random.NextU64();
    for (size_t j = 0; j < 8 && i + j < out.size(); ++j) out[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
}

bool SameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

std::string_view NtsRequestErrorName(NtsRequestError error) {
  switch (error) {
    case NtsRequestError::kNoCookie: return "no_cookie";
    case NtsRequestError::kNoRoom: return "no_room";
    case NtsRequestError::kSealFailed: return "seal_failed";
  }
  return "unknown";
}

std::string_view NtsReplyErrorName(NtsReplyError error) {
  switch (error) {
    case NtsReplyError::kMalformed: return "malformed";
    case NtsReplyError::kNoRequest: return "no_request";
    case NtsReplyError::kWrongUniqueId: return "wrong_unique_id";
    case NtsReplyError::kNak: return "nts_nak";
    case NtsReplyError::kNotAuthenticated: return "not_authenticated";
    case NtsReplyError::kAuthenticationFailed: return "authentication_failed";
    case NtsReplyError::kBadEncryptedFields: return "bad_encrypted_fields";
  }
  return "unknown";
}

NtsClientSession::NtsClientSession(const SessionKeys& keys, const std::vector<std::vector<uint8_t>>& cookies)
    : keys_(keys) {
  for (const auto& c : cookies) {
    if (cookies_.size() < kCookiesWanted && !c.empty()) cookies_.push_back(c);
  }
}

size_t NtsClientSession::PlaceholdersForNextRequest() const {
  // The cookie sent comes back as one; each placeholder asks for one more (§5.7).
  const size_t held = cookies_.size();
  return held >= kCookiesWanted ? 0 : std::min(kMaxPlaceholders, kCookiesWanted - held);
}

Result<size_t, NtsRequestError> NtsClientSession::BuildRequest(NtpTimestamp transmit_cookie, int8_t poll,
                                                               Random& random, const Aead& aead,
                                                               std::span<uint8_t> out) {
  std::array<uint8_t, kHeaderSize> header{};
  BuildClientRequest(transmit_cookie, poll, header);
  return BuildRequest(header, random, aead, out);
}

Result<size_t, NtsRequestError> NtsClientSession::BuildRequest(std::span<const uint8_t> header, Random& random,
                                                               const Aead& aead, std::span<uint8_t> out) {
  if (cookies_.empty()) return Unexpected(NtsRequestError::kNoCookie);
  if (out.size() < kHeaderSize || header.size() != kHeaderSize) return Unexpected(NtsRequestError::kNoRoom);
  const size_t placeholders = PlaceholdersForNextRequest();
  const std::vector<uint8_t>& cookie = cookies_.front();
  std::copy(header.begin(), header.end(), out.begin());
  std::array<uint8_t, kClientUniqueIdSize> unique_id{};
  std::array<uint8_t, kClientNonceSize> nonce{};
  Fill(random, unique_id);
  Fill(random, nonce);
  // §5.7: Unique Identifier, Cookie, Placeholders (as long as the cookie, §5.5), Authenticator last.
  NtsFieldWriter w(out, kHeaderSize);
  w.Field(kFieldUniqueId, unique_id);
  w.Field(kFieldCookie, cookie);
  for (size_t i = 0; i < placeholders; ++i) w.ZeroField(kFieldCookiePlaceholder, cookie.size());
  if (!w.ok()) return Unexpected(NtsRequestError::kNoRoom);
  // §5.6: the associated data is the packet so far; a request encrypts nothing, so the
  // ciphertext is the SIV tag alone.
  std::array<uint8_t, kAeadTagSize> tag{};
  const auto sealed = aead.Seal(keys_.c2s, out.first(w.size()), nonce, {}, tag);
  if (!sealed || *sealed != tag.size()) return Unexpected(NtsRequestError::kSealFailed);
  w.AuthenticatorField(nonce, tag);
  if (!w.ok()) return Unexpected(NtsRequestError::kNoRoom);
  cookies_.pop_front();  // §5.7: never sent twice, so that requests cannot be linked
  unique_id_ = unique_id;
  outstanding_ = true;
  return w.size();
}

Result<void, NtsReplyError> NtsClientSession::CheckReply(std::span<const uint8_t> reply, const Aead& aead) {
  auto decoded = Decode(reply);
  if (!decoded) return Unexpected(NtsReplyError::kMalformed);
  auto fields = ParseNtsFields(reply, *decoded);
  if (!fields) return Unexpected(NtsReplyError::kMalformed);
  if (!outstanding_) return Unexpected(NtsReplyError::kNoRequest);
  // §5.7: the reply echoes the request's Unique Identifier; anything else is stale or forged.
  if (!SameBytes(fields->unique_id, unique_id_)) return Unexpected(NtsReplyError::kWrongUniqueId);
  if (decoded->header.IsKissOfDeath() && KissCodeOf(decoded->header.refid) == KissCode::kNtsNak) {
    return Unexpected(NtsReplyError::kNak);
  }
  if (!fields->authenticator) return Unexpected(NtsReplyError::kNotAuthenticated);
  const Authenticator& auth = *fields->authenticator;
  if (auth.ciphertext.size() < kAeadTagSize) return Unexpected(NtsReplyError::kAuthenticationFailed);
  std::vector<uint8_t> plaintext(auth.ciphertext.size() - kAeadTagSize);
  const auto opened = aead.Open(keys_.s2c, auth.associated_data, auth.nonce, auth.ciphertext, plaintext);
  if (!opened) return Unexpected(NtsReplyError::kAuthenticationFailed);
  // §5.7: new cookies travel only inside the encrypted part, so that no observer can link them.
  std::array<std::span<const uint8_t>, kMaxPlaceholders + 1> fresh{};
  const auto count = EncryptedCookies(std::span<const uint8_t>(plaintext).first(*opened), fresh);
  if (!count) return Unexpected(NtsReplyError::kBadEncryptedFields);
  cookies_received_ += *count;
  for (size_t i = 0; i < *count; ++i) {
    if (cookies_.size() >= kCookiesWanted || fresh[i].empty() || fresh[i].size() > kMaxCookieSize) continue;
    cookies_.emplace_back(fresh[i].begin(), fresh[i].end());
  }
  outstanding_ = false;
  return {};
}

}  // namespace tempus::core::nts

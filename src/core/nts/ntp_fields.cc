#include "core/nts/ntp_fields.h"

#include <cstring>

#include "base/check.h"

namespace tempus::core::nts {
namespace {

constexpr size_t kFieldHeaderSize = 4;
constexpr size_t kMinFieldSize = 16;  // RFC 7822 §3

uint16_t Get16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>((b[at] << 8) | b[at + 1]); }
void Put16(std::span<uint8_t> b, size_t at, size_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
constexpr size_t Pad4(size_t n) { return (n + 3) & ~size_t{3}; }

// §5.6: nonce and ciphertext, each padded to 4 octets, must fit the body; the rest is padding.
Result<Authenticator, NtsFieldError> ParseAuthenticator(std::span<const uint8_t> body) {
  if (body.size() < 4) return Unexpected(NtsFieldError::kBadAuthenticator);
  const size_t nonce_size = Get16(body, 0);
  const size_t ciphertext_size = Get16(body, 2);
  if (nonce_size == 0 || 4 + Pad4(nonce_size) + Pad4(ciphertext_size) > body.size()) {
    return Unexpected(NtsFieldError::kBadAuthenticator);
  }
  return Authenticator{body.subspan(4, nonce_size), body.subspan(4 + Pad4(nonce_size), ciphertext_size), {}};
}

}  // namespace

std::string_view NtsFieldErrorName(NtsFieldError error) {
  switch (error) {
    case NtsFieldError::kShortUniqueId: return "short_unique_id";
    case NtsFieldError::kDuplicateUniqueId: return "duplicate_unique_id";
    case NtsFieldError::kDuplicateCookie: return "duplicate_cookie";
    case NtsFieldError::kBadPlaceholder: return "bad_placeholder";
    case NtsFieldError::kTooManyPlaceholders: return "too_many_placeholders";
    case NtsFieldError::kBadAuthenticator: return "bad_authenticator";
    case NtsFieldError::kFieldAfterAuthenticator: return "field_after_authenticator";
    case NtsFieldError::kDuplicateAuthenticator: return "duplicate_authenticator";
  }
  return "unknown";
}

Result<NtsFields, NtsFieldError> ParseNtsFields(std::span<const uint8_t> packet, const DecodedPacket& decoded) {
  NtsFields f;
  size_t placeholder_size = 0;
  for (const ExtensionField field : decoded.extensions) {
    if (f.authenticator) {
      // §5.6 / §5.7: nothing after the authenticator is authenticated; refuse rather than ignore.
      return Unexpected(field.type == kFieldAuthenticator ? NtsFieldError::kDuplicateAuthenticator
                                                          : NtsFieldError::kFieldAfterAuthenticator);
    }
    switch (field.type) {
      case kFieldUniqueId:
        if (!f.unique_id.empty()) return Unexpected(NtsFieldError::kDuplicateUniqueId);
        if (field.value.size() < kMinUniqueIdSize) return Unexpected(NtsFieldError::kShortUniqueId);
        f.unique_id = field.value;
        break;
      case kFieldCookie:
        if (!f.cookie.empty()) return Unexpected(NtsFieldError::kDuplicateCookie);
        f.cookie = field.value;
        break;
      case kFieldCookiePlaceholder:
        if (f.placeholders == kMaxPlaceholders) return Unexpected(NtsFieldError::kTooManyPlaceholders);
        if (f.placeholders > 0 && field.value.size() != placeholder_size) {
          return Unexpected(NtsFieldError::kBadPlaceholder);
        }
        placeholder_size = field.value.size();
        ++f.placeholders;
        break;
      case kFieldAuthenticator: {
        auto a = ParseAuthenticator(field.value);
        if (!a) return Unexpected(a.error());
        // The field header sits right before its value, inside `packet` (Decode borrowed it).
        const size_t start = static_cast<size_t>(field.value.data() - packet.data()) - kFieldHeaderSize;
        a->associated_data = packet.first(start);
        f.authenticator = *a;
        break;
      }
      default: break;  // RFC 7822: fields of other types are not ours to judge
    }
  }
  // §5.5: a placeholder is as long as the cookie, so that the reply is no larger than the request.
  if (f.placeholders > 0 && placeholder_size != f.cookie.size()) return Unexpected(NtsFieldError::kBadPlaceholder);
  return f;
}

std::optional<size_t> EncryptedCookies(std::span<const uint8_t> plaintext, std::span<std::span<const uint8_t>> out) {
  size_t count = 0;
  while (!plaintext.empty()) {
    if (plaintext.size() < kMinFieldSize) return std::nullopt;
    const size_t length = Get16(plaintext, 2);
    if (length < kMinFieldSize || length % 4 != 0 || length > plaintext.size()) return std::nullopt;
    if (Get16(plaintext, 0) == kFieldCookie && count < out.size()) {
      out[count++] = plaintext.subspan(kFieldHeaderSize, length - kFieldHeaderSize);
    }
    plaintext = plaintext.subspan(length);
  }
  return count;
}

size_t FieldSize(size_t body_size) {
  const size_t padded = kFieldHeaderSize + Pad4(body_size);
  return padded < kMinFieldSize ? kMinFieldSize : padded;
}

bool NtsFieldWriter::Reserve(size_t field_size) {
  if (!ok_ || field_size > 0xffff || out_.size() < size_ || out_.size() - size_ < field_size) ok_ = false;
  return ok_;
}

void NtsFieldWriter::Field(uint16_t type, std::span<const uint8_t> body) {
  const size_t field_size = FieldSize(body.size());
  if (!Reserve(field_size)) return;
  std::span<uint8_t> field = out_.subspan(size_, field_size);
  std::memset(field.data(), 0, field.size());
  Put16(field, 0, type);
  Put16(field, 2, field_size);
  if (!body.empty()) std::memcpy(field.data() + kFieldHeaderSize, body.data(), body.size());
  size_ += field_size;
}

void NtsFieldWriter::ZeroField(uint16_t type, size_t body_size) {
  const size_t field_size = FieldSize(body_size);
  if (!Reserve(field_size)) return;
  std::span<uint8_t> field = out_.subspan(size_, field_size);
  std::memset(field.data(), 0, field.size());
  Put16(field, 0, type);
  Put16(field, 2, field_size);
  size_ += field_size;
}

void NtsFieldWriter::AuthenticatorField(std::span<const uint8_t> nonce, std::span<const uint8_t> ciphertext) {
  TEMPUS_CHECK(!nonce.empty());
  const size_t body_size = 4 + Pad4(nonce.size()) + Pad4(ciphertext.size());
  const size_t field_size = FieldSize(body_size);
  if (nonce.size() > 0xffff || ciphertext.size() > 0xffff || !Reserve(field_size)) {
    ok_ = false;
    return;
  }
  std::span<uint8_t> field = out_.subspan(size_, field_size);
  std::memset(field.data(), 0, field.size());
  Put16(field, 0, kFieldAuthenticator);
  Put16(field, 2, field_size);
  Put16(field, 4, nonce.size());
  Put16(field, 6, ciphertext.size());
  std::memcpy(field.data() + 8, nonce.data(), nonce.size());
  if (!ciphertext.empty()) std::memcpy(field.data() + 8 + Pad4(nonce.size()), ciphertext.data(), ciphertext.size());
  size_ += field_size;
}

}  // namespace tempus::core::nts

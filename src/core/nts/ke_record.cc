#include "core/nts/ke_record.h"

#include <cstring>

namespace tempus::core::nts {
namespace {

constexpr size_t kRecordHeaderSize = 4;
constexpr uint16_t kCriticalBit = 0x8000;

uint16_t Get16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>((b[at] << 8) | b[at + 1]); }

bool IsPrintableAscii(std::span<const uint8_t> body) {
  for (uint8_t c : body) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// Fills `slot` once; a second record of the same type is refused.
template <typename T>
Result<void, KeDecodeError> SetOnce(std::optional<T>& slot, T value) {
  if (slot) return Unexpected(KeDecodeError::kDuplicateRecord);
  slot = value;
  return {};
}

Result<void, KeDecodeError> TakeU16(std::optional<uint16_t>& slot, std::span<const uint8_t> body) {
  if (body.size() != 2) return Unexpected(KeDecodeError::kBadBodyLength);
  return SetOnce(slot, Get16(body, 0));
}

Result<void, KeDecodeError> TakeIds(std::optional<IdList>& slot, std::span<const uint8_t> body) {
  if (body.size() % 2 != 0) return Unexpected(KeDecodeError::kBadBodyLength);
  return SetOnce(slot, IdList(body));
}

// One record's body into `m`, by type (§4.1.1 to §4.1.8).
Result<void, KeDecodeError> Take(KeMessage& m, uint16_t type, bool critical, std::span<const uint8_t> body) {
  switch (static_cast<KeRecordType>(type)) {
    case KeRecordType::kEndOfMessage: return {};  // handled by the caller
    case KeRecordType::kNextProtocol: return TakeIds(m.next_protocols, body);
    case KeRecordType::kError: return TakeU16(m.error, body);
    case KeRecordType::kWarning: return TakeU16(m.warning, body);
    case KeRecordType::kAeadAlgorithm: return TakeIds(m.aead_algorithms, body);
    case KeRecordType::kNewCookie:
      if (body.size() > kMaxCookieSize) return Unexpected(KeDecodeError::kCookieTooLarge);
      if (m.cookie_count < kMaxCookiesKept) {
        m.cookies[m.cookie_count++] = body;
      } else {
        ++m.cookies_ignored;
      }
      return {};
    case KeRecordType::kServer:
      if (body.empty() || body.size() > kMaxServerNameSize || !IsPrintableAscii(body)) {
        return Unexpected(KeDecodeError::kBadServerName);
      }
      return SetOnce(m.server, std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
    case KeRecordType::kPort: return TakeU16(m.port, body);
  }
  // §4.1: an unrecognized record is ignored unless it is critical.
  if (critical) return Unexpected(KeDecodeError::kUnrecognizedCritical);
  return {};
}

}  // namespace

std::string_view KeDecodeErrorName(KeDecodeError error) {
  switch (error) {
    case KeDecodeError::kIncomplete: return "incomplete";
    case KeDecodeError::kTooLarge: return "too_large";
    case KeDecodeError::kTrailingData: return "trailing_data";
    case KeDecodeError::kBadBodyLength: return "bad_body_length";
    case KeDecodeError::kEndOfMessageNotCritical: return "end_of_message_not_critical";
    case KeDecodeError::kDuplicateRecord: return "duplicate_record";
    case KeDecodeError::kUnrecognizedCritical: return "unrecognized_critical";
    case KeDecodeError::kCookieTooLarge: return "cookie_too_large";
    case KeDecodeError::kBadServerName: return "bad_server_name";
  }
  return "unknown";
}

bool IdList::Contains(uint16_t id) const {
  for (size_t i = 0; i < size(); ++i) {
    if ((*this)[i] == id) return true;
  }
  return false;
}

Result<KeMessage, KeDecodeError> ParseKeMessage(std::span<const uint8_t> bytes) {
  KeMessage m;
  size_t at = 0;
  while (true) {
    if (at >= kMaxKeMessageSize) return Unexpected(KeDecodeError::kTooLarge);
    if (bytes.size() - at < kRecordHeaderSize) {
      return Unexpected(bytes.size() > kMaxKeMessageSize ? KeDecodeError::kTooLarge : KeDecodeError::kIncomplete);
    }
    const uint16_t first = Get16(bytes, at);
    const bool critical = (first & kCriticalBit) != 0;
    const uint16_t type = first & ~kCriticalBit;
    const size_t length = Get16(bytes, at + 2);
    const size_t end = at + kRecordHeaderSize + length;
    if (end > kMaxKeMessageSize) return Unexpected(KeDecodeError::kTooLarge);
    if (end > bytes.size()) return Unexpected(KeDecodeError::kIncomplete);
    const std::span<const uint8_t> body = bytes.subspan(at + kRecordHeaderSize, length);
    at = end;
    if (type == static_cast<uint16_t>(KeRecordType::kEndOfMessage)) {
      // §4.1.1: End of Message is critical, has no body, and is the last record.
      if (!critical) return Unexpected(KeDecodeError::kEndOfMessageNotCritical);
      if (length != 0) return Unexpected(KeDecodeError::kBadBodyLength);
      if (at != bytes.size()) return Unexpected(KeDecodeError::kTrailingData);
      m.size = at;
      return m;
    }
    if (auto r = Take(m, type, critical, body); !r) return Unexpected(r.error());
  }
}

std::optional<uint16_t> RequestProblem(const KeMessage& request) {
  // §4.1.2 and §4.1.5: one Next Protocol record; with NTPv4 among the protocols, an AEAD record.
  if (!request.next_protocols || request.error || request.cookie_count != 0 || request.cookies_ignored != 0) {
    return kKeErrorBadRequest;
  }
  if (request.next_protocols->Contains(kProtocolNtpV4) && !request.aead_algorithms) return kKeErrorBadRequest;
  return std::nullopt;
}

void KeMessageWriter::Record(KeRecordType type, bool critical, std::span<const uint8_t> body) {
  if (!ok_ || body.size() > 0xffff || out_.size() - size_ < kRecordHeaderSize + body.size()) {
    ok_ = false;
    return;
  }
  const auto first = static_cast<uint16_t>(static_cast<uint16_t>(type) | (critical ? kCriticalBit : 0));
  out_[size_] = static_cast<uint8_t>(first >> 8);
  out_[size_ + 1] = static_cast<uint8_t>(first);
  out_[size_ + 2] = static_cast<uint8_t>(body.size() >> 8);
  out_[size_ + 3] = static_cast<uint8_t>(body.size());
  if (!body.empty()) std::memcpy(out_.data() + size_ + kRecordHeaderSize, body.data(), body.size());
  size_ += kRecordHeaderSize + body.size();
}

void KeMessageWriter::Ids(KeRecordType type, bool critical, std::span<const uint16_t> ids) {
  // The header with no body first, then the ids straight into the buffer (any number of them).
  const size_t body = ids.size() * 2;
  if (!ok_ || body > 0xffff || out_.size() - size_ < kRecordHeaderSize + body) {
    ok_ = false;
    return;
  }
  const size_t start = size_;
  Record(type, critical, {});
  out_[start + 2] = static_cast<uint8_t>(body >> 8);
  out_[start + 3] = static_cast<uint8_t>(body);
  for (uint16_t id : ids) {
    out_[size_++] = static_cast<uint8_t>(id >> 8);
    out_[size_++] = static_cast<uint8_t>(id);
  }
}

void KeMessageWriter::U16(KeRecordType type, bool critical, uint16_t value) {
  const std::array<uint8_t, 2> body{static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  Record(type, critical, body);
}

}  // namespace tempus::core::nts

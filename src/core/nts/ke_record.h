// NTS-KE records (RFC 8915 §4): the messages client and server exchange over TLS on TCP 4460.
//
// Pure codec: bytes <-> records, no TLS. ParseKeMessage reads one whole message (records up to
// and including End of Message) and never reads out of bounds, allocates or throws: every
// malformed input is a typed KeDecodeError. A KeMessage borrows the input bytes and lives no
// longer than them. KeMessageWriter lays records into a caller's buffer. Thread-compatible.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |C|         Record Type         |          Body Length          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  .                           Record Body                         .
#ifndef TEMPUS_CORE_NTS_KE_RECORD_H_
#define TEMPUS_CORE_NTS_KE_RECORD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "base/result.h"

namespace tempus::core::nts {

// Record types (RFC 8915 §4.1, IANA "Network Time Security Key Establishment Record Types").
enum class KeRecordType : uint16_t {
  kEndOfMessage = 0,
  kNextProtocol = 1,
  kError = 2,
  kWarning = 3,
  kAeadAlgorithm = 4,
  kNewCookie = 5,
  kServer = 6,
  kPort = 7,
};

inline constexpr uint16_t kProtocolNtpV4 = 0;                // §7.6, NTS Next Protocols
inline constexpr uint16_t kAeadAesSivCmac256 = 15;           // RFC 5116 §5.4 / RFC 5297
inline constexpr uint16_t kKeErrorUnrecognizedCritical = 0;  // §4.1.3
inline constexpr uint16_t kKeErrorBadRequest = 1;
inline constexpr uint16_t kKeErrorInternalServer = 2;
inline constexpr uint16_t kKePort = 4460;  // §4

// Bounds tempus keeps (RFC 8915 sets none beyond the 16-bit body length): a message larger than
// this is refused before it is buffered further; cookies are opaque but never this large.
inline constexpr size_t kMaxKeMessageSize = 16384;
inline constexpr size_t kMaxCookieSize = 256;
inline constexpr size_t kMaxServerNameSize = 255;
inline constexpr size_t kMaxCookiesKept = 8;

enum class KeDecodeError : uint8_t {
  kIncomplete,               // the bytes end inside a record or before End of Message: read more
  kTooLarge,                 // the message (so far) is larger than kMaxKeMessageSize
  kTrailingData,             // bytes after End of Message
  kBadBodyLength,            // a body of the wrong size for its type (e.g. an odd id list)
  kEndOfMessageNotCritical,  // §4.1.1: its critical bit MUST be set
  kDuplicateRecord,          // a second Next Protocol, AEAD, Server, Port, Error or Warning record
  kUnrecognizedCritical,     // a critical record of an unknown type (§4.1.3 answers Error 0)
  kCookieTooLarge,           // a New Cookie body longer than kMaxCookieSize
  kBadServerName,            // empty, too long, or not printable ASCII (§4.1.7)
};
inline constexpr size_t kKeDecodeErrorCount = 9;
std::string_view KeDecodeErrorName(KeDecodeError error);

// A list of 16-bit ids (Next Protocol, AEAD Algorithm bodies), validated to be of even length.
class IdList {
 public:
  IdList() = default;
  explicit IdList(std::span<const uint8_t> body) : body_(body) {}
  size_t size() const { return body_.size() / 2; }
  uint16_t operator[](size_t i) const { return static_cast<uint16_t>((body_[2 * i] << 8) | body_[2 * i + 1]); }
  bool Contains(uint16_t id) const;

 private:
  std::span<const uint8_t> body_;
};

// One message, as parsed. Absent records are nullopt; the caller checks what its role requires
// (ValidateRequest, ValidateResponse).
struct KeMessage {
  std::optional<IdList> next_protocols;
  std::optional<IdList> aead_algorithms;
  std::optional<uint16_t> error;
  std::optional<uint16_t> warning;
  std::optional<std::string_view> server;  // §4.1.7: ASCII host name or address
  std::optional<uint16_t> port;            // §4.1.8
  std::array<std::span<const uint8_t>, kMaxCookiesKept> cookies{};
  size_t cookie_count = 0;     // kept, <= kMaxCookiesKept
  size_t cookies_ignored = 0;  // beyond kMaxCookiesKept
  size_t size = 0;             // bytes of the message, End of Message included
};

// Parses one message that starts at bytes[0]. kIncomplete means "no End of Message yet": the
// caller reads more (up to kMaxKeMessageSize) and calls again with all bytes so far.
[[nodiscard]] Result<KeMessage, KeDecodeError> ParseKeMessage(std::span<const uint8_t> bytes);

// What a server requires of a request (§4.1.2, §4.1.5): exactly one Next Protocol record (the
// parser refuses a second), an AEAD record when NTPv4 is offered, no Error and no New Cookie.
// Returns the KE error code to answer with when the request is unacceptable.
[[nodiscard]] std::optional<uint16_t> RequestProblem(const KeMessage& request);

// Writes records into a fixed buffer. Once a record does not fit, ok() stays false and nothing
// more is written.
class KeMessageWriter {
 public:
  explicit KeMessageWriter(std::span<uint8_t> out) : out_(out) {}
  void Record(KeRecordType type, bool critical, std::span<const uint8_t> body);
  void Ids(KeRecordType type, bool critical, std::span<const uint16_t> ids);
  void U16(KeRecordType type, bool critical, uint16_t value);
  void End() { Record(KeRecordType::kEndOfMessage, true, {}); }
  bool ok() const { return ok_; }
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return out_.first(size_); }

 private:
  std::span<uint8_t> out_;
  size_t size_ = 0;
  bool ok_ = true;
};

}  // namespace tempus::core::nts

#endif  // TEMPUS_CORE_NTS_KE_RECORD_H_

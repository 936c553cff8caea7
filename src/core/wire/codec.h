// The NTP packet codec: bytes <-> Header, extension fields (RFC 7822) and MAC (RFC 5905 §7.3).
//
// Decoding never reads out of bounds, never allocates and never throws: it returns a typed
// DecodeError, each of which is a drop counter at the server. A DecodedPacket borrows the input
// bytes (spans into the caller's buffer) and lives no longer than them.
// Thread-compatible; no state.
#ifndef TEMPUS_CORE_WIRE_CODEC_H_
#define TEMPUS_CORE_WIRE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

#include "base/result.h"
#include "core/wire/packet.h"

namespace tempus::core {

enum class DecodeError : uint8_t {
  kTooShort,            // fewer than 48 bytes
  kBadVersion,          // VN 0 or 5..7
  kBadExtensionLength,  // an extension field length < 16, not a multiple of 4, or past the end
  kBadTrailer,          // bytes after the header that are neither extension fields nor a MAC
};
inline constexpr size_t kDecodeErrorCount = 4;
std::string_view DecodeErrorName(DecodeError error);

// One extension field (RFC 7822 §3): type, and its value (the bytes after the 4-byte field
// header, including any padding).
struct ExtensionField {
  uint16_t type = 0;
  std::span<const uint8_t> value;
};

// A message authentication code: key id and digest (MD5: 16, SHA-1: 20 bytes); a 4-byte MAC with
// key id 0 and no digest is a crypto-NAK.
struct Mac {
  uint32_t key_id = 0;
  std::span<const uint8_t> digest;
};

// Iterates the extension fields of a decoded packet. The span was validated by Decode().
class ExtensionFields {
 public:
  class Iterator;
  ExtensionFields() = default;
  explicit ExtensionFields(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  Iterator begin() const;
  Iterator end() const;
  bool empty() const { return bytes_.empty(); }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  std::span<const uint8_t> bytes_;
};

class ExtensionFields::Iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = ExtensionField;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = ExtensionField;

  Iterator() = default;
  explicit Iterator(std::span<const uint8_t> rest) : rest_(rest) {}
  ExtensionField operator*() const;
  Iterator& operator++();
  Iterator operator++(int) {
    Iterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const Iterator& o) const { return rest_.size() == o.rest_.size(); }

 private:
  std::span<const uint8_t> rest_;
};

struct DecodedPacket {
  Header header;
  ExtensionFields extensions;
  std::optional<Mac> mac;
  size_t size = 0;  // bytes on the wire
};

// Decodes an NTP packet of any mode but 6 and 7 (those have other formats: see wire/mode6).
// The mode is not checked here: callers route on Header::mode.
[[nodiscard]] Result<DecodedPacket, DecodeError> Decode(std::span<const uint8_t> bytes);

// Reads just the mode and version from the first byte, for routing before a full decode.
// REQUIRES: !bytes.empty().
inline Mode PeekMode(std::span<const uint8_t> bytes) { return static_cast<Mode>(bytes[0] & 0x7); }
inline uint8_t PeekVersion(std::span<const uint8_t> bytes) { return (bytes[0] >> 3) & 0x7; }

// Writes the 48-byte header into `out`. REQUIRES: out.size() >= kHeaderSize.
void EncodeHeader(const Header& header, std::span<uint8_t> out);

// Writes the header followed by `trailer` (already encoded extension fields and/or MAC, copied as
// is) and returns the number of bytes written, or 0 if `out` is too small.
[[nodiscard]] size_t Encode(const Header& header, std::span<const uint8_t> trailer, std::span<uint8_t> out);

// Overwrites the transmit timestamp of an encoded packet in place, so the edge can stamp a reply
// as late as possible, right before sending. REQUIRES: packet.size() >= kHeaderSize.
void StampTransmit(std::span<uint8_t> packet, NtpTimestamp transmit);

// Stores `v` big-endian (network order) at byte `at` of `b`. REQUIRES: the bytes are in `b`.
void Put32(std::span<uint8_t> b, size_t at, uint32_t v);
void Put64(std::span<uint8_t> b, size_t at, uint64_t v);

}  // namespace tempus::core

#endif  // TEMPUS_CORE_WIRE_CODEC_H_

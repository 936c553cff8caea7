#include "core/wire/codec.h"

#include <cstring>

#include "base/check.h"

namespace tempus::core {
namespace {

constexpr size_t kExtensionHeaderSize = 4;
constexpr size_t kMinExtensionSize = 16;  // RFC 7822 §3
// MAC sizes (RFC 5905 §7.3, RFC 8573): key id alone (crypto-NAK), + MD5 or AES-CMAC (16), + SHA-1 (20).
constexpr size_t kCryptoNakSize = 4;
constexpr size_t kMac16Size = 20;
constexpr size_t kMac20Size = 24;

uint16_t Get16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>((b[at] << 8) | b[at + 1]); }
uint32_t Get32(std::span<const uint8_t> b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}
uint64_t Get64(std::span<const uint8_t> b, size_t at) { return (uint64_t{Get32(b, at)} << 32) | Get32(b, at + 4); }

bool IsMacSize(size_t n) { return n == kCryptoNakSize || n == kMac16Size || n == kMac20Size; }

}  // namespace

std::string_view DecodeErrorName(DecodeError error) {
  switch (error) {
    case DecodeError::kTooShort: return "too_short";
    case DecodeError::kBadVersion: return "bad_version";
    case DecodeError::kBadExtensionLength: return "bad_extension_length";
    case DecodeError::kBadTrailer: return "bad_trailer";
  }
  return "unknown";
}

ExtensionFields::Iterator ExtensionFields::begin() const { return Iterator(bytes_); }
ExtensionFields::Iterator ExtensionFields::end() const { return Iterator(bytes_.subspan(bytes_.size())); }

ExtensionField ExtensionFields::Iterator::operator*() const {
  const uint16_t length = Get16(rest_, 2);
  return ExtensionField{Get16(rest_, 0), rest_.subspan(kExtensionHeaderSize, length - kExtensionHeaderSize)};
}

ExtensionFields::Iterator& ExtensionFields::Iterator::operator++() {
  rest_ = rest_.subspan(Get16(rest_, 2));
  return *this;
}

Result<DecodedPacket, DecodeError> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return Unexpected(DecodeError::kTooShort);
  DecodedPacket p;
  Header& h = p.header;
  h.leap = static_cast<Leap>(bytes[0] >> 6);
  h.version = (bytes[0] >> 3) & 0x7;
  h.mode = static_cast<Mode>(bytes[0] & 0x7);
  if (h.version < 1 || h.version > 4) return Unexpected(DecodeError::kBadVersion);
  h.stratum = bytes[1];
  h.poll = static_cast<int8_t>(bytes[2]);
  h.precision = static_cast<int8_t>(bytes[3]);
  h.root_delay = NtpShort::FromRaw(Get32(bytes, 4));
  h.root_dispersion = NtpShort::FromRaw(Get32(bytes, 8));
  h.refid = RefId::FromRaw(Get32(bytes, 12));
  h.reference_time = NtpTimestamp::FromRaw(Get64(bytes, 16));
  h.origin_time = NtpTimestamp::FromRaw(Get64(bytes, 24));
  h.receive_time = NtpTimestamp::FromRaw(Get64(bytes, 32));
  h.transmit_time = NtpTimestamp::FromRaw(Get64(bytes, 40));
  p.size = bytes.size();

  // RFC 7822 §7.5: extension fields, then an optional MAC. A remainder of a MAC's size is the MAC
  // (the last extension field of a packet without MAC is at least 28 octets, so this is unambiguous).
  const std::span<const uint8_t> trailer = bytes.subspan(kHeaderSize);
  std::span<const uint8_t> rest = trailer;
  while (!rest.empty()) {
    if (IsMacSize(rest.size())) {
      p.mac = Mac{Get32(rest, 0), rest.subspan(4)};
      break;
    }
    if (rest.size() < kMinExtensionSize) return Unexpected(DecodeError::kBadTrailer);
    const size_t length = Get16(rest, 2);
    if (length < kMinExtensionSize || length % 4 != 0 || length > rest.size()) {
      return Unexpected(DecodeError::kBadExtensionLength);
    }
    rest = rest.subspan(length);
  }
  const size_t mac_size = p.mac ? 4 + p.mac->digest.size() : 0;
  p.extensions = ExtensionFields(trailer.first(trailer.size() - mac_size));
  return p;
}

void EncodeHeader(const Header& h, std::span<uint8_t> out) {
  TEMPUS_CHECK(out.size() >= kHeaderSize);
  out[0] = static_cast<uint8_t>((static_cast<uint8_t>(h.leap) << 6) | ((h.version & 0x7) << 3) |
                                (static_cast<uint8_t>(h.mode) & 0x7));
  out[1] = h.stratum;
  out[2] = static_cast<uint8_t>(h.poll);
  out[3] = static_cast<uint8_t>(h.precision);
  Put32(out, 4, h.root_delay.raw());
  Put32(out, 8, h.root_dispersion.raw());
  Put32(out, 12, h.refid.raw());
  Put64(out, 16, h.reference_time.raw());
  Put64(out, 24, h.origin_time.raw());
  Put64(out, 32, h.receive_time.raw());
  Put64(out, 40, h.transmit_time.raw());
}

size_t Encode(const Header& header, std::span<const uint8_t> trailer, std::span<uint8_t> out) {
  if (out.size() < kHeaderSize + trailer.size()) return 0;
  EncodeHeader(header, out);
  if (!trailer.empty()) std::memcpy(out.data() + kHeaderSize, trailer.data(), trailer.size());
  return kHeaderSize + trailer.size();
}

void Put32(std::span<uint8_t> b, size_t at, uint32_t v) {
  b[at] = static_cast<uint8_t>(v >> 24);
  b[at + 1] = static_cast<uint8_t>(v >> 16);
  b[at + 2] = static_cast<uint8_t>(v >> 8);
  b[at + 3] = static_cast<uint8_t>(v);
}
void Put64(std::span<uint8_t> b, size_t at, uint64_t v) {
  Put32(b, at, static_cast<uint32_t>(v >> 32));
  Put32(b, at + 4, static_cast<uint32_t>(v));
}

void StampTransmit(std::span<uint8_t> packet, NtpTimestamp transmit) {
  TEMPUS_CHECK(packet.size() >= kHeaderSize);
  Put64(packet, 40, transmit.raw());
}

}  // namespace tempus::core

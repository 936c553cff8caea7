// Fakes of the NTS server's injected parts (core::nts::Aead, core::nts::CookieCodec) and a client
// request built with the real codecs, for tests of the pure core. The fake AEAD
// (tests/core/nts/fake_aead.h) is no cipher, but it refuses a tampered octet, a wrong key or wrong
// associated data.
#ifndef TEMPUS_TESTS_CORE_SERVER_FAKE_NTS_H_
#define TEMPUS_TESTS_CORE_SERVER_FAKE_NTS_H_

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "core/nts/aead.h"
#include "core/nts/cookie_codec.h"
#include "core/nts/fake_aead.h"
#include "core/nts/ntp_fields.h"
#include "core/wire/codec.h"

namespace tempus::core::nts {

// The fake AEAD of the core's NTS client tests, one for both sides.
using testing::FakeAead;

// A cookie is the key id (4 octets, big-endian) then C2S and S2C in the clear; it opens when its
// key id is `id`. Counts the cookies it sealed.
class FakeCookies final : public CookieCodec {
 public:
  static constexpr size_t kSize = 4 + 2 * kAeadKeySize;
  explicit FakeCookies(uint32_t id = 7) : id_(id) {}
  std::optional<SessionKeys> Open(std::span<const uint8_t> cookie) const override {
    if (cookie.size() != kSize || Id(cookie) != id_) return std::nullopt;
    SessionKeys k;
    std::memcpy(k.c2s.data(), cookie.data() + 4, kAeadKeySize);
    std::memcpy(k.s2c.data(), cookie.data() + 4 + kAeadKeySize, kAeadKeySize);
    return k;
  }
  void Seal(const SessionKeys& keys, Random& /*random*/, std::span<uint8_t> out) const override {
    Make(id_, keys, out);
    ++sealed;
  }
  size_t cookie_size() const override { return kSize; }
  static void Make(uint32_t id, const SessionKeys& keys, std::span<uint8_t> out) {
    for (size_t i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(id >> (24 - 8 * i));
    std::memcpy(out.data() + 4, keys.c2s.data(), kAeadKeySize);
    std::memcpy(out.data() + 4 + kAeadKeySize, keys.s2c.data(), kAeadKeySize);
  }
  mutable size_t sealed = 0;

 private:
  static uint32_t Id(std::span<const uint8_t> c) {
    return (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | c[3];
  }
  uint32_t id_;
};

inline SessionKeys TestKeys() {
  SessionKeys k;
  for (size_t i = 0; i < kAeadKeySize; ++i) {
    k.c2s[i] = static_cast<uint8_t>(i + 1);
    k.s2c[i] = static_cast<uint8_t>(0x80 + i);
  }
  return k;
}

// An NTS request (RFC 8915 §5.7) as a client builds it: header (T1 `transmit`), a 32-octet
// Unique Identifier of `uid_byte`, `cookie`, `placeholders` placeholders of its size, and the
// Authenticator (16-octet nonce, no encrypted fields) sealed by `aead` under `c2s`.
inline std::vector<uint8_t> NtsRequest(const Aead& aead, std::span<const uint8_t> c2s, std::span<const uint8_t> cookie,
                                       size_t placeholders, uint8_t uid_byte = 0xaa,
                                       NtpTimestamp transmit = NtpTimestamp::FromParts(0xeeb62e10, 0x1234)) {
  std::vector<uint8_t> packet(2048);
  Header h;
  h.mode = Mode::kClient;
  h.transmit_time = transmit;
  EncodeHeader(h, packet);
  NtsFieldWriter w(packet, kHeaderSize);
  std::array<uint8_t, 32> uid{};
  uid.fill(uid_byte);
  w.Field(kFieldUniqueId, uid);
  w.Field(kFieldCookie, cookie);
  for (size_t i = 0; i < placeholders; ++i) w.ZeroField(kFieldCookiePlaceholder, cookie.size());
  std::array<uint8_t, 16> nonce{};
  nonce.fill(0x5a);
  std::array<uint8_t, kAeadTagSize> sealed{};
  const auto n = aead.Seal(c2s, std::span(packet).first(w.size()), nonce, {}, sealed);
  if (n) w.AuthenticatorField(nonce, std::span(sealed).first(*n));
  packet.resize(w.ok() && n ? w.size() : 0);
  return packet;
}

}  // namespace tempus::core::nts

#endif  // TEMPUS_TESTS_CORE_SERVER_FAKE_NTS_H_

// FakeAuthenticator: a core::Authenticator for tests, with plain values instead of OpenSSL.
// The "digest" of a message by key k is 16 bytes, byte i = k + i + the sum of the message's bytes
// (mod 256): any change to the covered bytes or the key changes it. Counts Verify calls, so tests
// can show which paths cost a digest.
#ifndef TEMPUS_TESTS_CORE_SERVER_FAKE_AUTHENTICATOR_H_
#define TEMPUS_TESTS_CORE_SERVER_FAKE_AUTHENTICATOR_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <span>
#include <vector>

#include "core/wire/auth.h"
#include "core/wire/codec.h"

namespace tempus::core {

class FakeAuthenticator : public Authenticator {
 public:
  static constexpr size_t kDigestSize = 16;

  explicit FakeAuthenticator(std::set<uint32_t> trusted = {}) : trusted_(std::move(trusted)) {}

  bool Verify(uint32_t key_id, std::span<const uint8_t> covered, std::span<const uint8_t> digest) const override {
    ++calls_;
    if (!trusted_.count(key_id) || digest.size() != kDigestSize) return false;
    const auto want = Digest(key_id, covered);
    return std::equal(want.begin(), want.end(), digest.begin());
  }

  static std::array<uint8_t, kDigestSize> Digest(uint32_t key_id, std::span<const uint8_t> covered) {
    uint8_t sum = 0;
    for (uint8_t b : covered) sum = static_cast<uint8_t>(sum + b);
    std::array<uint8_t, kDigestSize> d{};
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(key_id + i + sum);
    return d;
  }

  // `packet` with a MAC by `key_id` appended: key id, then Digest (by any key, trusted or not).
  static std::vector<uint8_t> Signed(std::vector<uint8_t> packet, uint32_t key_id) {
    const auto d = Digest(key_id, packet);
    for (int shift = 24; shift >= 0; shift -= 8) packet.push_back(static_cast<uint8_t>(key_id >> shift));
    packet.insert(packet.end(), d.begin(), d.end());
    return packet;
  }

  // `packet` with a crypto-NAK appended (a 4-byte MAC with key id 0, RFC 5905 §7.4).
  static std::vector<uint8_t> WithCryptoNak(std::vector<uint8_t> packet) {
    packet.insert(packet.end(), 4, 0);
    return packet;
  }

  int calls() const { return calls_; }

 private:
  std::set<uint32_t> trusted_;
  mutable int calls_ = 0;
};

// A request in `mode` (client by default), version 4, with a transmit time: 48 bytes.
inline std::vector<uint8_t> RequestPacket(Mode mode = Mode::kClient, uint8_t version = 4, int8_t poll = 6) {
  Header h;
  h.mode = mode;
  h.version = version;
  h.leap = Leap::kUnsynchronized;
  h.poll = poll;
  h.transmit_time = NtpTimestamp::FromRaw(0x1234567800000000ull);
  std::vector<uint8_t> bytes(kHeaderSize);
  EncodeHeader(h, bytes);
  return bytes;
}

}  // namespace tempus::core

#endif  // TEMPUS_TESTS_CORE_SERVER_FAKE_AUTHENTICATOR_H_

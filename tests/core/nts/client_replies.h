// Session keys, cookies and server replies for the NTS client tests (client_exchange_test.cc,
// nts_association_test.cc): replies shaped as a server shapes them (RFC 8915 §5.7), sealed with
// FakeAead.
#ifndef TEMPUS_TESTS_CORE_NTS_CLIENT_REPLIES_H_
#define TEMPUS_TESTS_CORE_NTS_CLIENT_REPLIES_H_

#include <array>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "core/nts/client_exchange.h"
#include "core/nts/fake_aead.h"
#include "core/nts/ntp_fields.h"
#include "core/wire/codec.h"

namespace tempus::core::nts::testing {

inline SessionKeys Keys() {
  SessionKeys k;
  k.c2s.fill(0xc2);
  k.s2c.fill(0x52);
  return k;
}

inline std::vector<std::vector<uint8_t>> Cookies(size_t n, uint8_t first = 1) {
  std::vector<std::vector<uint8_t>> cookies;
  for (size_t i = 0; i < n; ++i) cookies.emplace_back(100, static_cast<uint8_t>(first + i));
  return cookies;
}

struct ServerReply {
  std::span<const uint8_t> unique_id;  // echoed
  size_t new_cookies = 1;              // sealed inside the authenticator
  bool authenticate = true;            // false: no authenticator at all
  std::array<uint8_t, kAeadKeySize> key = Keys().s2c;
  uint8_t stratum = 2;
  RefId refid = RefId::FromCode("GPS");
};

// A mode 4 reply as a server shapes it (§5.7): header, Unique Identifier, Authenticator whose
// encrypted part holds the new cookies.
inline std::vector<uint8_t> Reply(const ServerReply& s) {
  std::vector<uint8_t> packet(2048);
  Header h;
  h.mode = Mode::kServer;
  h.stratum = s.stratum;
  h.refid = s.refid;
  h.receive_time = NtpTimestamp::FromRaw(5);
  h.transmit_time = NtpTimestamp::FromRaw(6);
  EncodeHeader(h, packet);
  NtsFieldWriter w(packet, kHeaderSize);
  if (!s.unique_id.empty()) w.Field(kFieldUniqueId, s.unique_id);
  if (s.authenticate) {
    std::vector<uint8_t> plain(1024);
    NtsFieldWriter p(plain, 0);
    for (size_t i = 0; i < s.new_cookies; ++i) p.Field(kFieldCookie, std::vector<uint8_t>(100, 0xe0 + i));
    std::vector<uint8_t> sealed(p.size() + kAeadTagSize);
    const std::array<uint8_t, 16> nonce{9, 9, 9};
    EXPECT_TRUE(
        FakeAead().Seal(s.key, std::span(packet).first(w.size()), nonce, std::span(plain).first(p.size()), sealed));
    w.AuthenticatorField(nonce, sealed);
  }
  EXPECT_TRUE(w.ok());
  packet.resize(w.size());
  return packet;
}

}  // namespace tempus::core::nts::testing

#endif  // TEMPUS_TESTS_CORE_NTS_CLIENT_REPLIES_H_

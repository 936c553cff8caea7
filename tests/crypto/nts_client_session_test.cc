// core::nts::NtsClientSession with the real AEAD (crypto::AesSivAead, AES-SIV over OpenSSL 3):
// the request's authenticator opens with C2S as a server opens it, and a reply sealed with S2C
// is taken, its encrypted cookie kept; one changed octet and it is refused.
#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/nts/client_exchange.h"
#include "core/nts/ntp_fields.h"
#include "core/wire/codec.h"
#include "crypto/aes_siv_aead.h"

namespace tempus::crypto {
namespace {

namespace nts = core::nts;

TEST(NtsClientSessionAesSiv, RequestOpensWithC2sAndReplySealedWithS2cIsTaken) {
  SeededRandom random(3);
  nts::SessionKeys keys;
  for (size_t i = 0; i < keys.c2s.size(); ++i) {
    keys.c2s[i] = static_cast<uint8_t>(i);
    keys.s2c[i] = static_cast<uint8_t>(0x80 + i);
  }
  const AesSivAead aead;
  nts::NtsClientSession session(keys, {std::vector<uint8_t>(100, 0xcc)});
  std::vector<uint8_t> request(2048);
  auto size = session.BuildRequest(core::NtpTimestamp::FromRaw(77), 6, random, aead, request);
  ASSERT_TRUE(size);
  request.resize(*size);
  auto decoded = core::Decode(request);
  ASSERT_TRUE(decoded);
  auto fields = nts::ParseNtsFields(request, *decoded);
  ASSERT_TRUE(fields && fields->authenticator);
  const nts::Authenticator& a = *fields->authenticator;
  std::array<uint8_t, 16> plain{};
  EXPECT_EQ(aead.Open(keys.c2s, a.associated_data, a.nonce, a.ciphertext, plain), 0u);
  EXPECT_FALSE(aead.Open(keys.s2c, a.associated_data, a.nonce, a.ciphertext, plain));

  // The server's reply (RFC 8915 §5.7): our identifier, and one new cookie inside the
  // authenticator sealed with S2C.
  std::vector<uint8_t> reply(2048);
  core::Header h;
  h.mode = core::Mode::kServer;
  h.stratum = 3;
  h.origin_time = core::NtpTimestamp::FromRaw(77);
  core::EncodeHeader(h, reply);
  nts::NtsFieldWriter w(reply, core::kHeaderSize);
  w.Field(nts::kFieldUniqueId, fields->unique_id);
  std::vector<uint8_t> inner(256);
  nts::NtsFieldWriter cookies(inner, 0);
  cookies.Field(nts::kFieldCookie, std::vector<uint8_t>(100, 0xdd));
  std::vector<uint8_t> sealed(cookies.size() + nts::kAeadTagSize);
  const std::array<uint8_t, 16> nonce{1, 2, 3};
  ASSERT_TRUE(
      aead.Seal(keys.s2c, std::span(reply).first(w.size()), nonce, std::span(inner).first(cookies.size()), sealed));
  w.AuthenticatorField(nonce, sealed);
  reply.resize(w.size());

  std::vector<uint8_t> tampered = reply;
  tampered[1] ^= 1;  // the stratum: associated data
  auto refused = session.CheckReply(tampered, aead);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), nts::NtsReplyError::kAuthenticationFailed);
  auto taken = session.CheckReply(reply, aead);
  ASSERT_TRUE(taken) << nts::NtsReplyErrorName(taken.error());
  EXPECT_EQ(session.cookies(), 1u);
  EXPECT_EQ(session.cookies_received(), 1u);
}

}  // namespace
}  // namespace tempus::crypto

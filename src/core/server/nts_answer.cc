#include "core/server/nts_answer.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/check.h"
#include "core/nts/ntp_fields.h"
#include "core/server/reply.h"

namespace tempus::core::server {
namespace {

// The largest datagram the daemon reads: no request, and so no encrypted part, is larger.
constexpr size_t kMaxEncrypted = 2048;

void FillFrom(Random& random, std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    const uint64_t bits = random.NextU64();
    for (size_t j = 0; j < 8 && i + j < out.size(); ++j) out[i + j] = static_cast<uint8_t>(bits >> (8 * j));
  }
}

// The session keys are secrets: wiped before the stack is reused.
void Wipe(nts::SessionKeys& keys) {
  volatile uint8_t* p = keys.c2s.data();
  for (size_t i = 0; i < keys.c2s.size(); ++i) p[i] = 0;
  p = keys.s2c.data();
  for (size_t i = 0; i < keys.s2c.size(); ++i) p[i] = 0;
}

// §5.7: the NAK is a kiss-o'-death NTSN with the Unique Identifier, no cookie, no authenticator.
NtsAnswer Nak(const Header& req, std::span<const uint8_t> unique_id, std::span<uint8_t> reply) {
  EncodeKissOfDeath(req, KissCode::kNtsNak, reply);
  nts::NtsFieldWriter w(reply, kHeaderSize);
  w.Field(nts::kFieldUniqueId, unique_id);
  if (!w.ok()) return {0, DropReason::kReplyBufferTooSmall, {}};
  return {w.size(), DropReason::kNtsNakSent, {}};
}

// The encrypted part of the reply: `count` fresh cookie fields holding `keys` (§5.7). Its size.
size_t SealCookies(const nts::SessionKeys& keys, size_t count, const NtsServerContext& ctx, std::span<uint8_t> out) {
  const size_t cookie_size = ctx.cookies->cookie_size();
  nts::NtsFieldWriter w(out, 0);
  for (size_t i = 0; i < count; ++i) {
    const size_t at = w.size();
    w.ZeroField(nts::kFieldCookie, cookie_size);
    if (!w.ok()) break;
    ctx.cookies->Seal(keys, *ctx.random, out.subspan(at + 4, cookie_size));
  }
  TEMPUS_CHECK(w.ok());  // the caller sized `count` to fit
  return w.size();
}

}  // namespace

bool IsNtsRequest(const DecodedPacket& decoded) {
  for (const ExtensionField field : decoded.extensions) {
    if (field.type == nts::kFieldUniqueId || field.type == nts::kFieldCookie ||
        field.type == nts::kFieldAuthenticator) {
      return true;
    }
  }
  return false;
}

NtsAnswer AnswerNts(std::span<const uint8_t> request, const DecodedPacket& decoded, NtpTimestamp rx,
                    const system::SystemSnapshot& snapshot, const NtsServerContext& ctx, std::span<uint8_t> reply) {
  TEMPUS_CHECK(ctx.enabled() && reply.size() >= kHeaderSize);
  const auto fields = nts::ParseNtsFields(request, decoded);
  // §5.7: a request has a Unique Identifier, one Cookie and an Authenticator (last); no MAC.
  if (!fields || fields->unique_id.empty() || fields->cookie.empty() || !fields->authenticator || decoded.mac) {
    return {0, DropReason::kNtsMalformed, {}};
  }
  const Header& req = decoded.header;
  std::optional<nts::SessionKeys> keys = ctx.cookies->Open(fields->cookie);
  if (!keys) return Nak(req, fields->unique_id, reply);
  // §5.6: the Authenticator covers the packet up to it, under the client's C2S key.
  const nts::Authenticator& auth = *fields->authenticator;
  std::array<uint8_t, kMaxEncrypted> plaintext;
  if (!ctx.aead->Open(keys->c2s, auth.associated_data, auth.nonce, auth.ciphertext, plaintext)) {
    Wipe(*keys);
    return {0, DropReason::kNtsBadAuth, {}};
  }

  EncodeReply(req, Mode::kServer, rx, snapshot, reply);  // T3 = T2: sealed, so never restamped
  nts::NtsFieldWriter w(reply, kHeaderSize);
  w.Field(nts::kFieldUniqueId, fields->unique_id);
  // One cookie per Cookie and Cookie Placeholder (§5.7), as many as fit in the request's size.
  const size_t room = std::min(request.size(), reply.size());
  const size_t fixed = w.size() + nts::FieldSize(4 + kNtsReplyNonceSize + nts::kAeadTagSize);
  const size_t cookie_field = nts::FieldSize(ctx.cookies->cookie_size());
  if (!w.ok() || fixed > room) {
    Wipe(*keys);
    return {0, DropReason::kReplyBufferTooSmall, {}};
  }
  const size_t count = std::min(
      {1 + fields->placeholders, (room - fixed) / cookie_field, (kMaxEncrypted - nts::kAeadTagSize) / cookie_field});
  const size_t plaintext_size = SealCookies(*keys, count, ctx, plaintext);
  std::array<uint8_t, kNtsReplyNonceSize> nonce;
  FillFrom(*ctx.random, nonce);
  std::array<uint8_t, kMaxEncrypted> sealed;
  const auto sealed_size =
      ctx.aead->Seal(keys->s2c, reply.first(w.size()), nonce, std::span(plaintext).first(plaintext_size), sealed);
  Wipe(*keys);
  if (!sealed_size) return {0, DropReason::kNtsBadAuth, {}};  // only a failing AEAD library
  w.AuthenticatorField(nonce, std::span(sealed).first(*sealed_size));
  TEMPUS_CHECK(w.ok() && w.size() <= request.size());
  return {w.size(), std::nullopt, fields->cookie};
}

}  // namespace tempus::core::server

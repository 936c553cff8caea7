#include "engine/server_path.h"

#include <algorithm>

#include "base/check.h"
#include "core/wire/codec.h"

namespace tempus::engine {

ServerPath::ServerPath(Clock& clock, const core::server::AccessPolicy& access, uint64_t hash_key)
    : clock_(clock), restricts_(access.restricts), limiter_(access.rate, hash_key) {}

void ServerPath::SetAccess(const core::server::AccessPolicy& access, uint64_t hash_key) {
  restricts_ = core::server::RestrictTable(access.restricts);
  if (access.rate != limiter_.config() || hash_key != limiter_.hash_key()) {
    limiter_ = core::server::RateLimiter(access.rate, hash_key);
  }
}

std::optional<std::span<const uint8_t>> ServerPath::Handle(std::span<const uint8_t> request, const core::NetAddress& from,
                                                           std::optional<core::UnixTime> kernel_rx) {
  ++stats_.received;
  // A MAC is checked only on a request that has one, and only once it matters: before admission
  // for a `notrust` source (the one rule that needs it), else after the restrict and rate limit
  // checks, so that dropped packets cost no digest.
  uint32_t key_id = 0;
  std::optional<core::AuthVerdict> verdict;
  static const KeyRing kNoKeys;
  const KeyRing& keys = keys_ != nullptr ? *keys_ : kNoKeys;
  const auto verify = [&] {
    if (!verdict) {
      verdict = request.size() > core::kHeaderSize ? keys.Check(request, std::nullopt, &key_id)
                                                  : core::AuthVerdict::kNone;
    }
    return *verdict;
  };
  const core::server::AccessFlags flags = restricts_.Lookup(from);
  const bool authenticated = flags.Has(core::server::Restrict::kNoTrust) && verify() == core::AuthVerdict::kOk;
  const auto admission = core::server::Admit(request, flags, authenticated, limiter_, from, clock_.Mono());
  if (admission.action == core::server::Admission::Action::kDrop) {
    stats_.CountDrop(admission.reason);
    return std::nullopt;
  }
  if (admission.action == core::server::Admission::Action::kKissOfDeath) {
    auto size = core::server::BuildKissOfDeath(request, core::KissCode::kRate, reply_);
    stats_.CountDrop(size ? core::server::DropReason::kKodSent : size.error());
    if (!size) return std::nullopt;
    return std::span<const uint8_t>(reply_).first(*size);
  }
  const core::UnixTime rx = kernel_rx ? clock_.FromKernelRealtime(*kernel_rx) : clock_.Now();
  auto size = core::server::HandleRequest(request, rx.ToNtp(), snapshot_, reply_);
  if (!size) {
    stats_.CountDrop(size.error());
    return std::nullopt;
  }
  const core::AuthVerdict auth = verify();
  if (auth == core::AuthVerdict::kBad || auth == core::AuthVerdict::kCryptoNak) {
    // RFC 5905 A.5.1: the MAC failed: answer with a crypto-NAK (key id 0, no digest).
    core::StampTransmit(std::span(reply_).first(*size), clock_.Now().ToNtp());
    std::fill_n(reply_.begin() + static_cast<std::ptrdiff_t>(*size), 4, uint8_t{0});
    stats_.CountDrop(core::server::DropReason::kCryptoNakSent);
    return std::span<const uint8_t>(reply_).first(*size + 4);
  }
  ++stats_.replied;
  core::StampTransmit(std::span(reply_).first(*size), clock_.Now().ToNtp());  // as late as possible
  if (auth == core::AuthVerdict::kOk) {
    // The MAC covers the transmit stamp, so it is computed last; same key, same size as the request's.
    const auto signed_size = keys.Sign(key_id, reply_, *size);
    TEMPUS_CHECK(signed_size && *signed_size <= request.size());
    return std::span<const uint8_t>(reply_).first(*signed_size);
  }
  return std::span<const uint8_t>(reply_).first(*size);
}

ServerPath::NewPeer ServerPath::HandleNewPeer(std::span<const uint8_t> packet, const core::NetAddress& from,
                                              std::optional<core::UnixTime> kernel_rx, bool require_auth,
                                              size_t ephemeral, size_t limit) {
  ++stats_.received;
  static const KeyRing kNoKeys;
  const KeyRing& keys = keys_ != nullptr ? *keys_ : kNoKeys;
  const core::server::AccessFlags flags = restricts_.Lookup(from);
  // A digest only for a packet that has a MAC from a source that may be answered at all.
  const bool refused = flags.Has(core::server::Restrict::kIgnore) || flags.Has(core::server::Restrict::kNoServe);
  core::server::PeerAuth auth;
  if (!refused && packet.size() > core::kHeaderSize) auth.verdict = keys.Check(packet, std::nullopt, &auth.key_id);
  NewPeer out;
  out.admission = core::server::AdmitPassive(packet, from, flags, auth, require_auth, limiter_, clock_.Mono(),
                                             ephemeral, limit);
  using Action = core::server::PassiveAdmission::Action;
  if (out.admission.action == Action::kMobilize) return out;
  stats_.CountDrop(out.admission.reason);
  if (out.admission.action != Action::kReplyPassive) return out;
  const core::UnixTime rx = kernel_rx ? clock_.FromKernelRealtime(*kernel_rx) : clock_.Now();
  auto size = core::server::BuildPassiveReply(packet, rx.ToNtp(), snapshot_, reply_);
  if (!size) return out;  // AdmitPassive decoded it already: cannot happen
  core::StampTransmit(std::span(reply_).first(*size), clock_.Now().ToNtp());  // as late as possible
  out.reply = std::span<const uint8_t>(reply_).first(*size);
  return out;
}

}  // namespace tempus::engine

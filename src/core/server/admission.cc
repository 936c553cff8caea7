#include "core/server/admission.h"

#include "core/wire/codec.h"

namespace tempus::core::server {

namespace {

Admission Drop(DropReason reason) { return {Admission::Action::kDrop, reason}; }

}  // namespace

Admission Admit(std::span<const uint8_t> request, AccessFlags flags, bool authenticated, RateLimiter& limiter,
                const NetAddress& source, MonoTime now) {
  if (request.empty()) return Drop(DropReason::kTooShort);
  if (flags.Has(Restrict::kIgnore)) return Drop(DropReason::kRestricted);
  const Mode mode = PeekMode(request);
  const uint8_t version = PeekVersion(request);
  if (mode == Mode::kControl) return Drop(DropReason::kControlMode);  // the control handler's
  const bool time_request = mode == Mode::kClient || (mode == Mode::kReserved && version == 1);
  if (time_request && flags.Has(Restrict::kNoServe)) return Drop(DropReason::kRestricted);
  const bool peer = mode == Mode::kSymmetricActive || mode == Mode::kSymmetricPassive;
  if (peer && flags.Has(Restrict::kNoPeer)) return Drop(DropReason::kRestricted);
  if (flags.Has(Restrict::kVersion) && version != kNtpVersion) return Drop(DropReason::kRestricted);
  if (flags.Has(Restrict::kNoTrust) && !authenticated) return Drop(DropReason::kNotAuthenticated);
  // Only well-formed time requests are rate limited (and can earn a KoD); anything else is
  // dropped by HandleRequest with its own reason, without touching the limiter's table.
  if (!flags.Has(Restrict::kLimited) || !time_request || !CheckRequest(request)) return {};
  switch (limiter.Check(source, now, flags.Has(Restrict::kKod))) {
    case RateVerdict::kAllow: return {};
    case RateVerdict::kLimited: return Drop(DropReason::kRateLimited);
    case RateVerdict::kLimitedKod: return {Admission::Action::kKissOfDeath, DropReason::kKodSent};
  }
  return Drop(DropReason::kRateLimited);
}

namespace {

PassiveAdmission DropPeer(DropReason reason) { return {PassiveAdmission::Action::kDrop, reason, {}, std::nullopt}; }

}  // namespace

PassiveAdmission AdmitPassive(std::span<const uint8_t> packet, const NetAddress& from, AccessFlags flags,
                              PeerAuth auth, bool require_auth, RateLimiter& limiter, MonoTime now,
                              size_t ephemeral, size_t limit) {
  if (packet.size() < kHeaderSize) return DropPeer(DropReason::kTooShort);
  if (flags.Has(Restrict::kIgnore) || flags.Has(Restrict::kNoServe)) return DropPeer(DropReason::kRestricted);
  auto decoded = Decode(packet);
  if (!decoded) return DropPeer(DropReasonOf(decoded.error()));
  const Header& h = decoded->header;
  if (h.mode != Mode::kSymmetricActive) return DropPeer(DropReason::kSymmetricMode);
  if (flags.Has(Restrict::kVersion) && h.version != kNtpVersion) return DropPeer(DropReason::kRestricted);
  // A packet without a transmit time cannot start an exchange (test 3).
  if (h.transmit_time.IsZero()) return DropPeer(DropReason::kSymmetricMode);
  if (from.family() == NetAddress::Family::kNone || from.port() == 0) return DropPeer(DropReason::kSymmetricMode);
  const bool authentic = auth.verdict == AuthVerdict::kOk;
  // ntpd's AM_NEWPASS: AUTH(sys_authenticate | (restrict & (NOPEER | DONTTRUST)), is_authentic).
  if (!authentic) {
    if (flags.Has(Restrict::kNoPeer)) return DropPeer(DropReason::kRestricted);
    if (flags.Has(Restrict::kNoTrust)) return DropPeer(DropReason::kNotAuthenticated);
    if (auth.verdict != AuthVerdict::kNone) return DropPeer(DropReason::kUnauthenticatedPeer);
    if (require_auth) {
      if (flags.Has(Restrict::kLimited) && limiter.Check(from, now, false) != RateVerdict::kAllow) {
        return DropPeer(DropReason::kRateLimited);
      }
      return {PassiveAdmission::Action::kReplyPassive, DropReason::kUnauthenticatedPeer, {}, std::nullopt};
    }
  }
  if (ephemeral >= limit) return DropPeer(DropReason::kPeerLimit);
  PassiveAdmission out{PassiveAdmission::Action::kMobilize, {}, h, std::nullopt};
  if (authentic) out.key_id = auth.key_id;
  return out;
}

}  // namespace tempus::core::server

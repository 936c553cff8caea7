#include "core/server/admission.h"

namespace tempus::core::server {

std::optional<DropReason> RefusedByRestrict(AccessFlags flags, Mode mode, uint8_t version) {
  if (flags.Has(Restrict::kIgnore)) return DropReason::kRestricted;
  if (mode == Mode::kControl) return DropReason::kControlMode;  // the control server's
  const bool time_request = mode == Mode::kClient || (mode == Mode::kReserved && version == 1);
  if (time_request && flags.Has(Restrict::kNoServe)) return DropReason::kRestricted;
  const bool peer = mode == Mode::kSymmetricActive || mode == Mode::kSymmetricPassive;
  if (peer && flags.Has(Restrict::kNoPeer)) return DropReason::kRestricted;
  if (flags.Has(Restrict::kVersion) && version != kNtpVersion) return DropReason::kRestricted;
  return std::nullopt;
}

NewPeerDecision DecideNewPeer(const Header& h, const NetAddress& from, AccessFlags flags, AuthVerdict auth,
                              const NewPeerPolicy& policy, RateLimiter& limiter, MonoTime now) {
  const auto drop = [](DropReason reason) { return NewPeerDecision{NewPeerAction::kDrop, reason}; };
  if (h.mode != Mode::kSymmetricActive) return drop(DropReason::kSymmetricMode);
  if (flags.Has(Restrict::kVersion) && h.version != kNtpVersion) return drop(DropReason::kRestricted);
  // A packet without a transmit time cannot start an exchange (test 3).
  if (h.transmit_time.IsZero()) return drop(DropReason::kSymmetricMode);
  if (from.family() == NetAddress::Family::kNone || from.port() == 0) return drop(DropReason::kSymmetricMode);
  // ntpd's AM_NEWPASS: AUTH(sys_authenticate | (restrict & (NOPEER | DONTTRUST)), is_authentic).
  if (auth != AuthVerdict::kOk) {
    if (flags.Has(Restrict::kNoPeer)) return drop(DropReason::kRestricted);
    if (flags.Has(Restrict::kNoTrust)) return drop(DropReason::kNotAuthenticated);
    if (auth != AuthVerdict::kNone) return drop(DropReason::kUnauthenticatedPeer);
    if (policy.require_auth) {
      if (flags.Has(Restrict::kLimited) && limiter.Check(from, now, false) != RateVerdict::kAllow) {
        return drop(DropReason::kRateLimited);
      }
      return {NewPeerAction::kReplyPassive, DropReason::kUnauthenticatedPeer};
    }
  }
  if (policy.ephemeral >= policy.limit) return drop(DropReason::kPeerLimit);
  return {NewPeerAction::kMobilize, DropReason::kSymmetricMode};
}

}  // namespace tempus::core::server

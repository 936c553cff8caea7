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

}  // namespace tempus::core::server

#include "core/server/admission.h"

#include <algorithm>

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

Result<AssociationConfig, DropReason> AdmitPassive(std::span<const uint8_t> packet, const NetAddress& from,
                                                   AccessFlags flags, size_t ephemeral, size_t limit) {
  if (packet.size() < kHeaderSize) return Unexpected(DropReason::kTooShort);
  if (flags.Has(Restrict::kIgnore) || flags.Has(Restrict::kNoServe) || flags.Has(Restrict::kNoPeer) ||
      flags.Has(Restrict::kNoTrust)) {
    return Unexpected(DropReason::kRestricted);
  }
  auto decoded = Decode(packet);
  if (!decoded) {
    switch (decoded.error()) {
      case DecodeError::kTooShort: return Unexpected(DropReason::kTooShort);
      case DecodeError::kBadVersion: return Unexpected(DropReason::kBadVersion);
      case DecodeError::kBadExtensionLength: return Unexpected(DropReason::kBadExtensionLength);
      case DecodeError::kBadTrailer: return Unexpected(DropReason::kBadTrailer);
    }
    return Unexpected(DropReason::kTooShort);
  }
  const Header& h = decoded->header;
  if (h.mode != Mode::kSymmetricActive) return Unexpected(DropReason::kSymmetricMode);
  if (flags.Has(Restrict::kVersion) && h.version != kNtpVersion) return Unexpected(DropReason::kRestricted);
  // A packet without a transmit time cannot start an exchange (test 3).
  if (h.transmit_time.IsZero()) return Unexpected(DropReason::kSymmetricMode);
  if (from.family() == NetAddress::Family::kNone || from.port() == 0) return Unexpected(DropReason::kSymmetricMode);
  if (ephemeral >= limit) return Unexpected(DropReason::kPeerLimit);
  AssociationConfig c;
  c.address = from;
  c.mode = Mode::kSymmetricPassive;
  c.version = h.version;
  // The peer's poll, but at most the default minpoll: a passive association that never becomes
  // reachable goes after a few polls, and a forged poll 17 must not keep it for days.
  c.minpoll = PollExp(h.poll).Clamped(PollExp(PollExp::kMinPoll), PollExp(kDefaultMinPoll));
  c.maxpoll = std::max(c.minpoll, PollExp(kDefaultMaxPoll));
  return c;
}

}  // namespace tempus::core::server

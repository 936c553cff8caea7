#include "core/assoc/association_config.h"

#include <algorithm>

namespace tempus::core::assoc {

std::string_view AssociationConfigErrorName(AssociationConfigError error) {
  switch (error) {
    case AssociationConfigError::kNoAddress: return "no_address";
    case AssociationConfigError::kNoPort: return "no_port";
    case AssociationConfigError::kBadVersion: return "bad_version";
    case AssociationConfigError::kBadMode: return "bad_mode";
  }
  return "unknown";
}

Result<AssociationConfig, AssociationConfigError> ValidateAssociationConfig(AssociationConfig config) {
  const PollExp lo(PollExp::kMinPoll);
  const PollExp hi(PollExp::kMaxPoll);
  config.minpoll = config.minpoll.Clamped(lo, hi);
  config.maxpoll = config.maxpoll.Clamped(lo, hi);
  if (config.maxpoll < config.minpoll) config.maxpoll = config.minpoll;

  if (config.address.family() == NetAddress::Family::kNone) return Unexpected(AssociationConfigError::kNoAddress);
  if (config.address.port() == 0) return Unexpected(AssociationConfigError::kNoPort);
  if (config.version < 1 || config.version > kNtpVersion) return Unexpected(AssociationConfigError::kBadVersion);
  switch (config.mode) {
    case Mode::kClient: break;
    case Mode::kSymmetricActive:
    case Mode::kSymmetricPassive:
      // A burst gets no faster answers from a peer that transmits on its own poll (RFC 5905 §9).
      config.iburst = false;
      config.burst = false;
      break;
    default: return Unexpected(AssociationConfigError::kBadMode);
  }
  return config;
}

AssociationConfig PassiveAssociationConfig(const NetAddress& from, uint8_t version, int8_t poll,
                                           std::optional<uint32_t> key_id) {
  AssociationConfig c;
  c.address = from;
  c.mode = Mode::kSymmetricPassive;
  c.version = version;
  // The peer's poll, but at most the default minpoll: a passive association that never becomes
  // reachable goes after a few polls, and a forged poll 17 must not keep it for days.
  c.minpoll = PollExp(poll).Clamped(PollExp(PollExp::kMinPoll), PollExp(kDefaultMinPoll));
  c.maxpoll = std::max(c.minpoll, PollExp(kDefaultMaxPoll));
  c.key_id = key_id;
  return c;
}

}  // namespace tempus::core::assoc

#include "core/assoc/association_config.h"

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

}  // namespace tempus::core::assoc

#include "core/assoc/association_config.h"

namespace tempus::core {

std::string_view AssociationConfigErrorName(AssociationConfigError error) {
  switch (error) {
    case AssociationConfigError::kNoAddress: return "no_address";
    case AssociationConfigError::kNoPort: return "no_port";
    case AssociationConfigError::kBadVersion: return "bad_version";
    case AssociationConfigError::kBadMode: return "bad_mode";
    case AssociationConfigError::kSymmetricNotSupported: return "symmetric_not_supported";
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
  if (config.mode == Mode::kSymmetricActive) return Unexpected(AssociationConfigError::kSymmetricNotSupported);
  if (config.mode != Mode::kClient) return Unexpected(AssociationConfigError::kBadMode);
  return config;
}

}  // namespace tempus::core

// The MAC algorithm of a keys-file key type (ntp.keys(5)), shared by tempusd (the `keys` file)
// and `tempus sync -k FILE -a N` (ntpdate's client-side keys).
#ifndef TEMPUS_APPS_CLI_MAC_ALGORITHM_H_
#define TEMPUS_APPS_CLI_MAC_ALGORITHM_H_

#include <optional>

#include "config/keys_file.h"
#include "engine/auth.h"

namespace tempus::cli {

// The algorithm tempus computes for `type`; nothing for a type it parses but cannot compute
// (RMD160).
inline std::optional<engine::MacAlgorithm> MacAlgorithmOf(config::KeyType type) {
  switch (type) {
    case config::KeyType::kMd5: return engine::MacAlgorithm::kMd5;
    case config::KeyType::kSha1: return engine::MacAlgorithm::kSha1;
    case config::KeyType::kSha224: return engine::MacAlgorithm::kSha224;
    case config::KeyType::kSha256: return engine::MacAlgorithm::kSha256;
    case config::KeyType::kSha384: return engine::MacAlgorithm::kSha384;
    case config::KeyType::kSha512: return engine::MacAlgorithm::kSha512;
    case config::KeyType::kAes128Cmac: return engine::MacAlgorithm::kAes128Cmac;
    case config::KeyType::kRipemd160: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace tempus::cli

#endif  // TEMPUS_APPS_CLI_MAC_ALGORITHM_H_

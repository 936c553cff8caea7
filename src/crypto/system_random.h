// SystemRandom: the kernel's CSPRNG (getrandom(2)) behind the core's Random interface, and
// MakeRandom, the one place tempusd and `tempus query/sync` choose their generator.
//
// Transmit cookies, poll jitter, rate-limiter keys and (later) NTS nonces, unique identifiers and
// cookie keys must be unpredictable: a server that sees a client's requests must not be able to
// predict what the client sends elsewhere (issue 14). SystemRandom reads the kernel CSPRNG in
// blocks of 256 bytes and hands them out; it keeps no generator state of its own. `--seed` (tests
// and clknetsim runs) chooses the replayable SeededRandom instead. Not thread-safe: one instance
// per thread; not to be shared across fork().
#ifndef TEMPUS_CRYPTO_SYSTEM_RANDOM_H_
#define TEMPUS_CRYPTO_SYSTEM_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/random.h"
#include "base/result.h"
#include "base/sys_error.h"

namespace tempus::crypto {

class SystemRandom final : public Random {
 public:
  // Reads the first block; fails only when the kernel has no getrandom(2) or refuses it.
  [[nodiscard]] static Result<std::unique_ptr<SystemRandom>, SysError> Open();

  uint64_t NextU64() override;
  // Fills `out` with bytes from the kernel CSPRNG (for keys and nonces).
  void Fill(std::span<uint8_t> out);

 private:
  SystemRandom() = default;
  // Refills buffer_; false with errno set when getrandom fails.
  bool Refill();

  std::array<uint8_t, 256> buffer_{};
  size_t used_ = sizeof buffer_;
};

// The daemon's and the CLI's generator: SeededRandom(*seed) when a seed is given (repeatable
// runs), else SystemRandom.
[[nodiscard]] Result<std::unique_ptr<Random>, SysError> MakeRandom(std::optional<uint64_t> seed);

// Fills `out` from any Random (the kernel's directly when it is a SystemRandom).
void FillRandom(Random& random, std::span<uint8_t> out);

}  // namespace tempus::crypto

#endif  // TEMPUS_CRYPTO_SYSTEM_RANDOM_H_

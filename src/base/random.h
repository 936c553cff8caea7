// Random: the only source of randomness the pure core sees, injected by its host.
//
// This header holds no cryptographic generator: base is pure and cannot read the kernel.
// tempusd and `tempus query/sync` pass crypto::SystemRandom (src/crypto, the kernel CSPRNG via
// getrandom), because transmit cookies, poll jitter and rate-limiter keys must be unpredictable
// to an off-path attacker (RFC 5905 §9.1, issue 14). Tests, the simulator and `tempusd --seed`
// use SeededRandom, a fixed-seed xoshiro256** generator that is NOT cryptographic, so every run
// replays exactly. Not thread-safe: one instance per thread.
#ifndef TEMPUS_BASE_RANDOM_H_
#define TEMPUS_BASE_RANDOM_H_

#include <array>
#include <cstdint>

namespace tempus {

class Random {
 public:
  virtual ~Random() = default;
  // 64 uniformly distributed bits.
  virtual uint64_t NextU64() = 0;
};

// A uniform double in [0, 1) from the top 53 bits of one draw.
double UniformUnit(Random& random);

// Deterministic generator for tests and simulation: xoshiro256** (Blackman and Vigna), its state
// expanded from `seed` with SplitMix64. Not for cookies on a real network.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed);
  uint64_t NextU64() override;

 private:
  std::array<uint64_t, 4> s_{};
};

}  // namespace tempus

#endif  // TEMPUS_BASE_RANDOM_H_

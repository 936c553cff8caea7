// SimRandom: the simulator's seeded random streams. One master seed gives each node and each
// purpose (clock wander, network delays, the node's own Random) an independent stream, so a
// run replays exactly from its seed and adding a node does not disturb the others' draws.
// Draws are computed here (not with <random> distributions) so results do not depend on the
// standard library. Not thread-safe.
#ifndef TEMPUS_SIM_SIM_RANDOM_H_
#define TEMPUS_SIM_SIM_RANDOM_H_

#include <cstdint>

#include "base/random.h"

namespace tempus::sim {

// The purposes that get their own stream.
enum class Stream : uint64_t { kClock = 1, kNetwork = 2, kNode = 3, kScenario = 4 };

// The seed of stream `stream` of node `index` under `master`.
uint64_t DeriveSeed(uint64_t master, uint64_t index, Stream stream);

class SimRandom {
 public:
  explicit SimRandom(uint64_t seed) : random_(seed) {}
  // Uniform in [0, 1).
  double Uniform() { return UniformUnit(random_); }
  // Standard normal (Box–Muller; one value per call).
  double Normal();
  // Exponential with the given mean (0 gives 0).
  double Exponential(double mean);
  Random& raw() { return random_; }

 private:
  SeededRandom random_;
};

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_SIM_RANDOM_H_

// SimRandom: seed derivation (SplitMix64 mixing) and the normal and exponential draws.
#include "sim/sim_random.h"

#include <cmath>
#include <numbers>

namespace tempus::sim {
namespace {

uint64_t Mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

uint64_t DeriveSeed(uint64_t master, uint64_t index, Stream stream) {
  return Mix(Mix(Mix(master) ^ index) ^ static_cast<uint64_t>(stream));
}

double SimRandom::Normal() {
  const double u1 = 1.0 - Uniform();  // (0, 1]
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double SimRandom::Exponential(double mean) {
  if (mean <= 0) return 0.0;
  return -mean * std::log(1.0 - Uniform());
}

}  // namespace tempus::sim

#include "core/server/nts_replay.h"

#include <utility>

namespace tempus::core::server {
namespace {

uint64_t Fingerprint(std::span<const uint8_t> bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

bool NtsReplayWindow::SeenBefore(std::span<const uint8_t> cookie) {
  const uint64_t f = Fingerprint(cookie);
  if (current_.contains(f) || previous_.contains(f)) return true;
  if (current_.size() >= capacity_) {
    // The older generation goes: the window keeps the last capacity_ to 2 * capacity_ cookies.
    previous_ = std::move(current_);
    current_.clear();
  }
  current_.insert(f);
  return false;
}

}  // namespace tempus::core::server

#include "core/server/nts_replay.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tempus::core::server {
namespace {

// A 64-bit hash of the cookie, 8 octets at a time (multiply and fold); never 0, the empty slot.
// The FNV-1a it replaces went octet by octet: 400 instructions for a 100-octet cookie.
uint64_t Fingerprint(std::span<const uint8_t> bytes) {
  constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ULL;
  uint64_t h = 0xcbf29ce484222325ULL ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, sizeof word);
    h = (h ^ word) * kMultiplier;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  for (; i < bytes.size(); ++i) tail = tail << 8 | bytes[i];
  h = (h ^ tail) * kMultiplier;
  h ^= h >> 32;
  return h == 0 ? 1 : h;
}

}  // namespace

size_t NtsReplayWindow::Find(const std::vector<uint64_t>& table, uint64_t f) const {
  // Linear probing; a table is at most half full, so an empty slot ends every search.
  size_t i = f & mask_;
  while (table[i] != 0 && table[i] != f) i = (i + 1) & mask_;
  return i;
}

bool NtsReplayWindow::SeenBefore(std::span<const uint8_t> cookie) {
  if (current_.empty()) {
    size_t slots = 1;
    while (slots < 2 * capacity_) slots <<= 1;
    current_.assign(slots, 0);
    previous_.assign(slots, 0);
    mask_ = slots - 1;
  }
  const uint64_t f = Fingerprint(cookie);
  size_t slot = Find(current_, f);
  if (current_[slot] == f || previous_[Find(previous_, f)] == f) return true;
  if (current_count_ >= capacity_) {
    // The older generation goes: the window keeps the last capacity_ to 2 * capacity_ cookies.
    std::swap(previous_, current_);
    std::fill(current_.begin(), current_.end(), 0);
    current_count_ = 0;
    slot = Find(current_, f);
  }
  current_[slot] = f;
  ++current_count_;
  return false;
}

}  // namespace tempus::core::server

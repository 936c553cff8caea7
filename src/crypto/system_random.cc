#include "crypto/system_random.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/check.h"

namespace tempus::crypto {

Result<std::unique_ptr<SystemRandom>, SysError> SystemRandom::Open() {
  std::unique_ptr<SystemRandom> random(new SystemRandom());
  if (!random->Refill()) return Unexpected(SysError{"getrandom", errno});
  return random;
}

bool SystemRandom::Refill() {
  size_t got = 0;
  // Flags 0: blocks only until the kernel pool is first initialised, then never; a read of up to
  // 256 bytes is not cut short by a signal once it started, but may be interrupted before it.
  while (got < buffer_.size()) {
    const ssize_t n = getrandom(buffer_.data() + got, buffer_.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    got += static_cast<size_t>(n);
  }
  used_ = 0;
  return true;
}

void SystemRandom::Fill(std::span<uint8_t> out) {
  while (!out.empty()) {
    // Open() proved getrandom works; a later failure means the process cannot be trusted to
    // make keys, and carrying on with stale bytes would repeat them.
    if (used_ == buffer_.size()) {
      const bool refilled = Refill();
      TEMPUS_CHECK(refilled);
    }
    const size_t n = std::min(out.size(), buffer_.size() - used_);
    std::memcpy(out.data(), buffer_.data() + used_, n);
    // Bytes handed out are not kept: a later memory disclosure does not reveal past outputs.
    std::memset(buffer_.data() + used_, 0, n);
    used_ += n;
    out = out.subspan(n);
  }
}

uint64_t SystemRandom::NextU64() {
  std::array<uint8_t, 8> bytes{};
  Fill(bytes);
  uint64_t v = 0;
  std::memcpy(&v, bytes.data(), sizeof v);
  return v;
}

Result<std::unique_ptr<Random>, SysError> MakeRandom(std::optional<uint64_t> seed) {
  if (seed) return std::unique_ptr<Random>(std::make_unique<SeededRandom>(*seed));
  auto system = SystemRandom::Open();
  if (!system) return Unexpected(system.error());
  return std::unique_ptr<Random>(std::move(*system));
}

void FillRandom(Random& random, std::span<uint8_t> out) {
  if (auto* system = dynamic_cast<SystemRandom*>(&random)) return system->Fill(out);
  while (!out.empty()) {
    const uint64_t v = random.NextU64();
    const size_t n = std::min(out.size(), sizeof v);
    std::memcpy(out.data(), &v, n);
    out = out.subspan(n);
  }
}

}  // namespace tempus::crypto

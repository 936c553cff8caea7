// Take<T>: reads the next sizeof(T) bytes of a fuzz input as a T (zero-padded when fewer are
// left) and advances past them, so one input drives many fields of a fuzz target.
#ifndef TEMPUS_FUZZ_FUZZ_INPUT_H_
#define TEMPUS_FUZZ_FUZZ_INPUT_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

namespace tempus::fuzz {

// The next sizeof(T) bytes of `in` as a T (missing bytes are 0); `in` moves past them.
template <typename T>
T Take(std::span<const uint8_t>& in) {
  T v{};
  const size_t n = std::min(sizeof(T), in.size());
  std::memcpy(&v, in.data(), n);
  in = in.subspan(n);
  return v;
}

}  // namespace tempus::fuzz

#endif  // TEMPUS_FUZZ_FUZZ_INPUT_H_

// Packet codec round trip: decode, re-encode (header + the trailer as received), decode again;
// the bytes and the decoded packets must be identical.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "core/wire/codec.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  if (!in.empty()) (void)tempus::core::PeekMode(in);
  auto first = tempus::core::Decode(in);
  if (!first) return 0;
  FUZZ_CHECK(first->size == size);
  std::vector<uint8_t> out(size);
  const size_t n = tempus::core::Encode(first->header, in.subspan(tempus::core::kHeaderSize), out);
  FUZZ_CHECK(n == size);
  FUZZ_CHECK(std::memcmp(out.data(), data, size) == 0);
  auto second = tempus::core::Decode(out);
  FUZZ_CHECK(second.has_value());
  FUZZ_CHECK(second->header == first->header);
  FUZZ_CHECK(second->extensions.bytes().size() == first->extensions.bytes().size());
  FUZZ_CHECK(second->mac.has_value() == first->mac.has_value());
  if (first->mac) {
    FUZZ_CHECK(second->mac->key_id == first->mac->key_id);
    FUZZ_CHECK(second->mac->digest.size() == first->mac->digest.size());
  }
  return 0;
}

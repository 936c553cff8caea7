// Extension fields (RFC 7822): walking the fields of any packet Decode accepts stays inside the
// packet, every field is at least 16 bytes and a multiple of 4, and the walk ends.
#include <cstdint>
#include <span>

#include "core/wire/codec.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto d = tempus::core::Decode(std::span<const uint8_t>(data, size));
  if (!d) return 0;
  const auto all = d->extensions.bytes();
  if (!all.empty())
    FUZZ_CHECK(all.data() >= data + tempus::core::kHeaderSize && all.data() + all.size() <= data + size);
  size_t total = 0, count = 0;
  for (const tempus::core::ExtensionField f : d->extensions) {
    FUZZ_CHECK(f.value.data() >= data && f.value.data() + f.value.size() <= data + size);
    const size_t field = f.value.size() + 4;
    FUZZ_CHECK(field >= 16 && field % 4 == 0);
    total += field;
    FUZZ_CHECK(++count <= size / 16);
  }
  FUZZ_CHECK(total == all.size());
  if (d->mac) FUZZ_CHECK(d->mac->digest.data() + d->mac->digest.size() <= data + size);
  return 0;
}

// NTS extension fields (RFC 8915 §5): for any packet core::Decode accepts, ParseNtsFields returns
// fields inside the packet or a typed error, never a crash; the authenticator's associated data
// ends where its field starts. The rest of the input after the packet, as an authenticator's
// plaintext, gives cookies inside it or nullopt.
#include <array>
#include <cstdint>
#include <span>

#include "core/nts/ntp_fields.h"
#include "core/wire/codec.h"
#include "fuzz_check.h"

namespace {

bool Inside(std::span<const uint8_t> part, const uint8_t* data, size_t size) {
  return part.empty() || (part.data() >= data && part.data() + part.size() <= data + size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tempus::core;
  const std::span<const uint8_t> in(data, size);
  std::array<std::span<const uint8_t>, 8> cookies{};
  if (auto n = nts::EncryptedCookies(in, cookies)) {
    FUZZ_CHECK(*n <= cookies.size());
    for (size_t i = 0; i < *n; ++i) FUZZ_CHECK(Inside(cookies[i], data, size));
  }
  auto d = Decode(in);
  if (!d) return 0;
  auto f = nts::ParseNtsFields(in, *d);
  if (!f) {
    FUZZ_CHECK(static_cast<size_t>(f.error()) < nts::kNtsFieldErrorCount);
    return 0;
  }
  FUZZ_CHECK(Inside(f->unique_id, data, size) && Inside(f->cookie, data, size));
  FUZZ_CHECK(f->unique_id.empty() || f->unique_id.size() >= nts::kMinUniqueIdSize);
  FUZZ_CHECK(f->placeholders <= nts::kMaxPlaceholders);
  if (f->authenticator) {
    const nts::Authenticator& a = *f->authenticator;
    FUZZ_CHECK(!a.nonce.empty());
    FUZZ_CHECK(Inside(a.nonce, data, size) && Inside(a.ciphertext, data, size));
    FUZZ_CHECK(a.associated_data.data() == data && a.associated_data.size() >= kHeaderSize);
    FUZZ_CHECK(a.associated_data.size() + 4 <= static_cast<size_t>(a.nonce.data() - data));
  }
  return 0;
}

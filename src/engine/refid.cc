#include "engine/refid.h"

#include <openssl/evp.h>

#include "base/check.h"

namespace tempus::engine {

core::RefId RefIdForAddress(const core::NetAddress& address) {
  if (address.is_v4()) return core::RefId::FromIPv4(address);
  TEMPUS_CHECK(address.is_v6());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const bool ok = EVP_Digest(address.bytes().data(), 16, digest, &size, EVP_md5(), nullptr) == 1;
  TEMPUS_CHECK(ok && size >= 4);
  return core::RefId::FromDigestPrefix(std::span<const uint8_t>(digest, size));
}

}  // namespace tempus::engine

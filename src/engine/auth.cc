#include "engine/auth.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/check.h"
#include "core/wire/codec.h"

namespace tempus::engine {
namespace {

constexpr size_t kCmacKeySize = 16;  // AES-128 (RFC 8573)
constexpr size_t kMaxDigest = 20;    // ntpd truncates longer digests to 20 bytes

const EVP_MD* DigestOf(MacAlgorithm algorithm) {
  switch (algorithm) {
    case MacAlgorithm::kMd5: return EVP_md5();
    case MacAlgorithm::kSha1: return EVP_sha1();
    case MacAlgorithm::kSha224: return EVP_sha224();
    case MacAlgorithm::kSha256: return EVP_sha256();
    case MacAlgorithm::kSha384: return EVP_sha384();
    case MacAlgorithm::kSha512: return EVP_sha512();
    case MacAlgorithm::kAes128Cmac: return nullptr;
  }
  return nullptr;
}

// H(key ‖ message), the classic NTP MAC (RFC 5905 §7.3; ntpd's MD5authencrypt).
size_t HashMac(const EVP_MD* md, std::span<const uint8_t> key, std::span<const uint8_t> message,
               std::span<uint8_t> out) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return 0;
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  const bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, key.data(), key.size()) == 1 &&
                  EVP_DigestUpdate(ctx, message.data(), message.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest.data(), &size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return 0;
  const size_t n = std::min<size_t>(size, kMaxDigest);
  std::memcpy(out.data(), digest.data(), n);
  OPENSSL_cleanse(digest.data(), digest.size());
  return n;
}

// AES-128-CMAC (RFC 4493) of `message`, as RFC 8573 puts it into NTP.
size_t CmacMac(std::span<const uint8_t> key, std::span<const uint8_t> message, std::span<uint8_t> out) {
  std::array<uint8_t, kCmacKeySize> k{};
  std::memcpy(k.data(), key.data(), std::min(key.size(), k.size()));
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
  char cipher[] = "AES-128-CBC";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                               OSSL_PARAM_construct_end()};
  size_t size = 0;
  const bool ok = ctx != nullptr && EVP_MAC_init(ctx, k.data(), k.size(), params) == 1 &&
                  EVP_MAC_update(ctx, message.data(), message.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), &size, out.size()) == 1;
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  OPENSSL_cleanse(k.data(), k.size());
  return ok && size == 16 ? size : 0;
}

}  // namespace

std::string_view MacAlgorithmName(MacAlgorithm algorithm) {
  switch (algorithm) {
    case MacAlgorithm::kMd5: return "MD5";
    case MacAlgorithm::kSha1: return "SHA1";
    case MacAlgorithm::kSha224: return "SHA224";
    case MacAlgorithm::kSha256: return "SHA256";
    case MacAlgorithm::kSha384: return "SHA384";
    case MacAlgorithm::kSha512: return "SHA512";
    case MacAlgorithm::kAes128Cmac: return "AES128CMAC";
  }
  return "unknown";
}

AuthKey::~AuthKey() {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
}

size_t DigestSize(MacAlgorithm algorithm) {
  return algorithm == MacAlgorithm::kMd5 || algorithm == MacAlgorithm::kAes128Cmac ? 16 : 20;
}

size_t ComputeDigest(const AuthKey& key, std::span<const uint8_t> message, std::span<uint8_t> out) {
  TEMPUS_CHECK(out.size() >= kMaxDigest);
  if (key.algorithm == MacAlgorithm::kAes128Cmac) return CmacMac(key.secret, message, out);
  return HashMac(DigestOf(key.algorithm), key.secret, message, out);
}

KeyRing::KeyRing(std::vector<AuthKey> keys) {
  for (AuthKey& k : keys) {
    const uint32_t id = k.id;
    keys_.insert_or_assign(id, std::move(k));
  }
}

const AuthKey* KeyRing::Find(uint32_t id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

const AuthKey* KeyRing::FindTrusted(uint32_t id) const {
  const AuthKey* k = Find(id);
  return k != nullptr && k->trusted ? k : nullptr;
}

std::optional<size_t> KeyRing::Sign(uint32_t id, std::span<uint8_t> packet, size_t length) const {
  const AuthKey* key = FindTrusted(id);
  if (key == nullptr || length > packet.size() || packet.size() - length < 4 + DigestSize(key->algorithm)) {
    return std::nullopt;
  }
  std::array<uint8_t, kMaxDigest> digest{};
  const size_t n = ComputeDigest(*key, packet.first(length), digest);
  if (n == 0) return std::nullopt;
  uint8_t* p = packet.data() + length;
  p[0] = static_cast<uint8_t>(id >> 24);
  p[1] = static_cast<uint8_t>(id >> 16);
  p[2] = static_cast<uint8_t>(id >> 8);
  p[3] = static_cast<uint8_t>(id);
  std::memcpy(p + 4, digest.data(), n);
  return length + 4 + n;
}

bool KeyRing::Verify(uint32_t key_id, std::span<const uint8_t> covered, std::span<const uint8_t> digest) const {
  const AuthKey* key = FindTrusted(key_id);
  if (key == nullptr || digest.size() != DigestSize(key->algorithm)) return false;
  std::array<uint8_t, kMaxDigest> computed{};
  const size_t n = ComputeDigest(*key, covered, computed);
  return n == digest.size() && CRYPTO_memcmp(computed.data(), digest.data(), n) == 0;
}

core::AuthVerdict KeyRing::Check(std::span<const uint8_t> bytes, std::optional<uint32_t> expected_key,
                                 uint32_t* key_id) const {
  const auto decoded = core::Decode(bytes);
  if (!decoded) return core::AuthVerdict::kNone;
  if (key_id != nullptr && decoded->mac) *key_id = decoded->mac->key_id;
  return core::CheckMac(bytes, *decoded, expected_key, *this);
}

}  // namespace tempus::engine

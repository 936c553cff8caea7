#include "crypto/aes_siv.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

namespace tempus::crypto {
namespace {

struct ContextFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextFree>;

// The cipher and the MAC, fetched once per process rather than per call: a fetch searches
// OpenSSL's provider store, about 10% of the instructions of an NTS request on the server
// (bench/nts_server_bench under callgrind: 165k -> 149k per request, 4 AES-SIV operations). A
// fetched algorithm is immutable and may be shared by threads (OpenSSL 3 "Fetching
// algorithms"); it lives until exit. Null when this OpenSSL has none (calls fail: kLibrary).
const EVP_CIPHER* SivCipher() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-SIV", nullptr);
  return cipher;
}
EVP_MAC* CmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  return mac;
}

// OpenSSL's update calls take an int length; NTS fields are far below that.
int Len(size_t n) { return static_cast<int>(n); }

// One context keyed for SIV, with every associated-data component fed in order (RFC 5297 §3:
// S2V takes them one by one, so their boundaries matter).
Result<Context, AeadError> Start(Bytes key, std::initializer_list<Bytes> associated_data, bool encrypt, Bytes tag) {
  if (key.size() != kAesSivKeySize) return Unexpected(AeadError::kBadKeySize);
  const EVP_CIPHER* cipher = SivCipher();
  Context ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx) return Unexpected(AeadError::kLibrary);
  if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    return Unexpected(AeadError::kLibrary);
  }
  if (!encrypt &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, Len(tag.size()), const_cast<uint8_t*>(tag.data())) != 1) {
    return Unexpected(AeadError::kLibrary);
  }
  for (Bytes ad : associated_data) {
    int n = 0;
    if (EVP_CipherUpdate(ctx.get(), nullptr, &n, ad.data(), Len(ad.size())) != 1) {
      return Unexpected(AeadError::kLibrary);
    }
  }
  return ctx;
}

using Block = std::array<uint8_t, kAesSivTagSize>;

struct MacContextFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// AES-128-CMAC of `parts` concatenated, under `key` (16 octets).
bool Cmac(Bytes key, std::initializer_list<Bytes> parts, Block& out) {
  EVP_MAC* mac = CmacAlgorithm();
  if (mac == nullptr) return false;
  std::unique_ptr<EVP_MAC_CTX, MacContextFree> ctx(EVP_MAC_CTX_new(mac));
  char cipher[] = "AES-128-CBC";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("cipher", cipher, 0), OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return false;
  for (Bytes p : parts) {
    if (!p.empty() && EVP_MAC_update(ctx.get(), p.data(), p.size()) != 1) return false;
  }
  size_t n = 0;
  return EVP_MAC_final(ctx.get(), out.data(), &n, out.size()) == 1 && n == out.size();
}

// dbl (RFC 5297 §2.3): multiplication by x in GF(2^128).
Block Double(const Block& in) {
  Block out{};
  for (size_t i = 0; i < in.size(); ++i) {
    out[i] = static_cast<uint8_t>(in[i] << 1 | (i + 1 < in.size() ? in[i + 1] >> 7 : 0));
  }
  if (in[0] & 0x80) out[in.size() - 1] ^= 0x87;
  return out;
}

}  // namespace

namespace internal {

Result<Block, AeadError> S2v(Bytes key, std::initializer_list<Bytes> associated_data, Bytes plaintext) {
  if (key.size() != kAesSivKeySize) return Unexpected(AeadError::kBadKeySize);
  const Bytes k1 = key.first(kAesSivKeySize / 2);
  const Block zero{};
  Block d{};
  if (!Cmac(k1, {zero}, d)) return Unexpected(AeadError::kLibrary);
  for (Bytes ad : associated_data) {
    Block m{};
    if (!Cmac(k1, {ad}, m)) return Unexpected(AeadError::kLibrary);
    d = Double(d);
    for (size_t i = 0; i < d.size(); ++i) d[i] ^= m[i];
  }
  Block v{};
  if (plaintext.size() >= d.size()) {
    // T = Sn xorend D: D xored into the last 16 octets.
    const size_t head = plaintext.size() - d.size();
    Block tail{};
    for (size_t i = 0; i < d.size(); ++i) tail[i] = plaintext[head + i] ^ d[i];
    if (!Cmac(k1, {plaintext.first(head), tail}, v)) return Unexpected(AeadError::kLibrary);
  } else {
    // T = dbl(D) xor pad(Sn), pad = Sn || 0x80 || 0...
    Block t = Double(d);
    for (size_t i = 0; i < plaintext.size(); ++i) t[i] ^= plaintext[i];
    t[plaintext.size()] ^= 0x80;
    if (!Cmac(k1, {t}, v)) return Unexpected(AeadError::kLibrary);
  }
  return v;
}

}  // namespace internal

const char* AeadErrorName(AeadError error) {
  switch (error) {
    case AeadError::kBadKeySize: return "bad_key_size";
    case AeadError::kBufferTooSmall: return "buffer_too_small";
    case AeadError::kTooShort: return "too_short";
    case AeadError::kAuthentication: return "authentication";
    case AeadError::kLibrary: return "library";
  }
  return "unknown";
}

Result<size_t, AeadError> AesSivSeal(Bytes key, std::initializer_list<Bytes> associated_data, Bytes plaintext,
                                     std::span<uint8_t> out) {
  if (out.size() < kAesSivTagSize + plaintext.size()) return Unexpected(AeadError::kBufferTooSmall);
  if (plaintext.empty()) {  // the tag alone: S2V (see internal::S2v for why not through EVP)
    auto v = internal::S2v(key, associated_data, plaintext);
    if (!v) return Unexpected(v.error());
    std::memcpy(out.data(), v->data(), kAesSivTagSize);
    return kAesSivTagSize;
  }
  auto ctx = Start(key, associated_data, true, {});
  if (!ctx) return Unexpected(ctx.error());
  int n = 0;
  // SIV takes the whole plaintext in one update: the tag depends on all of it.
  if (EVP_CipherUpdate(ctx->get(), out.data() + kAesSivTagSize, &n, plaintext.data(), Len(plaintext.size())) != 1 ||
      EVP_CipherFinal_ex(ctx->get(), out.data() + kAesSivTagSize + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_AEAD_GET_TAG, Len(kAesSivTagSize), out.data()) != 1) {
    return Unexpected(AeadError::kLibrary);
  }
  return kAesSivTagSize + plaintext.size();
}

Result<size_t, AeadError> AesSivOpen(Bytes key, std::initializer_list<Bytes> associated_data, Bytes sealed,
                                     std::span<uint8_t> out) {
  if (sealed.size() < kAesSivTagSize) return Unexpected(AeadError::kTooShort);
  const size_t size = sealed.size() - kAesSivTagSize;
  if (out.size() < size) return Unexpected(AeadError::kBufferTooSmall);
  if (size == 0) {
    auto v = internal::S2v(key, associated_data, {});
    if (!v) return Unexpected(v.error());
    // Constant time: the comparison does not tell how many leading octets matched.
    if (CRYPTO_memcmp(v->data(), sealed.data(), kAesSivTagSize) != 0) return Unexpected(AeadError::kAuthentication);
    return size_t{0};
  }
  auto ctx = Start(key, associated_data, false, sealed.first(kAesSivTagSize));
  if (!ctx) return Unexpected(ctx.error());
  int n = 0;
  // The tag is checked when the ciphertext is processed: a mismatch fails the update or final.
  if (EVP_CipherUpdate(ctx->get(), out.data(), &n, sealed.data() + kAesSivTagSize, Len(size)) != 1 ||
      EVP_CipherFinal_ex(ctx->get(), out.data() + n, &n) != 1) {
    std::memset(out.data(), 0, size);  // no unauthenticated plaintext left behind
    return Unexpected(AeadError::kAuthentication);
  }
  return size;
}

}  // namespace tempus::crypto

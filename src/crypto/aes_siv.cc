#include "crypto/aes_siv.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

namespace tempus::crypto {
namespace {

// SIV is composed here from OpenSSL's CMAC and AES-128-CTR (RFC 5297 §2.6: V = S2V(K1, AD, P),
// C = P xor CTR(K2, V with two bits cleared)) rather than run through OpenSSL 3's "AES-128-SIV":
// that cipher fetches AES-128-CBC, AES-128-CTR and CMAC from the provider store on every key it
// is given, and an NTS server takes a new key (the client's, out of its cookie) for nearly every
// operation: 149k instructions per NTS request, 2/3 of them fetching and freeing. Here both
// algorithms are fetched once per process and each thread keeps one CMAC and one CTR context that
// every call re-keys (tests/crypto/aes_siv_test.cc checks the RFC's vectors and equality with
// OpenSSL's own AES-128-SIV on random inputs).
const EVP_CIPHER* CtrCipher() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr);
  return cipher;
}
EVP_MAC* CmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  return mac;
}

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MacContextFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// This thread's contexts: CMAC set to AES-128-CBC and a CTR context, made on first use; null
// when OpenSSL lacks either (calls then fail with kLibrary).
struct ThreadContexts {
  std::unique_ptr<EVP_MAC_CTX, MacContextFree> mac;
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> ctr;

  ThreadContexts() {
    if (CmacAlgorithm() != nullptr) {
      mac.reset(EVP_MAC_CTX_new(CmacAlgorithm()));
      char cipher[] = "AES-128-CBC";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("cipher", cipher, 0), OSSL_PARAM_construct_end()};
      if (mac && EVP_MAC_CTX_set_params(mac.get(), params) != 1) mac.reset();
    }
    if (CtrCipher() != nullptr) {
      ctr.reset(EVP_CIPHER_CTX_new());
      if (ctr && EVP_CipherInit_ex2(ctr.get(), CtrCipher(), nullptr, nullptr, 1, nullptr) != 1) ctr.reset();
    }
  }
};
ThreadContexts& Contexts() {
  thread_local ThreadContexts contexts;
  return contexts;
}

// OpenSSL's update calls take an int length; NTS fields are far below that.
int Len(size_t n) { return static_cast<int>(n); }

using Block = std::array<uint8_t, kAesSivTagSize>;

// AES-128-CMAC of `parts` concatenated, under `key` (16 octets), or when `key` is empty under the
// key this thread's CMAC was last given: keying costs several times the MAC of a block, and S2V
// takes n + 2 MACs under one key.
bool Cmac(Bytes key, std::initializer_list<Bytes> parts, Block& out) {
  EVP_MAC_CTX* ctx = Contexts().mac.get();
  if (ctx == nullptr || EVP_MAC_init(ctx, key.empty() ? nullptr : key.data(), key.size(), nullptr) != 1) return false;
  for (Bytes p : parts) {
    if (!p.empty() && EVP_MAC_update(ctx, p.data(), p.size()) != 1) return false;
  }
  size_t n = 0;
  return EVP_MAC_final(ctx, out.data(), &n, out.size()) == 1 && n == out.size();
}

// in xor AES-128-CTR(K2 = the second half of `key`, Q) into out, Q being the synthetic IV with
// the 31st and 63rd bits from the right cleared (RFC 5297 §2.6: so that a 32-bit counter
// implementation never carries across them).
bool Ctr(Bytes key, const Block& v, Bytes in, uint8_t* out) {
  Block q = v;
  q[8] &= 0x7f;
  q[12] &= 0x7f;
  EVP_CIPHER_CTX* ctx = Contexts().ctr.get();
  int n = 0;
  return ctx != nullptr &&
         EVP_CipherInit_ex2(ctx, nullptr, key.data() + kAesSivKeySize / 2, q.data(), 1, nullptr) == 1 &&
         EVP_CipherUpdate(ctx, out, &n, in.data(), Len(in.size())) == 1 && n == Len(in.size());
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
  // The first MAC keys this thread's CMAC with K1; the others reuse that key ({}).
  if (!Cmac(k1, {zero}, d)) return Unexpected(AeadError::kLibrary);
  for (Bytes ad : associated_data) {
    Block m{};
    if (!Cmac({}, {ad}, m)) return Unexpected(AeadError::kLibrary);
    d = Double(d);
    for (size_t i = 0; i < d.size(); ++i) d[i] ^= m[i];
  }
  Block v{};
  if (plaintext.size() >= d.size()) {
    // T = Sn xorend D: D xored into the last 16 octets.
    const size_t head = plaintext.size() - d.size();
    Block tail{};
    for (size_t i = 0; i < d.size(); ++i) tail[i] = plaintext[head + i] ^ d[i];
    if (!Cmac({}, {plaintext.first(head), tail}, v)) return Unexpected(AeadError::kLibrary);
  } else {
    // T = dbl(D) xor pad(Sn), pad = Sn || 0x80 || 0...
    Block t = Double(d);
    for (size_t i = 0; i < plaintext.size(); ++i) t[i] ^= plaintext[i];
    t[plaintext.size()] ^= 0x80;
    if (!Cmac({}, {t}, v)) return Unexpected(AeadError::kLibrary);
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
  auto v = internal::S2v(key, associated_data, plaintext);
  if (!v) return Unexpected(v.error());
  if (!plaintext.empty() && !Ctr(key, *v, plaintext, out.data() + kAesSivTagSize)) {
    return Unexpected(AeadError::kLibrary);
  }
  std::memcpy(out.data(), v->data(), kAesSivTagSize);
  return kAesSivTagSize + plaintext.size();
}

Result<size_t, AeadError> AesSivOpen(Bytes key, std::initializer_list<Bytes> associated_data, Bytes sealed,
                                     std::span<uint8_t> out) {
  if (sealed.size() < kAesSivTagSize) return Unexpected(AeadError::kTooShort);
  const size_t size = sealed.size() - kAesSivTagSize;
  if (out.size() < size) return Unexpected(AeadError::kBufferTooSmall);
  if (key.size() != kAesSivKeySize) return Unexpected(AeadError::kBadKeySize);
  Block tag;
  std::memcpy(tag.data(), sealed.data(), kAesSivTagSize);
  if (size > 0 && !Ctr(key, tag, sealed.subspan(kAesSivTagSize), out.data())) {
    std::memset(out.data(), 0, size);
    return Unexpected(AeadError::kLibrary);
  }
  auto v = internal::S2v(key, associated_data, Bytes(out.data(), size));
  // Constant time: the comparison does not tell how many leading octets matched.
  if (!v || CRYPTO_memcmp(v->data(), tag.data(), kAesSivTagSize) != 0) {
    std::memset(out.data(), 0, size);  // no unauthenticated plaintext left behind
    if (!v) return Unexpected(v.error());
    return Unexpected(AeadError::kAuthentication);
  }
  return size;
}

}  // namespace tempus::crypto

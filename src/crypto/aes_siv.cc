#include "crypto/aes_siv.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>

namespace tempus::crypto {
namespace {

// SIV is composed here from AES-128 (OpenSSL's) and a CMAC (RFC 4493) of our own over it (RFC
// 5297 §2.6: V = S2V(K1, AD, P), C = P xor CTR(K2, V with two bits cleared)), rather than run
// through OpenSSL 3's "AES-128-SIV": that cipher fetches AES-128-CBC, AES-128-CTR and CMAC from the
// provider store on every key it is given, and an NTS server takes a new key (the client's, out
// of its cookie) for nearly every operation (149k instructions per NTS request, 2/3 of them
// fetching and freeing). Nor through OpenSSL 3.0's EVP_MAC CMAC: its EVP_MAC_init re-initializes
// its cipher context through the provider for every MAC, about 1,200 instructions before the
// first block, and S2V takes n + 2 MACs (57,800 instructions per NTS request, 81 % of them CMAC).
// Here each thread keeps one AES-128-CBC context, keyed once per S2V, that CMAC drives block by
// block, and one AES-128-CTR context. tests/crypto/aes_siv_test.cc checks the CMAC against RFC
// 4493's vectors and OpenSSL's EVP_MAC CMAC, and SIV against RFC 5297's vectors and OpenSSL's own
// AES-128-SIV on random inputs.
const EVP_CIPHER* CbcCipher() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
  return cipher;
}
const EVP_CIPHER* EcbCipher() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
  return cipher;
}

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

constexpr size_t kBlockSize = 16;
using Block = std::array<uint8_t, kBlockSize>;
static_assert(kBlockSize == kAesSivTagSize);

// Word-wide helpers: GCC 12 at -O2 neither unrolls nor vectorizes the byte loops, which cost
// more than the AES of the blocks they prepare.
uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void Store64(uint64_t v, uint8_t* p) { std::memcpy(p, &v, sizeof v); }
uint64_t LoadBig64(const uint8_t* p) {
  const uint64_t v = Load64(p);
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}
void StoreBig64(uint64_t v, uint8_t* p) {
  Store64(std::endian::native == std::endian::little ? __builtin_bswap64(v) : v, p);
}

// to[i] = a[i] ^ b[i] for i < n (to may be a or b).
void XorBytes(uint8_t* to, const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) Store64(Load64(a + i) ^ Load64(b + i), to + i);
  for (; i < n; ++i) to[i] = a[i] ^ b[i];
}
void XorInto(Block& to, const uint8_t* from) { XorBytes(to.data(), to.data(), from, kBlockSize); }

// dbl (RFC 5297 §2.3, RFC 4493 §2.3): multiplication by x in GF(2^128). Constant time: the
// reduction is xored in under a mask made from the top bit, never branched on.
Block Double(const Block& in) {
  const uint64_t high = LoadBig64(in.data());
  const uint64_t low = LoadBig64(in.data() + 8);
  const uint64_t reduce = 0x87 & (0 - (high >> 63));
  Block out;
  StoreBig64(high << 1 | low >> 63, out.data());
  StoreBig64(low << 1 ^ reduce, out.data() + 8);
  return out;
}

// This thread's contexts, made on first use; null when OpenSSL lacks the cipher (calls then fail
// with kLibrary).
//
// `cbc` is AES-128-CBC used as CMAC's block cipher (K1): EVP_Cipher() hands blocks straight to
// the provider's cipher function, where EVP_MAC_update/final and EVP_CipherUpdate pass through
// layers of checks and buffering, and it chains as CMAC does (each block xored with the cipher's
// last output before it is encrypted). The chaining value is not reset between the MACs of an
// S2V: `chain` tracks it (the last block the context output), and a MAC's first block is xored
// with it to cancel it, so a context keyed once serves every MAC of an S2V. `ecb` is AES-128-ECB
// under K2, which makes CTR's key stream from counter blocks written here.
//
// Both are keyed without an IV: EVP_CipherInit_ex2 with an IV asks the provider its IV length
// (OSSL_PARAM look-ups, about 500 instructions in OpenSSL 3.0) every time. Without one, OpenSSL 3
// restarts a CBC context at the IV it was last given (as 1.1.1 did), here zero: `chain` is zero
// after keying. SelfTest checks that when the contexts are made.
struct ThreadContexts {
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> cbc;
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> ecb;
  Block chain{};  // cbc's chaining value
  Block k1{};     // CMAC's subkeys (RFC 4493 §2.3) for the key cbc holds
  Block k2{};

  ThreadContexts() {
    const Block zero{};
    if (CbcCipher() != nullptr) {
      cbc.reset(EVP_CIPHER_CTX_new());
      if (cbc && EVP_CipherInit_ex2(cbc.get(), CbcCipher(), nullptr, zero.data(), 1, nullptr) != 1) cbc.reset();
    }
    if (EcbCipher() != nullptr) {
      ecb.reset(EVP_CIPHER_CTX_new());
      if (ecb && EVP_CipherInit_ex2(ecb.get(), EcbCipher(), nullptr, nullptr, 1, nullptr) != 1) ecb.reset();
    }
  }
  ~ThreadContexts() {
    OPENSSL_cleanse(chain.data(), chain.size());
    OPENSSL_cleanse(k1.data(), k1.size());
    OPENSSL_cleanse(k2.data(), k2.size());
  }
  ThreadContexts(const ThreadContexts&) = delete;
  ThreadContexts& operator=(const ThreadContexts&) = delete;

  // `count` whole blocks through cbc (its chaining value is `chain`); `chain` is then the last
  // block out.
  bool Encrypt(const uint8_t* in, size_t count) {
    constexpr size_t kChunk = 16;
    std::array<uint8_t, kChunk * kBlockSize> out;
    while (count > 0) {
      const size_t n = std::min(count, kChunk);
      if (EVP_Cipher(cbc.get(), out.data(), in, static_cast<unsigned>(n * kBlockSize)) <= 0) return false;
      std::memcpy(chain.data(), out.data() + (n - 1) * kBlockSize, kBlockSize);
      in += n * kBlockSize;
      count -= n;
    }
    return true;
  }

  // Keys cbc with `key` (16 octets) for CMAC: L = AES(key, 0), K1 = dbl(L), K2 = dbl(K1).
  bool CmacKey(const uint8_t* key) {
    const Block zero{};
    if (cbc == nullptr || EVP_CipherInit_ex2(cbc.get(), nullptr, key, nullptr, 1, nullptr) != 1) return false;
    chain = zero;  // restarted at the zero IV it was made with
    if (!Encrypt(zero.data(), 1)) return false;
    k1 = Double(chain);  // chain = L
    k2 = Double(k1);
    return true;
  }
};

// One AES-CMAC (RFC 4493 §2.4) of a message given in parts, under the key this thread's cbc
// context was last given (ThreadContexts::CmacKey). The last block, whole or not, stays in
// `pending` until Finish, which xors it with K1 (whole) or pads it and xors it with K2; every
// block before it goes through cbc as it completes, runs of whole blocks straight from the input.
class CmacRun {
 public:
  explicit CmacRun(ThreadContexts& contexts) : c_(contexts), pending_(contexts.chain) {}
  ~CmacRun() { OPENSSL_cleanse(pending_.data(), pending_.size()); }
  CmacRun(const CmacRun&) = delete;
  CmacRun& operator=(const CmacRun&) = delete;

  bool Update(Bytes data) {
    size_t i = 0;
    while (i < data.size()) {
      if (filled_ == kBlockSize) {  // more follows, so the pending block is not the last
        if (!c_.Encrypt(pending_.data(), 1)) return false;
        pending_ = {};
        filled_ = 0;
        // The chain is this MAC's own from here: whole blocks go in as they are, all but the
        // last octet's block.
        const size_t whole = (data.size() - i - 1) / kBlockSize;
        if (whole > 0 && !c_.Encrypt(data.data() + i, whole)) return false;
        i += whole * kBlockSize;
      }
      const size_t take = std::min(kBlockSize - filled_, data.size() - i);
      XorBytes(pending_.data() + filled_, pending_.data() + filled_, data.data() + i, take);
      filled_ += take;
      i += take;
    }
    return true;
  }

  bool Finish(Block& out) {
    if (filled_ == kBlockSize) {
      XorInto(pending_, c_.k1.data());
    } else {
      pending_[filled_] ^= 0x80;
      XorInto(pending_, c_.k2.data());
    }
    if (!c_.Encrypt(pending_.data(), 1)) return false;
    out = c_.chain;
    return true;
  }

 private:
  ThreadContexts& c_;
  // The block being gathered, data xored in. The first starts as cbc's chaining value, which
  // cancels it: the MAC's CBC starts from zero.
  Block pending_;
  size_t filled_ = 0;
};

// RFC 4493 §4's key with its examples 2 (one block) and 1 (empty), each after keying, the second
// when the chain is no longer zero: checks that keying restarts the CBC context at the zero IV,
// which the CMAC here counts on (ThreadContexts). If it does not, the contexts are not used.
bool CmacSelfTest(ThreadContexts& c) {
  static constexpr uint8_t kKey[kBlockSize] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                               0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
  static constexpr uint8_t kMessage[kBlockSize] = {0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
                                                   0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a};
  static constexpr uint8_t kMacs[2][kBlockSize] = {{0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44, 0xf7, 0x9b, 0xdd,
                                                    0x9d, 0xd0, 0x4a, 0x28, 0x7c},
                                                   {0xbb, 0x1d, 0x69, 0x29, 0xe9, 0x59, 0x37, 0x28, 0x7f, 0xa3, 0x7d,
                                                    0x12, 0x9b, 0x75, 0x67, 0x46}};
  for (size_t round = 0; round < 2; ++round) {
    Block mac{};
    if (!c.CmacKey(kKey)) return false;
    CmacRun run(c);
    if (!run.Update(round == 0 ? Bytes(kMessage) : Bytes()) || !run.Finish(mac) ||
        CRYPTO_memcmp(mac.data(), kMacs[round], kBlockSize) != 0) {
      return false;
    }
  }
  return true;
}

ThreadContexts& Contexts() {
  thread_local ThreadContexts contexts;
  thread_local const bool usable = CmacSelfTest(contexts);
  if (!usable) contexts.cbc.reset();
  return contexts;
}

// AES-128-CMAC of `parts` concatenated under the key this thread's cbc context holds.
bool Cmac(std::initializer_list<Bytes> parts, Block& out) {
  CmacRun run(Contexts());
  for (Bytes p : parts) {
    if (!run.Update(p)) return false;
  }
  return run.Finish(out);
}

// in xor AES-128-CTR(K2 = the second half of `key`, Q) into out, Q being the synthetic IV with
// the 31st and 63rd bits from the right cleared (RFC 5297 §2.6), so that the counter's low 32
// bits, which start below 2^31, never carry for fewer than 2^31 blocks: the counter blocks are Q
// with those bits counted up, encrypted under the ecb context a run at a time.
bool Ctr(Bytes key, const Block& v, Bytes in, uint8_t* out) {
  constexpr size_t kChunk = 16;
  if (in.size() / kBlockSize >= (size_t{1} << 31)) return false;
  EVP_CIPHER_CTX* ctx = Contexts().ecb.get();
  if (ctx == nullptr || EVP_CipherInit_ex2(ctx, nullptr, key.data() + kAesSivKeySize / 2, nullptr, 1, nullptr) != 1) {
    return false;
  }
  Block q = v;
  q[8] &= 0x7f;
  q[12] &= 0x7f;
  uint32_t counter = static_cast<uint32_t>(q[12]) << 24 | static_cast<uint32_t>(q[13]) << 16 |
                     static_cast<uint32_t>(q[14]) << 8 | q[15];
  std::array<uint8_t, kChunk * kBlockSize> blocks;
  for (size_t done = 0; done < in.size();) {
    const size_t n = std::min(kChunk, (in.size() - done + kBlockSize - 1) / kBlockSize);
    for (size_t b = 0; b < n; ++b, ++counter) {
      uint8_t* block = blocks.data() + b * kBlockSize;
      std::memcpy(block, q.data(), 12);
      const uint32_t big = std::endian::native == std::endian::little ? __builtin_bswap32(counter) : counter;
      std::memcpy(block + 12, &big, sizeof big);
    }
    if (EVP_Cipher(ctx, blocks.data(), blocks.data(), static_cast<unsigned>(n * kBlockSize)) <= 0) return false;
    const size_t bytes = std::min(n * kBlockSize, in.size() - done);
    XorBytes(out + done, in.data() + done, blocks.data(), bytes);
    done += bytes;
  }
  OPENSSL_cleanse(blocks.data(), blocks.size());
  return true;
}

}  // namespace

namespace internal {

Result<Block, AeadError> AesCmac(Bytes key, Bytes message) {
  if (key.size() != kBlockSize) return Unexpected(AeadError::kBadKeySize);
  Block out{};
  if (!Contexts().CmacKey(key.data()) || !Cmac({message}, out)) return Unexpected(AeadError::kLibrary);
  return out;
}

Result<Block, AeadError> S2v(Bytes key, std::initializer_list<Bytes> associated_data, Bytes plaintext) {
  if (key.size() != kAesSivKeySize) return Unexpected(AeadError::kBadKeySize);
  // Keyed once with K1 for the n + 2 MACs.
  if (!Contexts().CmacKey(key.data())) return Unexpected(AeadError::kLibrary);
  const Block zero{};
  Block d{};
  if (!Cmac({zero}, d)) return Unexpected(AeadError::kLibrary);
  for (Bytes ad : associated_data) {
    Block m{};
    if (!Cmac({ad}, m)) return Unexpected(AeadError::kLibrary);
    d = Double(d);
    XorInto(d, m.data());
  }
  Block v{};
  if (plaintext.size() >= d.size()) {
    // T = Sn xorend D: D xored into the last 16 octets.
    const size_t head = plaintext.size() - d.size();
    Block tail{};
    XorBytes(tail.data(), plaintext.data() + head, d.data(), kBlockSize);
    if (!Cmac({plaintext.first(head), tail}, v)) return Unexpected(AeadError::kLibrary);
    OPENSSL_cleanse(tail.data(), tail.size());
  } else {
    // T = dbl(D) xor pad(Sn), pad = Sn || 0x80 || 0...
    Block t = Double(d);
    XorBytes(t.data(), t.data(), plaintext.data(), plaintext.size());
    t[plaintext.size()] ^= 0x80;
    if (!Cmac({t}, v)) return Unexpected(AeadError::kLibrary);
    OPENSSL_cleanse(t.data(), t.size());
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

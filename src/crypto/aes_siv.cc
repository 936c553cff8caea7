#include "crypto/aes_siv.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
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
// Here each thread keeps AES-128-CBC contexts that CMAC drives (keyed once per key, the last three
// keys kept keyed) and AES-128-ECB contexts that make CTR's key stream. tests/crypto/aes_siv_test.cc checks the CMAC
// against RFC 4493's vectors and OpenSSL's EVP_MAC CMAC, and SIV against RFC 5297's vectors and OpenSSL's own
// AES-128-SIV on random inputs, on both paths below.

// The AES-128 implementations the contexts run on. OpenSSL 3's EVP API reaches its providers
// through OSSL_PARAM look-ups: keying a context (EVP_CipherInit_ex2) asks the provider the key
// length (EVP_CIPHER_CTX_get_key_length, about 500 of its 913 instructions in 3.0), and each
// EVP_Cipher call passes through the provider's generic cipher layer (about 200 instructions
// for one block). The same libcrypto still carries its built-in ("legacy") AES ciphers, the same
// AES-NI, VPAES or table code the default provider uses, and runs them without a provider when
// the EVP_CIPHER is a method of the application's own (EVP_CIPHER_meth_dup): keying costs 539
// instructions and a one-block call 153 (docs/performance.md, branch nts2),
// which takes an NTS request with many clients from 15,252 to 13,030 (BM_NtsRequestManyClients).
// EVP_CIPHER_meth_dup is deprecated since OpenSSL 3.0 and removed in 4.0, and the legacy path
// ignores the provider configuration, so it is taken only where it exists (3.x built with the
// deprecated API), never in FIPS mode, and only when the thread's CMAC self test passes on it;
// otherwise the contexts run on the provider's ciphers, fetched once.
struct Ciphers {
  const EVP_CIPHER* cbc = nullptr;
  const EVP_CIPHER* ecb = nullptr;
};

const Ciphers& ProviderCiphers() {
  static const Ciphers ciphers{EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr),
                               EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr)};
  return ciphers;
}

#if OPENSSL_VERSION_MAJOR == 3 && !defined(OPENSSL_NO_DEPRECATED_3_0)
#define TEMPUS_AES_LEGACY_PATH 1
#endif

// Null members where the legacy path is not available.
const Ciphers& LegacyCiphers() {
  static const Ciphers ciphers = [] {
    Ciphers c;
#ifdef TEMPUS_AES_LEGACY_PATH
    if (EVP_default_properties_is_fips_enabled(nullptr) == 1) return c;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EVP_CIPHER* cbc = EVP_CIPHER_meth_dup(EVP_aes_128_cbc());
    EVP_CIPHER* ecb = EVP_CIPHER_meth_dup(EVP_aes_128_ecb());
    if (cbc != nullptr && ecb != nullptr) {
      c = {cbc, ecb};
    } else {
      EVP_CIPHER_meth_free(cbc);
      EVP_CIPHER_meth_free(ecb);
    }
#pragma GCC diagnostic pop
#endif
    return c;
  }();
  return ciphers;
}

std::atomic<internal::AesPath> new_thread_path{internal::AesPath::kLegacy};

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
inline void XorBytes(uint8_t* to, const uint8_t* a, const uint8_t* b, size_t n) {
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

// AES-128 contexts keyed for one AES-SIV key (K1 || K2), made on first use; null when OpenSSL
// lacks the cipher (calls then fail with kLibrary).
//
// `cbc` is AES-128-CBC under K1, CMAC's block cipher: EVP_Cipher() hands blocks straight to the
// provider's cipher function, where EVP_MAC_update/final and EVP_CipherUpdate pass through layers
// of checks and buffering, and it chains as CMAC does (each block xored with the cipher's last
// output before it is encrypted). The chaining value is never reset between MACs: `chain` tracks
// it (the last block the context output), and a MAC's first block is xored with it to cancel it,
// so a context keyed once serves every MAC under its key. `ecb` is AES-128-ECB under K2, which
// makes CTR's key stream from counter blocks written here.
//
// Both are keyed without an IV: EVP_CipherInit_ex2 with an IV asks the provider its IV length
// (OSSL_PARAM look-ups, about 500 instructions in OpenSSL 3.0) every time. Without one, OpenSSL 3
// restarts a CBC context at the IV it was last given (as 1.1.1 did), here zero: `chain` is zero
// after keying. CmacSelfTest checks that when a thread makes its contexts.
struct SivKeyState {
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> cbc;
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> ecb;
  Block chain{};  // cbc's chaining value
  Block k1{};     // CMAC's subkeys (RFC 4493 §2.3) for the key cbc holds
  Block k2{};
  Block d0{};  // CMAC of the zero block: S2V's first MAC, the same for every S2V under the key
  std::array<uint8_t, kAesSivKeySize> key{};  // what cbc (and ecb, once ecb_keyed) hold, when `keyed`
  bool keyed = false;
  bool ecb_keyed = false;  // keyed when CTR first needs it: a client's request has no ciphertext
  uint64_t used = 0;       // when it was last used, for the least recently used to be keyed anew

  SivKeyState() = default;
  // Makes the contexts on `ciphers` (anew: whatever they held is gone).
  void Make(const Ciphers& ciphers) {
    const Block zero{};
    keyed = ecb_keyed = false;
    cbc.reset();
    ecb.reset();
    if (ciphers.cbc != nullptr) {
      cbc.reset(EVP_CIPHER_CTX_new());
      if (cbc && EVP_CipherInit_ex2(cbc.get(), ciphers.cbc, nullptr, zero.data(), 1, nullptr) != 1) cbc.reset();
    }
    if (ciphers.ecb != nullptr) {
      ecb.reset(EVP_CIPHER_CTX_new());
      if (ecb && EVP_CipherInit_ex2(ecb.get(), ciphers.ecb, nullptr, nullptr, 1, nullptr) != 1) ecb.reset();
    }
  }
  ~SivKeyState() {
    for (Block* b : {&chain, &k1, &k2, &d0}) OPENSSL_cleanse(b->data(), b->size());
    OPENSSL_cleanse(key.data(), key.size());
  }
  SivKeyState(const SivKeyState&) = delete;
  SivKeyState& operator=(const SivKeyState&) = delete;

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
  // The same, in place, in one call.
  bool EncryptInPlace(uint8_t* data, size_t count) {
    if (EVP_Cipher(cbc.get(), data, data, static_cast<unsigned>(count * kBlockSize)) <= 0) return false;
    std::memcpy(chain.data(), data + (count - 1) * kBlockSize, kBlockSize);
    return true;
  }

  // Keys cbc with `k` (16 octets) for CMAC: L = AES(k, 0), K1 = dbl(L), K2 = dbl(K1). Leaves
  // `keyed` false: the state is for no SIV key until Key.
  bool CmacKey(const uint8_t* k) {
    keyed = false;
    ecb_keyed = false;
    const Block zero{};
    if (cbc == nullptr || EVP_CipherInit_ex2(cbc.get(), nullptr, k, nullptr, 1, nullptr) != 1) return false;
    chain = zero;  // restarted at the zero IV it was made with
    if (!Encrypt(zero.data(), 1)) return false;
    k1 = Double(chain);  // chain = L
    k2 = Double(k1);
    return true;
  }

  // Keys cbc for the SIV key `siv_key` (32 octets), and remembers it for ecb (CtrKeyed).
  bool Key(Bytes siv_key);

  // Keys ecb with K2 unless it holds it already.
  bool CtrKeyed() {
    if (!ecb_keyed) {
      ecb_keyed = ecb != nullptr &&
                  EVP_CipherInit_ex2(ecb.get(), nullptr, key.data() + kAesSivKeySize / 2, nullptr, 1, nullptr) == 1;
    }
    return ecb_keyed;
  }
};

// One AES-CMAC (RFC 4493 §2.4) of a message given in parts, under the key `s.cbc` holds, for
// messages longer than CmacOf gathers. The last block, whole or not, stays in `pending` until
// Finish, which xors it with K1 (whole) or pads it and xors it with K2; every block before it
// goes through cbc as it completes, runs of whole blocks straight from the input.
class CmacRun {
 public:
  explicit CmacRun(SivKeyState& s) : s_(s), pending_(s.chain) {}
  ~CmacRun() { OPENSSL_cleanse(pending_.data(), pending_.size()); }
  CmacRun(const CmacRun&) = delete;
  CmacRun& operator=(const CmacRun&) = delete;

  bool Update(Bytes data) {
    size_t i = 0;
    while (i < data.size()) {
      if (filled_ == kBlockSize) {  // more follows, so the pending block is not the last
        if (!s_.Encrypt(pending_.data(), 1)) return false;
        pending_ = {};
        filled_ = 0;
        // The chain is this MAC's own from here: whole blocks go in as they are, all but the
        // last octet's block.
        const size_t whole = (data.size() - i - 1) / kBlockSize;
        if (whole > 0 && !s_.Encrypt(data.data() + i, whole)) return false;
        i += whole * kBlockSize;
      }
      const size_t take = std::min(kBlockSize - filled_, data.size() - i);
      // Octet by octet (at most a block, on the streaming path only): GCC 12 at -O3 cannot see
      // that XorBytes's words stay inside pending_ here and fails the build with
      // -Wstringop-overflow.
      for (size_t k = 0; k < take; ++k) pending_[filled_ + k] ^= data[i + k];
      filled_ += take;
      i += take;
    }
    return true;
  }

  bool Finish(Block& out) {
    if (filled_ == kBlockSize) {
      XorInto(pending_, s_.k1.data());
    } else {
      pending_[filled_] ^= 0x80;
      XorInto(pending_, s_.k2.data());
    }
    if (!s_.Encrypt(pending_.data(), 1)) return false;
    out = s_.chain;
    return true;
  }

 private:
  SivKeyState& s_;
  // The block being gathered, data xored in. The first starts as cbc's chaining value, which
  // cancels it: the MAC's CBC starts from zero.
  Block pending_;
  size_t filled_ = 0;
};

// AES-128-CMAC of `parts` concatenated under the key `s.cbc` holds. Up to kGather octets (every
// NTS field and packet) are gathered into one buffer, the first block xored with the chain, the
// last with K1 or padded and xored with K2, and go through cbc in one call: each call costs
// about as much as the AES of several blocks. Longer messages are streamed (CmacRun).
bool CmacOf(SivKeyState& s, std::initializer_list<Bytes> parts, Block& out) {
  constexpr size_t kGather = 1024;
  size_t total = 0;
  for (Bytes p : parts) total += p.size();
  if (total > kGather) {
    CmacRun run(s);
    for (Bytes p : parts) {
      if (!run.Update(p)) return false;
    }
    return run.Finish(out);
  }
  std::array<uint8_t, kGather> buffer;
  size_t at = 0;
  for (Bytes p : parts) {
    if (!p.empty()) std::memcpy(buffer.data() + at, p.data(), p.size());
    at += p.size();
  }
  const size_t blocks = total == 0 ? 1 : (total + kBlockSize - 1) / kBlockSize;
  uint8_t* last = buffer.data() + (blocks - 1) * kBlockSize;
  const size_t in_last = total - (blocks - 1) * kBlockSize;
  if (in_last == kBlockSize) {
    XorBytes(last, last, s.k1.data(), kBlockSize);
  } else {
    std::memset(last + in_last, 0, kBlockSize - in_last);
    last[in_last] = 0x80;
    XorBytes(last, last, s.k2.data(), kBlockSize);
  }
  XorBytes(buffer.data(), buffer.data(), s.chain.data(), kBlockSize);
  if (!s.EncryptInPlace(buffer.data(), blocks)) {
    OPENSSL_cleanse(buffer.data(), blocks * kBlockSize);
    return false;
  }
  out = s.chain;
  return true;
}

bool SivKeyState::Key(Bytes siv_key) {
  if (!CmacKey(siv_key.data())) return false;
  const Block zero{};
  if (!CmacOf(*this, {zero}, d0)) return false;
  std::memcpy(key.data(), siv_key.data(), kAesSivKeySize);
  keyed = true;
  return true;
}

// RFC 4493 §4's key with its examples 2 (one block) and 1 (empty), each after keying, the second
// when the chain is no longer zero, and example 4 (four blocks) streamed: checks that keying
// restarts the CBC context at the zero IV, which the CMAC here counts on (SivKeyState).
bool CmacSelfTest(SivKeyState& s) {
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
    if (!s.CmacKey(kKey) || !CmacOf(s, {round == 0 ? Bytes(kMessage) : Bytes()}, mac) ||
        CRYPTO_memcmp(mac.data(), kMacs[round], kBlockSize) != 0) {
      return false;
    }
  }
  return true;
}

// Whether two SIV keys are equal, in constant time (CRYPTO_memcmp's byte loop costs 5 times as
// much).
bool SameKey(const uint8_t* a, const uint8_t* b) {
  uint64_t diff = 0;
  for (size_t i = 0; i < kAesSivKeySize; i += 8) diff |= Load64(a + i) ^ Load64(b + i);
  return diff == 0;
}

// This thread's keyed states: the last three SIV keys used. An NTS server's request takes four
// operations, two under its cookie key (open the cookie, seal the new one) and one each under the
// client's C2S and S2C, so the cookie key stays keyed and its operations skip keying (539
// instructions a context on the legacy path, 913 through OpenSSL 3.0's provider, most of it
// EVP_CIPHER_CTX_get_key_length's OSSL_PARAM look-up) and d0. Not more: a server's clients come
// back minutes apart, after thousands of other clients' keys, so a larger cache would only help
// a benchmark with few clients (docs/performance.md, branch nts2). Keys are compared in constant
// time (SameKey); which state held it shows in the time.
class ThreadStates {
 public:
  // On the legacy ciphers when they exist, this thread may use them and they pass the self test,
  // else on the provider's; when neither passes, every operation fails with kLibrary.
  ThreadStates() {
    if (new_thread_path.load(std::memory_order_relaxed) == internal::AesPath::kLegacy &&
        LegacyCiphers().cbc != nullptr && MakeAll(LegacyCiphers())) {
      path_ = internal::AesPath::kLegacy;
      return;
    }
    if (!MakeAll(ProviderCiphers())) {
      for (SivKeyState& s : states_) s.cbc.reset();
    }
  }

  internal::AesPath path() const { return path_; }

  // The state keyed for `key` (32 octets): one that holds it already, or the least recently used
  // keyed anew. Null when keying fails.
  SivKeyState* For(Bytes key) {
    SivKeyState* oldest = &states_[0];
    for (SivKeyState& s : states_) {
      if (s.keyed && SameKey(s.key.data(), key.data())) {
        s.used = ++clock_;
        return &s;
      }
      if (s.used < oldest->used) oldest = &s;
    }
    oldest->used = ++clock_;
    return oldest->Key(key) ? oldest : nullptr;
  }

  // The least recently used state, for CMAC alone under a key of its own (tests).
  SivKeyState& Scratch() {
    SivKeyState* oldest = &states_[0];
    for (SivKeyState& s : states_) {
      if (s.used < oldest->used) oldest = &s;
    }
    oldest->used = ++clock_;
    return *oldest;
  }

 private:
  bool MakeAll(const Ciphers& ciphers) {
    for (SivKeyState& s : states_) s.Make(ciphers);
    return CmacSelfTest(states_[0]);
  }

  std::array<SivKeyState, 3> states_;
  uint64_t clock_ = 0;
  internal::AesPath path_ = internal::AesPath::kProvider;
};
ThreadStates& States() {
  thread_local ThreadStates states;
  return states;
}

// in xor AES-128-CTR(K2, Q) into out, Q being the synthetic IV with the 31st and 63rd bits from
// the right cleared (RFC 5297 §2.6), so that the counter's low 32 bits, which start below 2^31,
// never carry for fewer than 2^31 blocks: the counter blocks are Q with those bits counted up,
// encrypted under `s.ecb` a run at a time.
bool Ctr(SivKeyState& s, const Block& v, Bytes in, uint8_t* out) {
  constexpr size_t kChunk = 16;
  if (in.size() / kBlockSize >= (size_t{1} << 31) || !s.CtrKeyed()) return false;
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
    if (EVP_Cipher(s.ecb.get(), blocks.data(), blocks.data(), static_cast<unsigned>(n * kBlockSize)) <= 0) {
      return false;
    }
    const size_t bytes = std::min(n * kBlockSize, in.size() - done);
    XorBytes(out + done, in.data() + done, blocks.data(), bytes);
    OPENSSL_cleanse(blocks.data(), n * kBlockSize);  // the key stream: the plaintext, given the ciphertext
    done += bytes;
  }
  return true;
}

// S2V (RFC 5297 §2.4) under the key `s` holds.
bool S2vWith(SivKeyState& s, std::initializer_list<Bytes> associated_data, Bytes plaintext, Block& v) {
  Block d = s.d0;
  for (Bytes ad : associated_data) {
    Block m{};
    if (!CmacOf(s, {ad}, m)) return false;
    d = Double(d);
    XorInto(d, m.data());
  }
  bool ok = false;
  if (plaintext.size() >= d.size()) {
    // T = Sn xorend D: D xored into the last 16 octets.
    const size_t head = plaintext.size() - d.size();
    Block tail{};
    XorBytes(tail.data(), plaintext.data() + head, d.data(), kBlockSize);
    ok = CmacOf(s, {plaintext.first(head), tail}, v);
    OPENSSL_cleanse(tail.data(), tail.size());
  } else {
    // T = dbl(D) xor pad(Sn), pad = Sn || 0x80 || 0...
    Block t = Double(d);
    XorBytes(t.data(), t.data(), plaintext.data(), plaintext.size());
    t[plaintext.size()] ^= 0x80;
    ok = CmacOf(s, {t}, v);
    OPENSSL_cleanse(t.data(), t.size());
  }
  return ok;
}

}  // namespace

namespace internal {

AesPath ThisThreadsAesPath() { return States().path(); }

void SetAesPathForNewThreads(AesPath path) { new_thread_path.store(path, std::memory_order_relaxed); }

Result<Block, AeadError> AesCmac(Bytes key, Bytes message) {
  if (key.size() != kBlockSize) return Unexpected(AeadError::kBadKeySize);
  SivKeyState& s = States().Scratch();
  Block out{};
  if (!s.CmacKey(key.data()) || !CmacOf(s, {message}, out)) return Unexpected(AeadError::kLibrary);
  return out;
}

Result<Block, AeadError> S2v(Bytes key, std::initializer_list<Bytes> associated_data, Bytes plaintext) {
  if (key.size() != kAesSivKeySize) return Unexpected(AeadError::kBadKeySize);
  SivKeyState* s = States().For(key);
  Block v{};
  if (s == nullptr || !S2vWith(*s, associated_data, plaintext, v)) return Unexpected(AeadError::kLibrary);
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
  if (key.size() != kAesSivKeySize) return Unexpected(AeadError::kBadKeySize);
  SivKeyState* s = States().For(key);
  Block v{};
  if (s == nullptr || !S2vWith(*s, associated_data, plaintext, v) ||
      (!plaintext.empty() && !Ctr(*s, v, plaintext, out.data() + kAesSivTagSize))) {
    return Unexpected(AeadError::kLibrary);
  }
  std::memcpy(out.data(), v.data(), kAesSivTagSize);
  return kAesSivTagSize + plaintext.size();
}

Result<size_t, AeadError> AesSivOpen(Bytes key, std::initializer_list<Bytes> associated_data, Bytes sealed,
                                     std::span<uint8_t> out) {
  if (sealed.size() < kAesSivTagSize) return Unexpected(AeadError::kTooShort);
  const size_t size = sealed.size() - kAesSivTagSize;
  if (out.size() < size) return Unexpected(AeadError::kBufferTooSmall);
  if (key.size() != kAesSivKeySize) return Unexpected(AeadError::kBadKeySize);
  SivKeyState* s = States().For(key);
  if (s == nullptr) return Unexpected(AeadError::kLibrary);
  Block tag;
  std::memcpy(tag.data(), sealed.data(), kAesSivTagSize);
  if (size > 0 && !Ctr(*s, tag, sealed.subspan(kAesSivTagSize), out.data())) {
    std::memset(out.data(), 0, size);
    return Unexpected(AeadError::kLibrary);
  }
  Block v{};
  const bool computed = S2vWith(*s, associated_data, Bytes(out.data(), size), v);
  // Constant time: the comparison does not tell how many leading octets matched.
  if (!computed || CRYPTO_memcmp(v.data(), tag.data(), kAesSivTagSize) != 0) {
    std::memset(out.data(), 0, size);  // no unauthenticated plaintext left behind
    return Unexpected(computed ? AeadError::kAuthentication : AeadError::kLibrary);
  }
  return size;
}

}  // namespace tempus::crypto

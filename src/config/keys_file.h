// The symmetric keys file named by `keys` (ntpd and NTPsec ntp.keys(5)): one key per line,
//
//   keyid type key [opt_IP_list] [# comment]
//
// keyid 1..65535; type a digest or CMAC name (MD5, SHA1, SHA256, AES128CMAC, ..., case-insensitive,
// with NTPsec's aliases SHA-1, AES, AES-128); key either 1..20 printable ASCII characters without
// '#' (used as written) or, when longer than 20 characters, an even number of hex digits (up to 64,
// so up to 32 bytes); opt_IP_list (ntpd 4.2.8p7) a comma-separated list of addresses with an
// optional /bits allowed to use the key. `#` starts a comment; blank lines are skipped.
//
// ParseKeysFile is pure and reports every problem in one pass as a Diagnostic with
// file:line:column ("expected 22..64 hex digits, got 41 characters"). A diagnostic never quotes
// a key: secrets are not logged. Hostile content (NUL bytes, control characters, huge lines,
// millions of lines) gives errors, never a crash; the error list is capped. ReadKeysFile reads
// through a FileSystem (RealFileSystem refuses FIFOs and devices without blocking).
// Value types; functions are thread-safe.
#ifndef TEMPUS_CONFIG_KEYS_FILE_H_
#define TEMPUS_CONFIG_KEYS_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/config_types.h"
#include "config/diagnostic.h"
#include "config/file_system.h"
#include "core/net/net_address.h"

namespace tempus::config {

// A key's algorithm (RFC 5905 §7.3 MD5 and SHA-1 MACs; RFC 8573 AES-CMAC).
enum class KeyType : uint8_t { kMd5, kSha1, kSha224, kSha256, kSha384, kSha512, kRipemd160, kAes128Cmac };
// The canonical name ("MD5", "AES128CMAC").
std::string_view KeyTypeName(KeyType type);

// An address (and prefix length) allowed to use a key.
struct KeyAddress {
  core::NetAddress address;
  int prefix_len = 32;  // 32 or 128 when written without /bits
};

// Key material: bytes that are zeroed when they are destroyed or replaced, and that have no
// printing operator. Value type; thread-compatible.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes&) = default;
  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes() { Wipe(); }

  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  uint8_t operator[](size_t i) const { return bytes_[i]; }
  std::vector<uint8_t>::const_iterator begin() const { return bytes_.begin(); }
  std::vector<uint8_t>::const_iterator end() const { return bytes_.end(); }
  friend bool operator==(const SecretBytes& a, const SecretBytes& b) { return a.bytes_ == b.bytes_; }
  friend bool operator==(const SecretBytes& a, const std::vector<uint8_t>& b) { return a.bytes_ == b; }

 private:
  void Wipe();
  std::vector<uint8_t> bytes_;
};

// One key. The secret is never printed by this library.
struct SymmetricKey {
  uint16_t id = 0;
  KeyType type = KeyType::kMd5;
  SecretBytes secret;               // 1..32 bytes
  std::vector<KeyAddress> allowed;  // empty: any source
  Location where;
};

// The keys of one file, in file order (ids unique).
struct KeysFile {
  std::vector<SymmetricKey> keys;
  std::vector<Diagnostic> warnings;

  // The key with `id`, or null.
  const SymmetricKey* Find(uint32_t id) const;
};

// Lines longer than this are refused (and not scanned further).
inline constexpr size_t kMaxKeysLineBytes = 1024;
// After this many errors the parser stops and says so.
inline constexpr size_t kMaxKeysErrors = 50;

// Parses the content of a keys file. `path` names it in diagnostics.
[[nodiscard]] Result<KeysFile, std::vector<Diagnostic>> ParseKeysFile(std::string_view content,
                                                                      const std::string& path);

// Reads and parses the keys file at `path`.
[[nodiscard]] Result<KeysFile, std::vector<Diagnostic>> ReadKeysFile(FileSystem& fs, const std::string& path);

// Warnings for the ids of `trustedkey` and `controlkey` that `keys` does not hold (ntpd warns
// and goes on). `keys_where` names the keys file in them.
std::vector<Diagnostic> CheckKeyReferences(const KeysConfig& config, const KeysFile& keys,
                                           const std::string& keys_path);

// The keys file `config` names, read through `fs`, with CheckKeyReferences' warnings. Without a
// `keys` line: no keys (a warning when trustedkey names some). A keys file that does not exist is
// a warning when nothing needs a key, as ntpd logs it and runs (the stock CentOS 7 ntp.conf names
// /etc/ntp/keys, which only the ntp package creates); it is an error, naming what needs it, when a
// server, pool or peer line has `key N` or `trustedkey` names a key: running without the key would
// quietly drop authentication. controlkey and requestkey need nothing (tempus has no mode 6 writes
// and no mode 7). Any other failure to read the file, and errors in it, are errors.
[[nodiscard]] Result<KeysFile, std::vector<Diagnostic>> ReadConfiguredKeys(const Config& config, FileSystem& fs);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_KEYS_FILE_H_

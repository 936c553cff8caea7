// The NTS cookie key file: the server keys that seal and open NTS cookies (RFC 8915 §6), kept
// across restarts and shared by every node of a cluster, so that a cookie issued by any node (or
// before a restart) is accepted by all.
//
//   # comments and blank lines are skipped
//   ID CREATED KEY       one key per line: the first is current (seals new cookies), an optional
//                        second is the previous one (still opens cookies)
//
// ID is 8 hex digits (the key id carried in each cookie), CREATED the key's creation time in Unix
// seconds, KEY 64 hex digits (an AEAD_AES_SIV_CMAC_256 key). Errors name the file and line and
// never quote a key. WriteCookieKeyFile replaces the file atomically with mode 0600.
// LoadOrRotateCookieKeys is the daemon's start: create the file if it is missing, rotate when the
// current key is older than the rotation period. Value types; functions are thread-compatible.
#ifndef TEMPUS_CONFIG_COOKIE_KEY_FILE_H_
#define TEMPUS_CONFIG_COOKIE_KEY_FILE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tempus::config {

struct CookieKey {
  uint32_t id = 0;
  int64_t created_unix_s = 0;
  std::array<uint8_t, 32> key{};
};

struct CookieKeys {
  CookieKey current;
  std::optional<CookieKey> previous;
};

// Parses the text of a key file; `path` only names it in errors ("PATH:LINE: expected ...").
[[nodiscard]] Result<CookieKeys, std::string> ParseCookieKeyFile(std::string_view text, const std::string& path);
// The text WriteCookieKeyFile writes (ParseCookieKeyFile reads it back).
std::string FormatCookieKeyFile(const CookieKeys& keys);

[[nodiscard]] Result<CookieKeys, std::string> ReadCookieKeyFile(const std::string& path);
[[nodiscard]] Result<void, std::string> WriteCookieKeyFile(const std::string& path, const CookieKeys& keys);

// A new key made from `fill_random` (the kernel CSPRNG in the daemon): id and key bytes.
using FillRandom = std::function<void(std::span<uint8_t>)>;
CookieKey NewCookieKey(int64_t now_unix_s, const FillRandom& fill_random);

// Reads `path`; when it is missing, writes a new current key; when the current key is at least
// `rotate_after_s` old, makes a new current key, keeps the old one as previous (the one before
// is dropped) and writes the file. A file that exists but is unreadable or malformed is an
// error, never replaced: other nodes may depend on its keys.
[[nodiscard]] Result<CookieKeys, std::string> LoadOrRotateCookieKeys(const std::string& path, int64_t now_unix_s,
                                                                     int64_t rotate_after_s,
                                                                     const FillRandom& fill_random);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_COOKIE_KEY_FILE_H_

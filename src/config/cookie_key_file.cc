#include "config/cookie_key_file.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "base/shown.h"
#include "config/atomic_file.h"
#include "config/file_system.h"
#include "config/internal/hex.h"

namespace tempus::config {
namespace {

constexpr size_t kIdDigits = 8;
constexpr size_t kKeyDigits = 64;

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// Decodes exactly out.size() * 2 hex digits.
bool FromHex(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = internal::HexValue(hex[2 * i]), lo = internal::HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

// One "ID CREATED KEY" line; the error says what was expected, never the key's text.
Result<CookieKey, std::string> ParseLine(std::string_view line) {
  const auto words = Words(line);
  if (words.size() != 3) {
    return Unexpected(fmt::format("expected 'ID CREATED KEY' (3 words), got {} words", words.size()));
  }
  CookieKey k;
  std::array<uint8_t, 4> id{};
  if (!FromHex(words[0], id)) {
    return Unexpected(fmt::format("expected a key id of {} hex digits, got '{}'", kIdDigits, Shown(words[0])));
  }
  k.id = (uint32_t{id[0]} << 24) | (uint32_t{id[1]} << 16) | (uint32_t{id[2]} << 8) | id[3];
  const auto [end, ec] = std::from_chars(words[1].data(), words[1].data() + words[1].size(), k.created_unix_s);
  if (ec != std::errc() || end != words[1].data() + words[1].size() || k.created_unix_s < 0) {
    return Unexpected(fmt::format("expected the creation time in Unix seconds, got '{}'", Shown(words[1])));
  }
  if (!FromHex(words[2], k.key)) {
    return Unexpected(fmt::format("expected a key of {} hex digits, got {} characters", kKeyDigits, words[2].size()));
  }
  return k;
}

}  // namespace

Result<CookieKeys, std::string> ParseCookieKeyFile(std::string_view text, const std::string& path) {
  std::vector<CookieKey> keys;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (Words(line).empty()) continue;
    if (keys.size() == 2) {
      return Unexpected(fmt::format("{}:{}: expected at most 2 keys (current, previous), got a third", path, line_no));
    }
    auto k = ParseLine(line);
    if (!k) return Unexpected(fmt::format("{}:{}: {}", path, line_no, k.error()));
    if (!keys.empty() && keys[0].id == k->id) {
      return Unexpected(fmt::format("{}:{}: key id {:08x} appears twice", path, line_no, k->id));
    }
    keys.push_back(*k);
  }
  if (keys.empty()) return Unexpected(fmt::format("{}: expected a key (ID CREATED KEY), got none", path));
  CookieKeys out{keys[0], std::nullopt};
  if (keys.size() == 2) out.previous = keys[1];
  return out;
}

std::string FormatCookieKeyFile(const CookieKeys& keys) {
  std::string text =
      "# tempus NTS cookie keys (RFC 8915 §6), written by tempusd: keep private, share only with the\n"
      "# nodes of this cluster. ID CREATED(Unix s) KEY; the first seals cookies, the second still opens them.\n";
  const auto line = [&](const CookieKey& k) {
    text += fmt::format("{:08x} {} ", k.id, k.created_unix_s);
    for (uint8_t b : k.key) text += fmt::format("{:02x}", b);
    text += '\n';
  };
  line(keys.current);
  if (keys.previous) line(*keys.previous);
  return text;
}

Result<CookieKeys, std::string> ReadCookieKeyFile(const std::string& path) {
  RealFileSystem fs;
  auto text = fs.ReadFile(path);
  if (!text) return Unexpected(fmt::format("{}: {}", path, text.error()));
  return ParseCookieKeyFile(*text, path);
}

Result<void, std::string> WriteCookieKeyFile(const std::string& path, const CookieKeys& keys) {
  if (auto r = WriteFileAtomically(path, FormatCookieKeyFile(keys), 0600); !r) {
    return Unexpected(fmt::format("{}: cannot write the NTS cookie keys: {}", path, r.error().ToString()));
  }
  return {};
}

CookieKey NewCookieKey(int64_t now_unix_s, const FillRandom& fill_random) {
  CookieKey k;
  std::array<uint8_t, 4> id{};
  fill_random(id);
  k.id = (uint32_t{id[0]} << 24) | (uint32_t{id[1]} << 16) | (uint32_t{id[2]} << 8) | id[3];
  k.created_unix_s = now_unix_s;
  fill_random(k.key);
  return k;
}

Result<CookieKeys, std::string> LoadOrRotateCookieKeys(const std::string& path, int64_t now_unix_s,
                                                       int64_t rotate_after_s, const FillRandom& fill_random) {
  RealFileSystem fs;
  CookieKeys keys;
  if (fs.IsMissing(path)) {
    keys.current = NewCookieKey(now_unix_s, fill_random);
  } else {
    auto read = ReadCookieKeyFile(path);
    if (!read) return read;
    keys = *read;
    if (now_unix_s - keys.current.created_unix_s < rotate_after_s) return keys;
    keys.previous = keys.current;
    keys.current = NewCookieKey(now_unix_s, fill_random);
    // A random id equal to the previous one would make its cookies ambiguous: draw again.
    while (keys.current.id == keys.previous->id) keys.current = NewCookieKey(now_unix_s, fill_random);
  }
  if (auto w = WriteCookieKeyFile(path, keys); !w) return Unexpected(w.error());
  return keys;
}

}  // namespace tempus::config

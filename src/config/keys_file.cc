// The keys file parser: lines -> fields -> SymmetricKey, every problem a Diagnostic.
#include "config/keys_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <map>

#include "base/shown.h"
#include "config/internal/cursor.h"
#include "config/internal/hex.h"

namespace tempus::config {
namespace {

struct TypeName {
  std::string_view name;  // upper case
  KeyType type;
};

// ntpd 4.2.8 and NTPsec names, with NTPsec's aliases.
constexpr std::array<TypeName, 16> kTypeNames = {{
    {"M", KeyType::kMd5},  // ntpd 4.2.x: the old one-letter type of MD5
    {"MD5", KeyType::kMd5},
    {"SHA1", KeyType::kSha1},
    {"SHA-1", KeyType::kSha1},
    {"SHA", KeyType::kSha1},
    {"SHA224", KeyType::kSha224},
    {"SHA256", KeyType::kSha256},
    {"SHA-256", KeyType::kSha256},
    {"SHA384", KeyType::kSha384},
    {"SHA512", KeyType::kSha512},
    {"RIPEMD160", KeyType::kRipemd160},
    {"AES128CMAC", KeyType::kAes128Cmac},
    {"AES-128-CMAC", KeyType::kAes128Cmac},
    {"AES", KeyType::kAes128Cmac},
    {"AES-128", KeyType::kAes128Cmac},
    {"AES128", KeyType::kAes128Cmac},
}};

constexpr size_t kMaxAsciiKey = 20;   // ntp.keys(5): longer keys are hex
constexpr size_t kMaxHexDigits = 64;  // 32 bytes

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

using internal::HexValue;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// A word of a line and where it starts.
struct Field {
  std::string_view text;
  int column = 1;  // 1-based, in characters (UTF-8 continuation bytes do not count)
};

class Parser {
 public:
  explicit Parser(const std::string& path) : path_(path) {}

  void Line(std::string_view line, int number) {
    if (line.size() > kMaxKeysLineBytes) {
      Error(number, 1,
            fmt::format("expected a line of at most {} bytes, got {} bytes", kMaxKeysLineBytes, line.size()));
      return;
    }
    // Every byte is checked before the line is split: control characters (NUL included) and
    // bytes outside ASCII are refused wherever they are, so no field carries them.
    int column = 1;
    for (char c : line) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '#') break;  // a comment may say anything printable or not
      if ((u < 0x20 && !IsBlank(c)) || u == 0x7f || u >= 0x80) {
        Error(number, column, fmt::format("expected printable ASCII, got byte 0x{:02x}", u));
        return;
      }
      ++column;
    }
    std::vector<Field> fields;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && IsBlank(line[i])) ++i;
      if (i >= line.size() || line[i] == '#') break;
      const size_t start = i;
      while (i < line.size() && !IsBlank(line[i]) && line[i] != '#') ++i;
      fields.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
    }
    if (fields.empty()) return;
    Key(fields, number);
  }

  bool full() const { return errors_.size() >= kMaxKeysErrors; }
  std::vector<Diagnostic>& errors() { return errors_; }
  KeysFile& file() { return file_; }

 private:
  void Error(int line, int column, std::string message) {
    errors_.push_back({Diagnostic::Severity::kError, {path_, line, column}, std::move(message)});
  }

  void Key(const std::vector<Field>& f, int number) {
    const int after_last = f.back().column + static_cast<int>(f.back().text.size());
    SymmetricKey key;
    key.where = {path_, number, f[0].column};
    // keyid
    uint32_t id = 0;
    const auto [end, ec] = std::from_chars(f[0].text.data(), f[0].text.data() + f[0].text.size(), id);
    if (ec != std::errc() || end != f[0].text.data() + f[0].text.size() || id < 1 || id > 65535) {
      Error(number, f[0].column, fmt::format("expected a key id 1..65535, got '{}'", Shown(f[0].text)));
      return;
    }
    key.id = static_cast<uint16_t>(id);
    // type
    if (f.size() < 2) {
      Error(number, after_last,
            "expected a key type (MD5, SHA1, SHA256, AES128CMAC, ...) "
            "after the key id, got the end of the line");
      return;
    }
    const std::string type = Upper(f[1].text);
    const auto t =
        std::find_if(kTypeNames.begin(), kTypeNames.end(), [&](const TypeName& n) { return n.name == type; });
    if (t == kTypeNames.end()) {
      Error(number, f[1].column,
            fmt::format("expected a key type (MD5, SHA1, SHA256, AES128CMAC, ...), got '{}'", Shown(f[1].text)));
      return;
    }
    key.type = t->type;
    // key
    if (f.size() < 3) {
      Error(number, after_last, "expected a key after the key type, got the end of the line");
      return;
    }
    std::vector<uint8_t> secret;
    secret.reserve(f[2].text.size());  // one buffer: no copy of the key is freed unwiped
    const bool ok = Secret(f[2], number, &secret);
    key.secret = SecretBytes(std::move(secret));
    if (!ok) return;
    // opt_IP_list
    if (f.size() >= 4 && !Addresses(f[3], number, &key.allowed)) return;
    if (f.size() > 4) {
      Error(number, f[4].column, fmt::format("expected the end of the line or '#', got '{}'", Shown(f[4].text)));
      return;
    }
    if (const auto it = first_line_.find(key.id); it != first_line_.end()) {
      Error(number, f[0].column,
            fmt::format("expected a new key id, got {} (already defined on line {})", key.id, it->second));
      return;
    }
    first_line_[key.id] = number;
    file_.keys.push_back(std::move(key));
  }

  // The key itself. Messages give its length and where it goes wrong, never its characters.
  bool Secret(const Field& f, int number, std::vector<uint8_t>* out) {
    const std::string_view k = f.text;
    if (k.size() <= kMaxAsciiKey) {
      out->assign(k.begin(), k.end());  // printable ASCII without '#' (the line was checked)
      return true;
    }
    if (k.size() > kMaxHexDigits || k.size() % 2 != 0) {
      Error(number, f.column,
            fmt::format("expected a key of 1..{} characters or an even number of {}..{} hex digits, got {} characters",
                        kMaxAsciiKey, kMaxAsciiKey + 2, kMaxHexDigits, k.size()));
      return false;
    }
    for (size_t i = 0; i < k.size(); i += 2) {
      const int hi = HexValue(k[i]), lo = HexValue(k[i + 1]);
      if (hi < 0 || lo < 0) {
        const size_t bad = hi < 0 ? i : i + 1;
        Error(number, f.column + static_cast<int>(bad),
              fmt::format("expected hex digits in a key longer than {} characters, got a non-hex character at "
                          "position {} of {}",
                          kMaxAsciiKey, bad + 1, k.size()));
        out->clear();
        return false;
      }
      out->push_back(static_cast<uint8_t>(hi * 16 + lo));
    }
    return true;
  }

  bool Addresses(const Field& f, int number, std::vector<KeyAddress>* out) {
    size_t at = 0;
    while (at <= f.text.size()) {
      size_t end = f.text.find(',', at);
      if (end == std::string_view::npos) end = f.text.size();
      const std::string_view item = f.text.substr(at, end - at);
      const int column = f.column + static_cast<int>(at);
      const size_t slash = item.find('/');
      const auto a = internal::ParseNumericAddress(item.substr(0, slash));
      KeyAddress k;
      bool ok = a.has_value();
      if (ok) {
        k.address = *a;
        k.prefix_len = a->is_v4() ? 32 : 128;
        if (slash != std::string_view::npos) {
          const std::string_view bits = item.substr(slash + 1);
          int n = -1;
          const auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
          ok = ec == std::errc() && p == bits.data() + bits.size() && n >= 0 && n <= k.prefix_len;
          k.prefix_len = n;
        }
      }
      if (!ok) {
        Error(number, column,
              fmt::format("expected a numeric address with an optional /bits in the key's address list, got '{}'",
                          Shown(item)));
        return false;
      }
      out->push_back(k);
      at = end + 1;
    }
    return true;
  }

  std::string path_;
  KeysFile file_;
  std::vector<Diagnostic> errors_;
  std::map<uint16_t, int> first_line_;
};

}  // namespace

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void SecretBytes::Wipe() {
  if (!bytes_.empty()) ::explicit_bzero(bytes_.data(), bytes_.size());
  bytes_.clear();
}

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kMd5: return "MD5";
    case KeyType::kSha1: return "SHA1";
    case KeyType::kSha224: return "SHA224";
    case KeyType::kSha256: return "SHA256";
    case KeyType::kSha384: return "SHA384";
    case KeyType::kSha512: return "SHA512";
    case KeyType::kRipemd160: return "RIPEMD160";
    case KeyType::kAes128Cmac: return "AES128CMAC";
  }
  return "?";
}

const SymmetricKey* KeysFile::Find(uint32_t id) const {
  for (const SymmetricKey& k : keys) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

Result<KeysFile, std::vector<Diagnostic>> ParseKeysFile(std::string_view content, const std::string& path) {
  Parser p(path);
  int number = 0;
  size_t at = 0;
  while (at < content.size()) {
    size_t end = content.find('\n', at);
    if (end == std::string_view::npos) end = content.size();
    ++number;
    p.Line(content.substr(at, end - at), number);
    if (p.full()) {
      p.errors().push_back(MakeDiagnostic(Diagnostic::Severity::kError, {path, number, 0},
                                          fmt::format("too many errors ({}); stopped reading", kMaxKeysErrors)));
      break;
    }
    at = end + 1;
  }
  if (!p.errors().empty()) return Unexpected(std::move(p.errors()));
  KeysFile file = std::move(p.file());
  if (file.keys.empty()) {
    file.warnings.push_back(MakeDiagnostic(Diagnostic::Severity::kWarning, {path, 0, 0}, "no keys in the file"));
  }
  return file;
}

Result<KeysFile, std::vector<Diagnostic>> ReadKeysFile(FileSystem& fs, const std::string& path) {
  auto content = fs.ReadFile(path);
  if (!content) {
    return Unexpected(
        std::vector<Diagnostic>{MakeDiagnostic(Diagnostic::Severity::kError, {path, 0, 0},
                                               fmt::format("cannot read the keys file: {}", content.error()))});
  }
  auto keys = ParseKeysFile(*content, path);
  if (!content->empty()) ::explicit_bzero(content->data(), content->size());  // the text holds the keys too
  return keys;
}

std::vector<Diagnostic> CheckKeyReferences(const KeysConfig& config, const KeysFile& keys,
                                           const std::string& keys_path) {
  std::vector<Diagnostic> out;
  for (uint32_t id : config.trusted) {
    if (!keys.Find(id)) {
      out.push_back(
          MakeDiagnostic(Diagnostic::Severity::kWarning, {keys_path, 0, 0},
                         fmt::format("trustedkey {} is not in the keys file; it cannot authenticate anything", id)));
    }
  }
  if (config.control_key && !keys.Find(*config.control_key)) {
    out.push_back(MakeDiagnostic(Diagnostic::Severity::kWarning, {keys_path, 0, 0},
                                 fmt::format("controlkey {} is not in the keys file", *config.control_key)));
  }
  return out;
}

namespace {

// What in `config` needs a key from the keys file: "'key 4' (ntp.conf:12:1), 'trustedkey'".
std::string KeyUsers(const Config& config) {
  std::string out;
  for (const ServerConfig& s : config.servers) {
    if (!s.key) continue;
    out = fmt::format("'key {}' of {} ({}:{}:{})", *s.key, s.host, s.where.file, s.where.line, s.where.column);
    break;
  }
  if (!config.keys.trusted.empty()) out += fmt::format("{}'trustedkey'", out.empty() ? "" : " and ");
  return out;
}

}  // namespace

Result<KeysFile, std::vector<Diagnostic>> ReadConfiguredKeys(const Config& config, FileSystem& fs) {
  const KeysConfig& k = config.keys;
  if (!k.keys_path) {
    KeysFile none;
    if (!k.trusted.empty()) {
      none.warnings.push_back(
          MakeDiagnostic(Diagnostic::Severity::kWarning, {},
                         fmt::format("trustedkey without a keys file: {} key id(s) cannot authenticate anything",
                                     k.trusted.size())));
    }
    return none;
  }
  const std::string& path = *k.keys_path;
  if (fs.IsMissing(path)) {
    const std::string users = KeyUsers(config);
    if (!users.empty()) {
      return Unexpected(std::vector<Diagnostic>{MakeDiagnostic(
          Diagnostic::Severity::kError, k.keys_where,
          fmt::format("expected a keys file at '{}', got no such file; {} need(s) its keys", path, users))});
    }
    KeysFile none;
    none.warnings.push_back(
        MakeDiagnostic(Diagnostic::Severity::kWarning, k.keys_where,
                       fmt::format("keys '{}': no such file; no server line has 'key N' and there is no "
                                   "trustedkey, so tempusd runs without keys (as ntpd)",
                                   path)));
    return none;
  }
  auto keys = ReadKeysFile(fs, path);
  if (!keys) return keys;
  auto checks = CheckKeyReferences(k, *keys, path);
  keys->warnings.insert(keys->warnings.end(), checks.begin(), checks.end());
  return keys;
}

}  // namespace tempus::config

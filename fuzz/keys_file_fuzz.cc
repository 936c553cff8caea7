// The keys file parser on arbitrary bytes: never crashes; errors are bounded in number and name
// a line of the input; accepted keys have ids 1..65535 (unique) and 1..32 byte secrets, and
// writing them back out (hex when longer than 10 bytes, as written otherwise) reads back the same.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "config/keys_file.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tempus::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = ParseKeysFile(text, "fuzz.keys");
  const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  if (!r) {
    FUZZ_CHECK(!r.error().empty() && r.error().size() <= kMaxKeysErrors + 1);
    for (const Diagnostic& d : r.error()) {
      FUZZ_CHECK(d.is_error() && d.where.file == "fuzz.keys");
      FUZZ_CHECK(d.where.line >= 1 && d.where.line <= lines);
      FUZZ_CHECK(d.where.column >= 0 && static_cast<size_t>(d.where.column) <= kMaxKeysLineBytes + 1);
    }
    return 0;
  }
  std::set<uint16_t> ids;
  std::string out;
  for (const SymmetricKey& k : r->keys) {
    FUZZ_CHECK(k.id >= 1);
    FUZZ_CHECK(ids.insert(k.id).second);
    FUZZ_CHECK(!k.secret.empty() && k.secret.size() <= 32);
    FUZZ_CHECK(r->Find(k.id) == &k);
    std::string secret;
    if (k.secret.size() > 10) {
      for (uint8_t b : k.secret) secret += fmt::format("{:02x}", b);
    } else {
      secret.assign(k.secret.begin(), k.secret.end());
    }
    out += fmt::format("{} {} {}\n", k.id, KeyTypeName(k.type), secret);
  }
  auto again = ParseKeysFile(out, "again.keys");
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->keys.size() == r->keys.size());
  for (size_t i = 0; i < r->keys.size(); ++i) {
    FUZZ_CHECK(again->keys[i].id == r->keys[i].id && again->keys[i].type == r->keys[i].type);
    FUZZ_CHECK(again->keys[i].secret == r->keys[i].secret);
  }
  return 0;
}

// The leap-seconds.list parser on arbitrary bytes: never crashes; errors are bounded in number and
// name a line of the input; an accepted table is strictly ascending with every transition at a
// month's first second, the table's answers stay within it, and the table written back out with
// its hash reads back the same with the hash verified.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "config/leap_file.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tempus;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = config::ParseLeapFile(text, "fuzz.list");
  const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  if (!r) {
    FUZZ_CHECK(!r.error().empty() && r.error().size() <= config::kMaxLeapFileErrors);
    for (const config::Diagnostic& d : r.error()) {
      FUZZ_CHECK(d.is_error() && d.where.file == "fuzz.list");
      FUZZ_CHECK(d.where.line >= 0 && d.where.line <= lines);
      FUZZ_CHECK(d.where.column >= 0 && static_cast<size_t>(d.where.column) <= config::kMaxLeapLineBytes + 1);
    }
    return 0;
  }
  const core::LeapTable& t = r->table;
  FUZZ_CHECK(!t.entries.empty());
  std::string out = fmt::format("#$ {}\n#@ {}\n", t.updated, t.expires);
  for (size_t i = 0; i < t.entries.size(); ++i) {
    const core::LeapEntry& e = t.entries[i];
    FUZZ_CHECK(i == 0 || e.ntp_seconds > t.entries[i - 1].ntp_seconds);
    FUZZ_CHECK(core::NextMonthStart(e.ntp_seconds - 1) == e.ntp_seconds);
    const core::LeapStatus s = core::LeapStatusAt(t, e.ntp_seconds);
    FUZZ_CHECK(s.tai_utc == e.tai_utc);
    const core::LeapStatus before = core::LeapStatusAt(t, e.ntp_seconds - 1);
    FUZZ_CHECK(!before.announce || (before.leap_at && *before.leap_at == e.ntp_seconds));
    out += fmt::format("{} {}\n", e.ntp_seconds, e.tai_utc);
  }
  out += "#h " + config::LeapFileHash(out) + "\n";
  auto again = config::ParseLeapFile(out, "again.list");
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->hash_verified);
  FUZZ_CHECK(again->table.entries == t.entries);
  FUZZ_CHECK(again->table.expires == t.expires && again->table.updated == t.updated);
  return 0;
}

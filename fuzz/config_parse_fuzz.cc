// The ntp.conf reader: any text (NUL bytes, huge lines, include chains and loops through an
// in-memory file system) yields a Config or diagnostics that each carry a place; never a crash.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/file_system.h"
#include "config/parser.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tempus::config::MemoryFileSystem fs;
  // The input is also every file it may include: includes of itself and of each other loop.
  fs.Add("/etc/ntp.conf", text);
  fs.Add("/etc/a.conf", text);
  fs.Add("/etc/ntp.d/b.conf", text);
  auto r = tempus::config::ParseText(text, "/etc/ntp.conf", fs);
  if (!r) {
    FUZZ_CHECK(!r.error().empty());
    for (const auto& d : r.error()) FUZZ_CHECK(!d.ToString().empty());
  }
  auto plain = tempus::config::ParseText(text);
  (void)plain;
  return 0;
}

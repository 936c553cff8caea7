// The driftfile parser: any content gives a finite frequency within +-500 ppm (and, when stated,
// a finite error >= 0) or a typed error with a message.
#include <cmath>
#include <cstdint>
#include <string>

#include "config/driftfile.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string content(reinterpret_cast<const char*>(data), size);
  auto r = tempus::config::ParseDriftFile(content, "/var/lib/tempus/drift");
  if (r) {
    FUZZ_CHECK(std::isfinite(r->freq_ppm));
    FUZZ_CHECK(std::fabs(r->freq_ppm) <= tempus::config::kMaxDriftPpm);
    FUZZ_CHECK(!r->error_ppm || (std::isfinite(*r->error_ppm) && *r->error_ppm >= 0));
  } else {
    FUZZ_CHECK(!r.error().message.empty());
  }
  return 0;
}

#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace tempus::internal {

void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: TEMPUS_CHECK failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace tempus::internal

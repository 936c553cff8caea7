// FUZZ_CHECK: a property a fuzz target asserts; a violation aborts, so libFuzzer saves the input.
#ifndef TEMPUS_FUZZ_FUZZ_CHECK_H_
#define TEMPUS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

#endif  // TEMPUS_FUZZ_FUZZ_CHECK_H_

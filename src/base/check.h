// TEMPUS_CHECK(cond): abort with file and line when an invariant of the program itself is broken.
//
// For bugs, not for input: untrusted input is answered with a Result, never with a check.
// Active in every build type (the cost is one predictable branch).
#ifndef TEMPUS_BASE_CHECK_H_
#define TEMPUS_BASE_CHECK_H_

namespace tempus::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);
}  // namespace tempus::internal

#define TEMPUS_CHECK(cond)                                        \
  do {                                                            \
    if (!(cond)) [[unlikely]] {                                   \
      ::tempus::internal::CheckFailed(__FILE__, __LINE__, #cond); \
    }                                                             \
  } while (0)

#endif  // TEMPUS_BASE_CHECK_H_

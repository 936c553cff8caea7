// SysError: a failed system call at the edge, as the operation's name and errno.
#ifndef TEMPUS_BASE_SYS_ERROR_H_
#define TEMPUS_BASE_SYS_ERROR_H_

#include <string>

namespace tempus {

struct SysError {
  std::string op;  // what was attempted, e.g. "bind 127.0.0.2:123"
  int err = 0;     // errno; 0 when the failure has no errno
  // "bind 127.0.0.2:123: Address already in use".
  std::string ToString() const;
};

}  // namespace tempus

#endif  // TEMPUS_BASE_SYS_ERROR_H_

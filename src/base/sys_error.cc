#include "base/sys_error.h"

#include <cstring>

namespace tempus {

std::string SysError::ToString() const {
  if (err == 0) return op;
  return op + ": " + std::strerror(err);
}

}  // namespace tempus

#include "io/openssl_reason.h"

#include <openssl/err.h>

#include <array>

namespace tempus::io {

std::string OpenSslReason() {
  std::array<char, 256> text{};
  const unsigned long code = ERR_peek_error();
  if (code != 0) ERR_error_string_n(code, text.data(), text.size());
  ERR_clear_error();
  return text.data();
}

}  // namespace tempus::io

#include "core/wire/auth.h"

namespace tempus::core {

std::string_view AuthVerdictName(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kNone: return "none";
    case AuthVerdict::kOk: return "ok";
    case AuthVerdict::kBad: return "bad";
    case AuthVerdict::kCryptoNak: return "crypto_nak";
  }
  return "unknown";
}

}  // namespace tempus::core

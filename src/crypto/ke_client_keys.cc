#include "crypto/ke_client_keys.h"

#include "core/nts/ke_record.h"

namespace tempus::crypto {

std::optional<core::nts::NtsSessionKeys> ExportClientKeys(const TlsExporter& exporter) {
  static_assert(core::nts::kAeadKeySize == kAesSivKeySize);
  const auto keys = ExportSessionKeys(exporter, core::nts::kProtocolNtpV4, core::nts::kAeadAesSivCmac256);
  if (!keys) return std::nullopt;
  core::nts::NtsSessionKeys out;
  out.c2s = keys->c2s;
  out.s2c = keys->s2c;
  return out;
}

}  // namespace tempus::crypto

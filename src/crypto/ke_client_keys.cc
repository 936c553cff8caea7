#include "crypto/ke_client_keys.h"

#include "core/nts/ke_record.h"

namespace tempus::crypto {

std::optional<core::nts::SessionKeys> ExportClientKeys(const TlsExporter& exporter) {
  return ExportSessionKeys(exporter, core::nts::kProtocolNtpV4, core::nts::kAeadAesSivCmac256);
}

}  // namespace tempus::crypto

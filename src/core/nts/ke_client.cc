#include "core/nts/ke_client.h"

#include <array>

namespace tempus::core::nts {

std::string_view KeResponseErrorName(KeResponseError error) {
  switch (error) {
    case KeResponseError::kMalformed: return "malformed";
    case KeResponseError::kErrorRecord: return "error_record";
    case KeResponseError::kNoNtpV4: return "no_ntpv4";
    case KeResponseError::kNoAead: return "no_aead";
    case KeResponseError::kNoCookies: return "no_cookies";
  }
  return "unknown";
}

size_t WriteKeRequest(std::span<uint8_t> out) {
  KeMessageWriter w(out);
  const std::array<uint16_t, 1> protocol{kProtocolNtpV4}, aead{kAeadAesSivCmac256};
  w.Ids(KeRecordType::kNextProtocol, true, protocol);
  w.Ids(KeRecordType::kAeadAlgorithm, true, aead);
  w.End();
  return w.ok() ? w.size() : 0;
}

Result<KeOutcome, KeResponseProblem> ReadKeResponse(std::span<const uint8_t> response) {
  auto m = ParseKeMessage(response);
  if (!m) return Unexpected(KeResponseProblem{KeResponseError::kMalformed, m.error(), 0});
  // §4.1.3: an Error record ends the exchange whatever else the response holds.
  if (m->error) return Unexpected(KeResponseProblem{KeResponseError::kErrorRecord, {}, *m->error});
  // §4.1.2: the server's Next Protocol record lists the one protocol it chose from ours.
  if (!m->next_protocols || m->next_protocols->size() != 1 || (*m->next_protocols)[0] != kProtocolNtpV4) {
    return Unexpected(KeResponseProblem{KeResponseError::kNoNtpV4, {}, 0});
  }
  if (!m->aead_algorithms || m->aead_algorithms->size() != 1 || (*m->aead_algorithms)[0] != kAeadAesSivCmac256) {
    return Unexpected(KeResponseProblem{KeResponseError::kNoAead, {}, 0});
  }
  if (m->cookie_count == 0) return Unexpected(KeResponseProblem{KeResponseError::kNoCookies, {}, 0});
  KeOutcome out;
  for (size_t i = 0; i < m->cookie_count; ++i) out.cookies.emplace_back(m->cookies[i].begin(), m->cookies[i].end());
  if (m->server) out.server = std::string(*m->server);
  out.port = m->port;
  out.warning = m->warning;
  return out;
}

std::string DescribeKeProblem(const KeResponseProblem& problem) {
  switch (problem.error) {
    case KeResponseError::kMalformed:
      return "malformed NTS-KE response (" + std::string(KeDecodeErrorName(problem.decode_error)) + ")";
    case KeResponseError::kErrorRecord: {
      const char* what = problem.code == kKeErrorUnrecognizedCritical ? "unrecognized critical record"
                         : problem.code == kKeErrorBadRequest         ? "bad request"
                         : problem.code == kKeErrorInternalServer     ? "internal server error"
                                                                      : "unknown error";
      return "NTS-KE error record " + std::to_string(problem.code) + " (" + what + ")";
    }
    case KeResponseError::kNoNtpV4: return "the NTS-KE server does not offer NTPv4";
    case KeResponseError::kNoAead: return "the NTS-KE server does not offer AEAD_AES_SIV_CMAC_256";
    case KeResponseError::kNoCookies: return "the NTS-KE response carries no cookie";
  }
  return "unknown NTS-KE problem";
}

}  // namespace tempus::core::nts

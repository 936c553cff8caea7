// The client's half of an NTS-KE exchange (RFC 8915 §4), without the TLS: the request it sends
// and what it makes of the server's response. The TLS side is io::NtsKeClient.
//
// Pure: bytes in, a plain result out; never throws. Thread-compatible.
#ifndef TEMPUS_CORE_NTS_KE_CLIENT_H_
#define TEMPUS_CORE_NTS_KE_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/nts/ke_record.h"

namespace tempus::core::nts {

// Why a response gives no usable session.
enum class KeResponseError : uint8_t {
  kMalformed,    // ParseKeMessage refused it (the KeDecodeError says why)
  kErrorRecord,  // the server answered with an Error record (§4.1.3); `code` holds it
  kNoNtpV4,      // Next Protocol missing or not NTPv4 (§4.1.2: the server shares none)
  kNoAead,       // AEAD missing or not AEAD_AES_SIV_CMAC_256 (§4.1.5)
  kNoCookies,    // no New Cookie record: nothing to send on the NTP port
};
std::string_view KeResponseErrorName(KeResponseError error);

struct KeResponseProblem {
  KeResponseError error = KeResponseError::kMalformed;
  KeDecodeError decode_error = KeDecodeError::kIncomplete;  // with kMalformed
  uint16_t code = 0;                                        // with kErrorRecord
};

// What a good response gives the client.
struct KeOutcome {
  uint16_t aead = kAeadAesSivCmac256;
  std::vector<std::vector<uint8_t>> cookies;  // at most kMaxCookiesKept
  std::optional<std::string> server;          // §4.1.7: NTP on another host
  std::optional<uint16_t> port;               // §4.1.8: NTP on another port
  std::optional<uint16_t> warning;            // §4.1.4
};

// Writes the request tempus sends: Next Protocol NTPv4, AEAD AEAD_AES_SIV_CMAC_256 (both
// critical, §4.1.2 and §4.1.5), End of Message. Returns its size, 0 when out is too small.
size_t WriteKeRequest(std::span<uint8_t> out);

// Reads a whole response (kIncomplete while End of Message has not arrived: read more).
[[nodiscard]] Result<KeOutcome, KeResponseProblem> ReadKeResponse(std::span<const uint8_t> response);

// One line for a problem, e.g. "NTS-KE error record 1 (bad request)".
std::string DescribeKeProblem(const KeResponseProblem& problem);

}  // namespace tempus::core::nts

#endif  // TEMPUS_CORE_NTS_KE_CLIENT_H_

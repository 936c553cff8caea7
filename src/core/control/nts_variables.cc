#include "core/control/nts_variables.h"

#include <algorithm>

#include "core/control/control.h"

namespace tempus::core::control {

bool IsNtsPeerVariable(std::string_view name) {
  return std::find(kNtsPeerVariables.begin(), kNtsPeerVariables.end(), name) != kNtsPeerVariables.end();
}

std::optional<std::string> NtsPeerVariable(std::string_view name, const report::SourceSnapshot& peer,
                                           const report::NodeSnapshot& v) {
  if (name == "ntscookies") return std::to_string(peer.nts ? static_cast<int64_t>(peer.nts->cookies) : -1);
  if (!peer.nts || !IsNtsPeerVariable(name)) return std::nullopt;
  const report::NtsSourceState& s = *peer.nts;
  if (name == "ntske_server") return "\"" + s.ke_server + "\"";
  // As `rec`: the monotonic age of the last NTS-KE placed on the node's clock now; 0 before one.
  if (name == "ntske_time") return TimestampText(s.last_ke ? v.clock_now - (v.now - *s.last_ke) : NtpTimestamp());
  if (name == "ntske_ok") return std::to_string(s.ke_ok);
  if (name == "ntske_fail") return std::to_string(s.ke_failed);
  if (name == "ntske_reason") return s.last_failure.empty() ? std::string("none") : s.last_failure;
  if (name == "nts_sent") return std::to_string(s.requests);
  if (name == "nts_recv_good") return std::to_string(s.accepted);
  return std::to_string(s.dropped);  // nts_recv_bad
}

}  // namespace tempus::core::control

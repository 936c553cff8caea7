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

std::optional<std::string> NtsSystemVariable(std::string_view name, const report::NodeSnapshot& v) {
  if (std::find(kNtsSystemVariables.begin(), kNtsSystemVariables.end(), name) == kNtsSystemVariables.end()) {
    return std::nullopt;
  }
  report::NtsSourceState client;  // every NTS source's counts added up
  for (const report::SourceSnapshot& source : v.sources) {
    if (!source.nts) continue;
    client.requests += source.nts->requests;
    client.accepted += source.nts->accepted;
    client.dropped += source.nts->dropped;
    client.ke_ok += source.nts->ke_ok;
    client.ke_failed += source.nts->ke_failed;
  }
  using server::DropReason;
  const server::ServerStats& st = v.counters.server;
  const report::NtsServerCounts& s = v.counters.nts_server;
  const auto value = [&]() -> uint64_t {
    if (name == "nts_client_send") return client.requests;
    if (name == "nts_client_recv_good") return client.accepted;
    if (name == "nts_client_recv_bad") return client.dropped;
    if (name == "nts_ke_probes_good") return client.ke_ok;
    if (name == "nts_ke_probes_bad") return client.ke_failed;
    if (name == "nts_server_recv_good") return st.nts_answered;
    if (name == "nts_server_recv_bad") {
      return st.Dropped(DropReason::kNtsMalformed) + st.Dropped(DropReason::kNtsBadAuth) +
             st.Dropped(DropReason::kNtsNakSent) + st.Dropped(DropReason::kNtsDisabled);
    }
    if (name == "nts_server_send") return st.nts_answered + st.Dropped(DropReason::kNtsNakSent);
    if (name == "nts_cookie_make") return s.cookies_made;
    if (name == "nts_cookie_decode") return s.cookies_current;
    if (name == "nts_cookie_decode_old") return s.cookies_previous;
    if (name == "nts_cookie_decode_too_old") return s.cookies_unknown_key;
    if (name == "nts_cookie_decode_error") return s.cookies_bad;
    if (name == "nts_ke_serves_good") return s.ke_answered;
    if (name == "nts_ke_serves_bad") return s.ke_failed;
    return 0;  // nts_cookie_decode_old2, _older: tempus keeps two keys
  };
  return std::to_string(value());
}

}  // namespace tempus::core::control

// An NTS association's state (RFC 8915) as a peer's mode 6 variables show it (tempusd:
// core/control/nts_variables.h; NTPsec's ntpd sends only ntscookies), for `tempus peers` and
// `tempus status`.
#ifndef TEMPUS_APPS_TEMPUS_NTS_VIEW_H_
#define TEMPUS_APPS_TEMPUS_NTS_VIEW_H_

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tempus::app {

struct NtsView {
  long cookies = 0;                      // ntscookies
  std::optional<std::string> ke_server;  // ntske_server: HOST:PORT
  std::optional<long> ke_age_s;          // since ntske_time, by this host's clock
  std::optional<long> ke_ok, ke_failed;  // ntske_ok, ntske_fail
  std::optional<std::string> ke_reason;  // ntske_reason: the last failure's, "none" after a success
  std::optional<long> sent, good, bad;   // nts_sent, nts_recv_good, nts_recv_bad
};

// The peer's NTS state; nothing when it has no NTS (ntscookies absent or -1).
std::optional<NtsView> NtsViewOf(const std::map<std::string, std::string>& peer_variables);
// One line: "8 cookies, NTS-KE with HOST:PORT 12s ago (1 ok, 0 failed), 20 replies authenticated, 0 dropped".
std::string NtsText(const NtsView& nts);
// The same as JSON (absent values null).
nlohmann::json NtsJson(const NtsView& nts);

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_NTS_VIEW_H_

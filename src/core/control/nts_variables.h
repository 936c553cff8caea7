// The mode 6 peer variables of an NTS association (`server HOST nts`, RFC 8915), read from the
// state its host reports (report::NtsSourceState). `ntscookies` is NTPsec's name and meaning
// (cookies held; -1 for a source without NTS, which NTPsec's ntpq shows as `u` in the peers
// billboard, an NTS one as its cookie count). NTPsec has no per-association names for the rest;
// tempus's, each only for an NTS association:
//   ntske_server  "HOST:PORT" of its NTS-KE server      ntske_ok    successful NTS-KE exchanges
//   ntske_time    l_fp time of the last successful one  ntske_fail  failed ones
//   ntske_reason  why the last one failed (none once one succeeds: connect, tls, certificate, ...)
//   nts_sent, nts_recv_good, nts_recv_bad: NTS requests sent, replies authenticated and replies
//   dropped (NTPsec's system-wide nts_client_send/_recv_good/_recv_bad, per association).
#ifndef TEMPUS_CORE_CONTROL_NTS_VARIABLES_H_
#define TEMPUS_CORE_CONTROL_NTS_VARIABLES_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/report/node_snapshot.h"

namespace tempus::core::control {

// The NTS variables of the default `rv &N` set, after ntpd's own (ntscookies where NTPsec puts it).
inline constexpr std::array<std::string_view, 9> kNtsPeerVariables = {"ntscookies", "ntske_server",  "ntske_time",
                                                                      "ntske_ok",   "ntske_fail",    "ntske_reason",
                                                                      "nts_sent",   "nts_recv_good", "nts_recv_bad"};

// Whether `name` is one of kNtsPeerVariables.
bool IsNtsPeerVariable(std::string_view name);
// Its value for `peer` in the snapshot `v`; nullopt when `name` is not an NTS variable or `peer`
// has no NTS (except ntscookies, -1 then).
std::optional<std::string> NtsPeerVariable(std::string_view name, const report::SourceSnapshot& peer,
                                           const report::NodeSnapshot& v);

}  // namespace tempus::core::control

#endif  // TEMPUS_CORE_CONTROL_NTS_VARIABLES_H_

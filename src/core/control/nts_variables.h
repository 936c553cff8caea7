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
//
// The system variables of NTPsec's `ntpq -c ntsinfo` (kNtsSystemVariables), node-wide sums:
//   nts_client_send, _recv_good, _recv_bad   every NTS source's nts_sent, nts_recv_good, nts_recv_bad
//   nts_ke_probes_good, _bad                 every NTS source's ntske_ok, ntske_fail
//   nts_server_recv_good                     NTS requests authenticated and answered (ServerStats)
//   nts_server_recv_bad                      NTS requests dropped or NAKed: malformed, bad
//                                            authenticator, cookie that did not open, NTS off
//   nts_server_send                          NTS replies sent: authenticated ones and NTS NAKs
//   nts_cookie_make                          cookies sealed (NTS-KE responses and NTS replies)
//   nts_cookie_decode, _old                  cookies opened with the current, the previous key
//   nts_cookie_decode_old2, _older           0: tempus keeps two keys (older cookies are too_old)
//   nts_cookie_decode_too_old                cookies of a key no longer (or never) held
//   nts_cookie_decode_error                  cookies of a known key that did not open
//   nts_ke_serves_good, _bad                 NTS-KE requests answered, connections dropped
// The server's are report::NtsServerCounts (the host's) and ServerStats; zero without `nts enable`.
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

// NTPsec's ntsinfo system variables, in the order its ntpq asks for them (not in the default
// `rv` set, as NTPsec).
inline constexpr std::array<std::string_view, 17> kNtsSystemVariables = {
    "nts_client_send",         "nts_client_recv_good",   "nts_client_recv_bad",     "nts_server_recv_good",
    "nts_server_recv_bad",     "nts_server_send",        "nts_cookie_make",         "nts_cookie_decode",
    "nts_cookie_decode_old",   "nts_cookie_decode_old2", "nts_cookie_decode_older", "nts_cookie_decode_too_old",
    "nts_cookie_decode_error", "nts_ke_probes_good",     "nts_ke_probes_bad",       "nts_ke_serves_good",
    "nts_ke_serves_bad"};

// The value of the ntsinfo system variable `name` in `v`; nullopt when `name` is not one.
std::optional<std::string> NtsSystemVariable(std::string_view name, const report::NodeSnapshot& v);

// Whether `name` is one of kNtsPeerVariables.
bool IsNtsPeerVariable(std::string_view name);
// Its value for `peer` in the snapshot `v`; nullopt when `name` is not an NTS variable or `peer`
// has no NTS (except ntscookies, -1 then).
std::optional<std::string> NtsPeerVariable(std::string_view name, const report::SourceSnapshot& peer,
                                           const report::NodeSnapshot& v);

}  // namespace tempus::core::control

#endif  // TEMPUS_CORE_CONTROL_NTS_VARIABLES_H_

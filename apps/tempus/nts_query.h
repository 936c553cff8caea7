// `tempus query --nts`: NTS-KE (RFC 8915 §4) with each server before the one-shot sampling, and
// what the NTS half adds to the output. The sampling itself is one_shot.h's, with the sessions
// NTS-KE gave (OneShotOptions::nts).
#ifndef TEMPUS_APPS_TEMPUS_NTS_QUERY_H_
#define TEMPUS_APPS_TEMPUS_NTS_QUERY_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/nts/client_exchange.h"
#include "one_shot.h"

namespace tempus::app {

// --nts, --ca FILE, --noval.
struct NtsFlags {
  bool enabled = false;
  std::string ca_file;  // empty: the system store
  bool noval = false;   // no certificate check (tests only)
};
void AddNtsFlags(CLI::App* app, NtsFlags* flags);

// One server's NTS-KE and the session it gave.
struct NtsServer {
  std::string name;             // HOST[:PORT] as the user wrote it
  core::NetAddress ke_address;  // where NTS-KE went (port 4460 by default)
  double ke_seconds = 0;        // connect + handshake + response
  size_t ke_cookies = 0;        // cookies in the NTS-KE response
  std::string error;            // the NTS-KE failure; empty when it succeeded
  ServerSpec ntp;               // where NTP goes: the negotiated server and port (§4.1.7, §4.1.8)
  std::unique_ptr<core::nts::NtsClientSession> session;
};

// Runs NTS-KE with every server in `words`, one after the other. Fails only when a name does not
// resolve; a server whose NTS-KE fails has `error` set.
[[nodiscard]] Result<std::vector<NtsServer>, std::string> RunNtsKe(const std::vector<std::string>& words,
                                                                   const NtsFlags& flags);

// The reports of `servers` in order: the sampled ones from `sampled` (in the order of the servers
// whose NTS-KE succeeded), a failed NTS-KE as a kNoReply report naming its reason.
std::vector<ServerReport> MergeNtsReports(const std::vector<NtsServer>& servers, std::vector<ServerReport> sampled);

// "nts: HOST: NTS-KE with ADDR in 3.2 ms, AEAD_AES_SIV_CMAC_256, 8 cookies; NTP at ADDR; 4
// cookies received", one line per server whose NTS-KE succeeded.
void PrintNtsLines(const std::vector<NtsServer>& servers);
// The same facts as JSON, for the report of `server`.
nlohmann::json NtsToJson(const NtsServer& server);

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_NTS_QUERY_H_

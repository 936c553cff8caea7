#include "nts_query.h"

#include <fmt/format.h>

#include "common.h"
#include "core/nts/ke_record.h"
#include "crypto/ke_client_keys.h"
#include "io/nts_ke_client.h"
#include "io/poll_loop.h"
#include "io/resolver.h"

namespace tempus::app {
namespace {

constexpr const char* kAeadName = "AEAD_AES_SIV_CMAC_256";

// Where NTP goes after NTS-KE (io::NtpAddressAfterKe), as the table names it.
Result<ServerSpec, std::string> NtpEndpoint(const NtsServer& s, const core::nts::KeOutcome& outcome) {
  auto address = io::NtpAddressAfterKe(s.ke_address, outcome);
  if (!address) return Unexpected(address.error());
  return ServerSpec{s.name, *address};
}

}  // namespace

void AddNtsFlags(CLI::App* app, NtsFlags* flags) {
  app->add_flag("--nts", flags->enabled,
                "Network Time Security (RFC 8915): NTS-KE with each HOST[:PORT] (port 4460 by default), then "
                "only authenticated replies count");
  app->add_option("--ca", flags->ca_file,
                  "With --nts: PEM file of the CA certificates to trust (default: the system "
                  "store)")
      ->check(CLI::ExistingFile);
  app->add_flag("--noval", flags->noval, "With --nts: do not check the server's certificate (tests only)");
}

Result<std::vector<NtsServer>, std::string> RunNtsKe(const std::vector<std::string>& words, const NtsFlags& flags) {
  std::vector<NtsServer> out;
  for (const auto& w : words) {
    auto host = io::SplitHostPort(w, core::nts::kKePort);
    if (!host) return Unexpected(host.error());
    auto addresses = io::Resolver().Resolve(w, core::nts::kKePort);
    if (!addresses) return Unexpected(addresses.error());
    if (addresses->empty()) return Unexpected("cannot resolve '" + w + "': no address");
    NtsServer s;
    s.name = w;
    s.ke_address = addresses->front();
    io::NtsKeClientOptions options;
    options.host = host->host;
    options.address = s.ke_address;
    options.ca_file = flags.ca_file;
    options.verify = !flags.noval;
    const core::MonoTime start = io::MonoNow();
    auto ke = io::ExchangeNtsKe(options, crypto::ExportClientKeys);
    s.ke_seconds = (io::MonoNow() - start).Seconds();
    const std::string where = fmt::format("NTS-KE with {} ({})", host->host, s.ke_address.ToStringWithPort());
    if (!ke) {
      s.error = where + " failed: " + ke.error().ToString();
    } else if (auto ntp = NtpEndpoint(s, ke->outcome); !ntp) {
      s.error = where + ": " + ntp.error();
    } else {
      s.ntp = *ntp;
      s.ke_cookies = ke->outcome.cookies.size();
      s.session = std::make_unique<core::nts::NtsClientSession>(ke->keys, ke->outcome.cookies);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ServerReport> MergeNtsReports(const std::vector<NtsServer>& servers, std::vector<ServerReport> sampled) {
  std::vector<ServerReport> out;
  size_t next = 0;
  for (const auto& s : servers) {
    if (s.error.empty() && next < sampled.size()) {
      out.push_back(std::move(sampled[next++]));
      continue;
    }
    ServerReport r;
    r.name = s.name;
    r.address = s.ke_address;
    r.status = ServerStatus::kNoReply;
    r.error = s.error;
    out.push_back(std::move(r));
  }
  return out;
}

void PrintNtsLines(const std::vector<NtsServer>& servers) {
  for (const auto& s : servers) {
    if (!s.error.empty()) continue;  // the table's row for the server names the failure
    fmt::print(
        "nts: {}: NTS-KE with {} in {:.1f} ms, {}, {} cookies; NTP at {}; {} cookies received in "
        "authenticated replies\n",
        s.name, s.ke_address.ToStringWithPort(), s.ke_seconds * 1e3, kAeadName, s.ke_cookies,
        s.ntp.address.ToStringWithPort(), s.session->cookies_received());
  }
}

nlohmann::json NtsToJson(const NtsServer& s) {
  nlohmann::json j;
  j["ke_server"] = s.ke_address.ToStringWithPort();
  j["ke_seconds"] = s.ke_seconds;
  if (!s.error.empty()) {
    j["error"] = s.error;
    return j;
  }
  j["aead"] = kAeadName;
  j["ke_cookies"] = s.ke_cookies;
  j["ntp_server"] = s.ntp.address.ToStringWithPort();
  j["cookies_received"] = s.session->cookies_received();
  j["cookies_held"] = s.session->cookies();
  return j;
}

}  // namespace tempus::app

// `restrict HOSTNAME`: the names of restrict lines, looked up once at configuration load as ntpd
// does (every address of the name becomes a host restriction; ntp.conf(5) "restrict address").
//
// The lookup is the caller's (tempusd passes the system resolver; tests pass a table), so this
// stays free of I/O. A name that does not resolve gives a warning naming the line, and its line
// restricts nothing. Pure functions; thread-safe when the lookup is.
#ifndef TEMPUS_CONFIG_RESTRICT_HOSTS_H_
#define TEMPUS_CONFIG_RESTRICT_HOSTS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/diagnostic.h"
#include "core/net/net_address.h"

namespace tempus::config {

// The addresses of each restrict host name, by name as written.
using HostAddresses = std::map<std::string, std::vector<core::NetAddress>>;

// Looks a name up in `family` (kNone: both): the addresses, or why not ("Name or service not known").
using HostLookup = std::function<Result<std::vector<core::NetAddress>, std::string>(const std::string& host,
                                                                                    core::NetAddress::Family family)>;

struct ResolvedHosts {
  HostAddresses addresses;
  std::vector<Diagnostic> warnings;
};

// Looks up the name of every `restrict NAME` line of `config` once each (per family asked).
ResolvedHosts ResolveRestrictHosts(const Config& config, const HostLookup& lookup);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_RESTRICT_HOSTS_H_

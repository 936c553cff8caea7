// Conversions from the parsed Config to the core's own settings: one AssociationConfig per
// server line (once the daemon has resolved its address) and the SystemConfig that selection,
// discipline, orphan mode and the local clock obey.
//
// Only what the file set changes the defaults it is given; unset fields keep the core's
// defaults. Pure functions; thread-safe.
#ifndef TEMPUS_CONFIG_TO_CORE_H_
#define TEMPUS_CONFIG_TO_CORE_H_

#include <span>

#include "config/config.h"
#include "config/restrict_hosts.h"
#include "core/assoc/association_config.h"
#include "core/net/net_address.h"
#include "core/server/admission.h"
#include "core/system/system.h"

namespace tempus::config {

// The association for `server` at `resolved` (a numeric address, or what the resolver returned
// for its name). The port is `server.port` unless `resolved` carries a non-zero one. `peer` lines
// become symmetric active associations (mode 1, RFC 5905 §9).
core::assoc::AssociationConfig ToAssociationConfig(const ServerConfig& server, const core::NetAddress& resolved);

// `defaults` with the tos, tinker, makestep and local-clock knobs of `config` applied.
core::system::SystemConfig ToSystemConfig(const Config& config, core::system::SystemConfig defaults = {});

// The server's access policy: restrict/unrestrict lines as core rules and `discard`/`limit` as the
// rate limit. `restrict default` without -4/-6 sets both families' defaults (ntpd 4.2.8);
// `restrict source` applies to each of `sources` as a host rule. `restrict NAME` applies to each
// address `hosts` holds for NAME of the line's family (with the line's mask, then only the
// addresses of the mask's family; else a host mask); a name missing from `hosts` restricts nothing.
// Flags tempus does not enforce (lowpriotrap, mssntp, ntpport, flake) were warned about by the
// reader (config/directive_status.h) and are dropped here; nomrulist needs nothing (tempus serves
// no MRU list); noepeer acts as nopeer.
core::server::AccessPolicy ToAccessPolicy(const Config& config, std::span<const core::NetAddress> sources = {},
                                          const HostAddresses& hosts = {});

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_TO_CORE_H_

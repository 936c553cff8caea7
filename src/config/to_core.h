// Conversions from the parsed Config to the core's own settings: one AssociationConfig per
// server line (once the daemon has resolved its address) and the SystemConfig that selection,
// discipline, orphan mode and the local clock obey.
//
// Only what the file set changes the defaults it is given; unset fields keep the core's
// defaults. Pure functions; thread-safe.
#ifndef TEMPUS_CONFIG_TO_CORE_H_
#define TEMPUS_CONFIG_TO_CORE_H_

#include "config/config.h"
#include "core/assoc/association_config.h"
#include "core/net/net_address.h"
#include "core/system/system.h"

namespace tempus::config {

// The association for `server` at `resolved` (a numeric address, or what the resolver returned
// for its name). The port is `server.port` unless `resolved` carries a non-zero one. `peer` lines
// become client associations, as NTPsec does (the parser warned).
core::AssociationConfig ToAssociationConfig(const ServerConfig& server, const core::NetAddress& resolved);

// `defaults` with the tos, tinker, makestep and local-clock knobs of `config` applied.
core::system::SystemConfig ToSystemConfig(const Config& config, core::system::SystemConfig defaults = {});

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_TO_CORE_H_

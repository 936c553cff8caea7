// NodeConfig: what a core::node::Node is made of (sources, selection and discipline, the node's
// own addresses, what it serves). Built from ntp.conf (config/to_core) or a scenario. Value type.
#ifndef TEMPUS_CORE_NODE_NODE_CONFIG_H_
#define TEMPUS_CORE_NODE_NODE_CONFIG_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/assoc/association_config.h"
#include "core/control/control_limiter.h"
#include "core/net/net_address.h"
#include "core/server/admission.h"
#include "core/system/system.h"
#include "core/time/ntp_duration.h"
#include "core/wire/packet.h"

namespace tempus::core::node {

struct NodeConfig {
  system::SystemConfig system;                    // self_id is filled from self_address
  std::vector<assoc::AssociationConfig> sources;  // validated by the Node
  std::optional<NetAddress> self_address;         // this node's address as its peers see it
  // This node's other addresses, each with the port it serves on: its listen sockets and, behind
  // a wildcard socket, the machine's interface addresses (the daemon enumerates them). A source
  // at one of them (or at self_address) is this node itself: never polled, never selected (a
  // timing loop, logged once). A source whose refid is one of them (loopback ones excepted:
  // every host has those) is synchronized to this node (System's loop test).
  std::vector<NetAddress> own_addresses;
  bool serve = true;            // answer client requests
  server::AccessPolicy access;  // restrict rules and discard limits
  // Mode 6 (ntpq, RFC 9327) requests: answered read-only, from loopback sources only unless
  // control_from_any is set. This is the one access check of the control path.
  bool control = true;
  bool control_from_any = false;
  // The rate at which allowed sources are answered (per client and across all clients).
  control::ControlLimitConfig control_limit;
  std::string version = "tempusd";  // the control protocol's version= variable
  // Symmetric mode (RFC 5905 §9.2): a mode 1 packet from an address without an association
  // mobilizes a passive (ephemeral) association only when it carries a valid MAC by a trusted key
  // (ntpd's sys_authenticate, `enable auth`); the association then uses that key. An
  // unauthenticated one gets a mode 2 reply at most and never an association (counted as
  // unauthenticated_peer, logged once per source): otherwise any host could become a source.
  // false mobilizes unauthenticated peers too (unsafe; tempusd keeps it on: its `disable auth`
  // is warned and ignored; tests use it to show the attack). server::DecideNewPeer has the
  // restrict rules.
  bool authenticate_peers = true;
  // At most this many passive associations exist at once; further ones are dropped (counted as
  // peer_limit). An ephemeral association goes when its peer becomes unreachable. 0: none.
  size_t max_ephemeral = 8;
  // The refid of a source at an IPv6 address: the first four bytes of the address's MD5 digest
  // (RFC 5905 §7.3), computed at the edge where the hash is (engine::RefIdForAddress). IPv4
  // addresses are their own refid. REQUIRED when any address involved may be IPv6.
  RefId (*ipv6_refid)(const NetAddress& address) = nullptr;
  // How often the System re-runs selection and fallbacks without a new sample.
  NtpDuration tick = NtpDuration::FromWholeSeconds(8);
};

// The refid of `address` as a client reports it (RFC 5905 §7.3), with `node.ipv6_refid`.
RefId AddressRefId(const NetAddress& address, const NodeConfig& node);

}  // namespace tempus::core::node

#endif  // TEMPUS_CORE_NODE_NODE_CONFIG_H_

// PlanListen: which UDP sockets tempusd opens, from its `listen` addresses and the `interface` /
// `nic` rules, judged as ntpd 4.2.8 judges its interfaces (ntp_io.c interface_action). Pure.
//
// Without interface rules: exactly the `listen` addresses (tempusd's default is 0.0.0.0:123).
// With rules, every candidate address is judged:
//   - the candidates: each `listen` address; a wildcard one (0.0.0.0 or ::) stands for itself and
//     for every address of its family on the machine's interfaces, on its port (IPv6 link-local
//     addresses are left out: they need a scope). Without `listen`, 0.0.0.0:123 and [::]:123.
//   - the rules, ntpd's way: the last rule in the file that matches decides. `all` matches every
//     address but loopback and wildcard ones; `ipv4`/`ipv6` every address of the family;
//     `wildcard` the wildcard addresses; NAME an interface by name (a shell pattern, any case:
//     fnmatch as ntpd); ADDRESS that address; ADDRESS/PREFIX every address in that network.
//   - no rule matches: loopback addresses listen, wildcard addresses drop, all others listen.
//   - listen: opened and served; drop: opened, every packet dropped (and counted) as ntpd does;
//     ignore: not opened.
// Thread-safe (no state).
#ifndef TEMPUS_CONFIG_LISTEN_PLAN_H_
#define TEMPUS_CONFIG_LISTEN_PLAN_H_

#include <span>
#include <string>
#include <vector>

#include "config/access_config.h"
#include "config/diagnostic.h"
#include "core/net/interface_address.h"
#include "core/net/net_address.h"

namespace tempus::config {

// One socket to open.
struct ListenSocket {
  core::NetAddress address;  // with its port
  std::string interface;     // the interface's name; empty for a wildcard or an address not found
  bool drop = false;         // `drop`: opened, every datagram dropped
  // A `listen` address named outright: failing to open it stops the start. The others (wildcards,
  // addresses found on interfaces) are logged and skipped when they fail.
  bool required = false;
};

struct ListenPlan {
  std::vector<ListenSocket> sockets;
  // One line per candidate judged: "10.0.0.1:123 (eth0): listen (ntp.conf:3:1)", "[::]:123:
  // drop (default for wildcard addresses)". Empty without rules.
  std::vector<std::string> decisions;
  // A rule that matches none of the candidates (a name with no interface, say), with its place.
  std::vector<Diagnostic> warnings;
};

// The action the rules give to `address` (of interface `name`, empty for a wildcard), and in
// *decided the rule that gave it (null: ntpd's default).
InterfaceRule::Action InterfaceAction(std::span<const InterfaceRule> rules, const core::InterfaceAddress& address,
                                      const InterfaceRule** decided = nullptr);

// The sockets to open for `listen` (may be empty) under `rules`, on a machine whose interfaces
// have `interfaces`.
ListenPlan PlanListen(std::span<const InterfaceRule> rules, std::span<const core::NetAddress> listen,
                      std::span<const core::InterfaceAddress> interfaces);

// The addresses a node whose sockets are bound to `sockets` serves on, each with its socket's
// port: an address as it is, a wildcard (0.0.0.0, ::) as every address of its family among
// `interfaces`. A source at one of them is the node itself (engine::NodeConfig::own_addresses).
std::vector<core::NetAddress> ServedAddresses(std::span<const core::NetAddress> sockets,
                                              std::span<const core::InterfaceAddress> interfaces);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_LISTEN_PLAN_H_

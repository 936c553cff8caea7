// Config: what an ntp.conf says, as plain data.
//
// Produced by config::Parse (parser.h); never touches sockets, clocks or the resolver: host names
// stay text and are resolved later by the daemon. Fields that a file did not set keep the default
// given here or stay std::nullopt so the daemon can tell "unset" from "set to the default".
// Sub-structures live in access_config.h (restrict, interface) and config_types.h (the rest).
// Value type; thread-compatible.
#ifndef TEMPUS_CONFIG_CONFIG_H_
#define TEMPUS_CONFIG_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config_types.h"
#include "config/diagnostic.h"
#include "core/net/net_address.h"
#include "core/time/poll_exp.h"

namespace tempus::config {

// server/pool/peer (RFC 5905 §9: client associations, pool mobilizes several; peer is symmetric
// active).
enum class AssocKind : uint8_t { kServer, kPool, kPeer };

// One `server`, `pool` or `peer` line.
struct ServerConfig {
  AssocKind kind = AssocKind::kServer;
  std::string host;                         // the name or numeric address as written
  std::optional<core::NetAddress> address;  // set when `host` is numeric (port 123 or `port N`)
  Family family = Family::kAny;             // -4 / -6: restricts name resolution
  bool iburst = false;
  bool burst = false;
  bool prefer = false;
  bool noselect = false;
  bool truechimer = false;      // the `true` option: always survives selection
  core::PollExp minpoll{6};     // log2 s; 3..17
  core::PollExp maxpoll{10};    // log2 s; 3..17, >= minpoll
  std::optional<uint32_t> key;  // symmetric key id, 1..65535
  int version = 4;              // 1..4
  uint16_t port = 123;          // tempus extension `port N` (tests on loopback); with `nts`: the NTS-KE port
  // NTPsec's `nts` (RFC 8915): NTS-KE with host on TCP `port` (4460 unless given), then only
  // NTS-authenticated replies count (docs/nts.md). `ca FILE`: the CA certificates to trust (else
  // `nts ca`, else the system store); `noval`: no certificate check (tests only).
  bool nts = false;
  std::optional<std::string> ca;
  bool noval = false;
  Location where;
};

// Serve the local clock when nothing better is reachable (a cluster's designated master), from
// tempus `local stratum N` (chrony's meaning: N is the stratum served) or ntpd's LOCAL driver,
// `server 127.127.1.u` with `fudge 127.127.1.u stratum D`: the driver is a stratum-D source, so ntpd
// serves D + 1 (D defaults to 5, ntpd driver1.html).
// Either way the local clock is shown as a source, LOCAL(u) (ntpq -p, tempus peers); the refid
// served is chrony's 127.127.1.1 for `local stratum N`, and ntpd's for the driver (ToSystemConfig).
struct LocalClockConfig {
  int stratum = 6;  // the stratum served, 1..15
  Location where;
  std::optional<int> driver_unit;  // ntpd's LOCAL driver: the u of 127.127.1.u; unset for `local`
};

// tempus `clock system|observe|virtual [offset S] [freq PPM]`.
struct ClockConfig {
  // "system", "observe" or "virtual". observe unless the file says otherwise: tempusd steers the
  // system clock only when configured to (`clock system`, as dist/ntp.conf does).
  std::string kind = "observe";
  double virtual_offset_s = 0.0;  // virtual only: this clock minus the kernel clock at start
  double virtual_freq_ppm = 0.0;  // virtual only: the clock's own rate error
  friend bool operator==(const ClockConfig&, const ClockConfig&) = default;
};

// chrony's `makestep THRESHOLD LIMIT`: step when |offset| > threshold during the first updates.
struct MakeStepConfig {
  double threshold_s = 1.0;
  int limit = 3;  // number of updates; -1 means always
  friend bool operator==(const MakeStepConfig&, const MakeStepConfig&) = default;
};

// NTPsec's `nts` directive, server side (ntp.conf(5) "NTS Commands"): the NTS-KE server.
struct NtsServerConfig {
  bool enable = false;              // `nts enable` (`nts disable` clears it)
  std::optional<std::string> cert;  // `nts cert FILE`: PEM certificate chain
  std::optional<std::string> key;   // `nts key FILE`: its PEM private key
  // `nts cookie FILE`: the cookie key file (config/cookie_key_file.h). Not NTPsec's default
  // (/var/lib/ntpsec/nts-keys): its format is NTPsec's own, and that file is never overwritten.
  std::optional<std::string> cookie;
  // NTPsec `nts ca FILE`: the CA certificates `server ... nts` lines trust without a `ca` of their own.
  std::optional<std::string> ca;
  uint16_t port = 4460;  // tempus `nts port N`: the NTS-KE port (RFC 8915 §4)
  // tempus `nts rotate S`: a new cookie key when the current one is S seconds old; 0: never (the
  // file must exist: another node of the cluster rotates it, this one only reads it).
  int64_t rotate_s = 86400;
  Location where;  // the last `nts enable`
  static constexpr const char* kDefaultCookieFile = "/var/lib/tempus/nts-keys";
  friend bool operator==(const NtsServerConfig&, const NtsServerConfig&) = default;
};

// Everything an ntp.conf configures.
struct Config {
  std::vector<ServerConfig> servers;  // in file order
  std::vector<RestrictEntry> restricts;
  std::vector<InterfaceRule> interfaces;
  std::optional<LocalClockConfig> local_clock;

  std::optional<std::string> driftfile;
  std::optional<std::string> leapfile;
  std::optional<std::string> logfile;
  std::optional<std::string> pidfile;
  std::optional<int> workers;  // `workers N`: server threads (none: the daemon's default)
  std::optional<double> leapsmear_interval_s;
  MonitorConfig monitor;
  KeysConfig keys;
  TosConfig tos;
  TinkerConfig tinker;
  DiscardConfig discard;
  SystemFlags flags;

  ClockConfig clock;
  std::vector<core::NetAddress> listen;     // server sockets (default port 123)
  std::vector<core::NetAddress> control;    // mode 6 listeners (default port 123)
  std::optional<core::NetAddress> metrics;  // Prometheus endpoint
  std::optional<MakeStepConfig> makestep;
  NtsServerConfig nts;
};

// A parse that succeeded: the configuration plus the warnings met on the way.
struct ParsedConfig {
  Config config;
  std::vector<Diagnostic> warnings;
};

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_CONFIG_H_

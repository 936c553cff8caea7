// Access control with ntpd's `restrict` semantics, as a pure lookup: address -> flags.
//
// Each rule is an address and a mask (a host, a CIDR network, an address/mask pair, or the
// default of one family). For a source address the most specific matching rule wins: the one with
// the longest mask (ntpd sorts its restrict list by mask, then address, and keeps the last match);
// flags are not accumulated across rules. Rules naming the same address and mask merge: `restrict`
// ORs its flags in, NTPsec's `unrestrict` clears them. When no rule matches (no `default` was
// configured) nothing is restricted, as in ntpd. Built once from configuration (config::ToRestrictRules);
// immutable afterwards, so thread-safe for lookups.
#ifndef TEMPUS_CORE_SERVER_RESTRICT_H_
#define TEMPUS_CORE_SERVER_RESTRICT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/net/net_address.h"

namespace tempus::core::server {

// The restrict flags tempus enforces (ntp.conf(5) "Access Control Commands"); one bit each.
enum class Restrict : uint32_t {
  kIgnore = 1u << 0,    // drop every packet, ntpq included
  kNoServe = 1u << 1,   // no time service (mode 3); mode 6 still answered unless noquery
  kNoQuery = 1u << 2,   // no mode 6 (ntpq) queries
  kNoModify = 1u << 3,  // no mode 6 writes (tempus has no write opcodes: always in effect)
  kNoPeer = 1u << 4,    // no packet that would mobilize a symmetric association (modes 1, 2)
  kNoTrap = 1u << 5,    // no mode 6 trap service
  kNoTrust = 1u << 6,   // only cryptographically authenticated packets are served
  kLimited = 1u << 7,   // rate limited (discard average/minimum)
  kKod = 1u << 8,       // with limited: answer a limited request with a RATE kiss-o'-death
  kVersion = 1u << 9,   // only NTPv4 packets are served
};

// One restrict (or unrestrict) line in core terms.
struct RestrictRule {
  NetAddress address;  // the network; only its family and bytes count (port ignored)
  NetAddress mask;     // same family as `address`; all zero bytes for `default`
  uint32_t flags = 0;  // Restrict bits
  bool unrestrict = false;

  // The `default` rule of one family (mask 0: matches every address of that family).
  static RestrictRule Default(NetAddress::Family family, uint32_t flags);
  // A rule for `address` and the first `prefix_len` bits (host rule when it is the full length).
  static RestrictRule Network(const NetAddress& address, int prefix_len, uint32_t flags);
};

// The flags that apply to one source, as a value.
struct AccessFlags {
  uint32_t bits = 0;
  bool Has(Restrict f) const { return (bits & static_cast<uint32_t>(f)) != 0; }
};

// "ignore", "noserve", ...: the name of one flag, for logs and tests.
std::string_view RestrictName(Restrict flag);

class RestrictTable {
 public:
  // An empty table: nothing is restricted.
  RestrictTable() = default;
  // Rules in configuration order (same address/mask lines merge in that order).
  explicit RestrictTable(std::span<const RestrictRule> rules);

  // The flags of the most specific rule that matches `source` (no flags when none does).
  AccessFlags Lookup(const NetAddress& source) const;

  // True when mode 6 (ntpq) requests from `source` may be answered: neither ignore nor noquery.
  bool AllowQuery(const NetAddress& source) const;

  size_t size() const { return rules_.size(); }
  // True when built from any rule, even one that matches nothing: mode 6 then follows the rules
  // alone (without any, only loopback sources may query: control::ControlServer).
  bool configured() const { return configured_; }

 private:
  struct Entry {
    NetAddress::Family family;
    std::array<uint8_t, 16> network;  // address & mask
    std::array<uint8_t, 16> mask;
    int mask_bits;  // number of one bits: the specificity
    uint32_t flags;
  };
  std::vector<Entry> rules_;  // most specific first
  bool configured_ = false;
};

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_RESTRICT_H_

#include "core/server/restrict.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace tempus::core::server {
namespace {

size_t AddressLength(NetAddress::Family family) { return family == NetAddress::Family::kIPv4 ? 4 : 16; }

std::array<uint8_t, 16> PrefixMask(NetAddress::Family family, int prefix_len) {
  std::array<uint8_t, 16> m{};
  const int total = static_cast<int>(AddressLength(family)) * 8;
  int bits = std::clamp(prefix_len, 0, total);
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    m[i] = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
  }
  return m;
}

NetAddress FromBytes(NetAddress::Family family, const std::array<uint8_t, 16>& b) {
  if (family == NetAddress::Family::kIPv4) return NetAddress::IPv4({b[0], b[1], b[2], b[3]});
  return NetAddress::IPv6(b);
}

}  // namespace

RestrictRule RestrictRule::Default(NetAddress::Family family, uint32_t flags) {
  RestrictRule r;
  r.address = FromBytes(family, {});
  r.mask = FromBytes(family, {});
  r.flags = flags;
  return r;
}

RestrictRule RestrictRule::Network(const NetAddress& address, int prefix_len, uint32_t flags) {
  RestrictRule r;
  r.address = address.WithPort(0);
  r.mask = FromBytes(address.family(), PrefixMask(address.family(), prefix_len));
  r.flags = flags;
  return r;
}

std::string_view RestrictName(Restrict flag) {
  switch (flag) {
    case Restrict::kIgnore: return "ignore";
    case Restrict::kNoServe: return "noserve";
    case Restrict::kNoQuery: return "noquery";
    case Restrict::kNoModify: return "nomodify";
    case Restrict::kNoPeer: return "nopeer";
    case Restrict::kNoTrap: return "notrap";
    case Restrict::kNoTrust: return "notrust";
    case Restrict::kLimited: return "limited";
    case Restrict::kKod: return "kod";
    case Restrict::kVersion: return "version";
  }
  return "unknown";
}

RestrictTable::RestrictTable(std::span<const RestrictRule> rules) : configured_(!rules.empty()) {
  for (const RestrictRule& r : rules) {
    const NetAddress::Family family = r.address.family();
    if (family == NetAddress::Family::kNone || r.mask.family() != family) continue;  // nothing to match
    Entry e{family, {}, {}, 0, 0};
    const size_t n = AddressLength(family);
    for (size_t i = 0; i < n; ++i) {
      e.mask[i] = r.mask.bytes()[i];
      e.network[i] = static_cast<uint8_t>(r.address.bytes()[i] & e.mask[i]);
      e.mask_bits += std::popcount(e.mask[i]);
    }
    auto same = std::find_if(rules_.begin(), rules_.end(), [&](const Entry& x) {
      return x.family == e.family && x.network == e.network && x.mask == e.mask;
    });
    if (same == rules_.end()) {
      e.flags = r.unrestrict ? 0 : r.flags;
      rules_.push_back(e);
    } else if (r.unrestrict) {
      same->flags &= ~r.flags;
    } else {
      same->flags |= r.flags;
    }
  }
  // Most specific first: more mask bits, then the larger mask (ntpd's order for odd masks), then
  // the network, so the first match of Lookup is ntpd's last match.
  std::sort(rules_.begin(), rules_.end(), [](const Entry& a, const Entry& b) {
    if (a.mask_bits != b.mask_bits) return a.mask_bits > b.mask_bits;
    if (a.mask != b.mask) return a.mask > b.mask;
    return a.network > b.network;
  });
}

namespace {

// Whether `bytes` & `mask` == `network`, as two 64-bit words: the mask's bytes beyond the
// family's length are zero, so all 16 compare (the server asks this for every request).
bool MatchesWords(const std::array<uint8_t, 16>& bytes, const std::array<uint8_t, 16>& mask,
                  const std::array<uint8_t, 16>& network) {
  uint64_t b[2], m[2], n[2];
  std::memcpy(b, bytes.data(), 16);
  std::memcpy(m, mask.data(), 16);
  std::memcpy(n, network.data(), 16);
  return ((b[0] & m[0]) == n[0]) & ((b[1] & m[1]) == n[1]);
}

}  // namespace

AccessFlags RestrictTable::Lookup(const NetAddress& source) const {
  for (const Entry& e : rules_) {
    if (e.family == source.family() && MatchesWords(source.bytes(), e.mask, e.network)) return AccessFlags{e.flags};
  }
  return AccessFlags{};
}

bool RestrictTable::AllowQuery(const NetAddress& source) const {
  const AccessFlags f = Lookup(source);
  return !f.Has(Restrict::kIgnore) && !f.Has(Restrict::kNoQuery);
}

}  // namespace tempus::core::server

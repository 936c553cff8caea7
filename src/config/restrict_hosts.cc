// Looking up the names of restrict lines.
#include "config/restrict_hosts.h"

#include <fmt/format.h>

#include <algorithm>

namespace tempus::config {

ResolvedHosts ResolveRestrictHosts(const Config& config, const HostLookup& lookup) {
  ResolvedHosts out;
  std::map<std::string, bool> tried;  // name -> resolved
  for (const RestrictEntry& e : config.restricts) {
    if (e.target != RestrictTarget::kHost) continue;
    auto [it, fresh] = tried.emplace(e.host, false);
    if (fresh) {
      // Both families are asked for; the line's -4/-6 filters when the rules are built.
      auto found = lookup(e.host, core::NetAddress::Family::kNone);
      if (found && !found->empty()) {
        std::vector<core::NetAddress>& list = out.addresses[e.host];
        for (const core::NetAddress& a : *found) {
          const core::NetAddress bare = a.WithPort(0);
          if (std::find(list.begin(), list.end(), bare) == list.end()) list.push_back(bare);
        }
        it->second = true;
      } else {
        out.warnings.push_back({Diagnostic::Severity::kWarning, e.where,
                                fmt::format("restrict {}: the name does not resolve ({}); this line restricts "
                                            "nothing",
                                            e.host, found ? std::string("no addresses") : found.error())});
        continue;
      }
    }
    if (!it->second) continue;
    const auto& list = out.addresses[e.host];
    const bool any = std::any_of(list.begin(), list.end(), [&](const core::NetAddress& a) {
      return e.family == Family::kAny || (e.family == Family::kIPv4) == a.is_v4();
    });
    if (!any) {
      out.warnings.push_back({Diagnostic::Severity::kWarning, e.where,
                              fmt::format("restrict {}: the name has no {} address; this line restricts nothing",
                                          e.host, e.family == Family::kIPv4 ? "IPv4" : "IPv6")});
    }
  }
  return out;
}

}  // namespace tempus::config

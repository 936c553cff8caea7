// PlanListen: ntpd's interface rules over tempusd's listen addresses.
#include "config/listen_plan.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>

namespace tempus::config {
namespace {

using Action = InterfaceRule::Action;
using Match = InterfaceRule::Match;

bool IsWildcard(const core::NetAddress& a) { return a.IsWildcard(); }

// fe80::/10: needs a scope (an interface index) to be bound.
bool IsLinkLocalV6(const core::NetAddress& a) {
  return a.is_v6() && a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
}

bool SamePrefix(const core::NetAddress& a, const core::NetAddress& b, int bits) {
  if (a.family() != b.family()) return false;
  for (int i = 0; i < bits; ++i) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
    if ((a.bytes()[static_cast<size_t>(i / 8)] & mask) != (b.bytes()[static_cast<size_t>(i / 8)] & mask)) return false;
  }
  return true;
}

// ntp_io.c interface_action's match of one rule.
bool Matches(const InterfaceRule& r, const core::InterfaceAddress& c) {
  const bool wildcard = IsWildcard(c.address);
  switch (r.match) {
    case Match::kAll: return !c.loopback && !wildcard;  // "loopback and wildcard excluded from all"
    case Match::kIPv4: return c.address.is_v4();
    case Match::kIPv6: return c.address.is_v6();
    case Match::kWildcard: return wildcard;
    case Match::kAddress:
      if (r.prefix_len < 0) return r.address.family() == c.address.family() && r.address.bytes() == c.address.bytes();
      return SamePrefix(r.address, c.address, r.prefix_len);
    case Match::kName: return !c.name.empty() && ::fnmatch(r.name.c_str(), c.name.c_str(), FNM_CASEFOLD) == 0;
  }
  return false;
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kListen: return "listen";
    case Action::kIgnore: return "ignore";
    case Action::kDrop: return "drop";
  }
  return "listen";
}

}  // namespace

Action InterfaceAction(std::span<const InterfaceRule> rules, const core::InterfaceAddress& address,
                       const InterfaceRule** decided) {
  if (decided != nullptr) *decided = nullptr;
  // ntpd links each rule at the head of its list, so the last one in the file is tried first.
  for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
    if (!Matches(*r, address)) continue;
    if (decided != nullptr) *decided = &*r;
    return r->action;
  }
  if (address.loopback) return Action::kListen;  // ntpq asks localhost
  if (IsWildcard(address.address)) return Action::kDrop;
  return Action::kListen;
}

ListenPlan PlanListen(std::span<const InterfaceRule> rules, std::span<const core::NetAddress> listen,
                      std::span<const core::InterfaceAddress> interfaces) {
  ListenPlan plan;
  if (rules.empty()) {
    for (const core::NetAddress& a : listen) plan.sockets.push_back({a, "", false, true});
    return plan;
  }
  std::vector<core::NetAddress> wanted(listen.begin(), listen.end());
  if (wanted.empty()) {
    wanted = {*core::NetAddress::Parse("0.0.0.0:123"), *core::NetAddress::Parse("[::]:123")};
  }
  // The candidates, each once, in order: a wildcard, then its family's interface addresses.
  std::vector<std::pair<core::InterfaceAddress, bool>> candidates;  // address, required
  const auto add = [&](core::InterfaceAddress c, bool required) {
    for (const auto& [have, req] : candidates) {
      if (have.address == c.address) return;
    }
    candidates.emplace_back(std::move(c), required);
  };
  for (const core::NetAddress& w : wanted) {
    if (!IsWildcard(w)) {
      const auto it = std::find_if(interfaces.begin(), interfaces.end(), [&](const core::InterfaceAddress& i) {
        return i.address.WithPort(0) == w.WithPort(0);
      });
      add(it != interfaces.end() ? core::InterfaceAddress{it->name, w, it->loopback}
                                 : core::InterfaceAddress{"", w, w.IsLoopback()},
          /*required=*/true);
      continue;
    }
    add({"", w, false}, false);
    for (const core::InterfaceAddress& i : interfaces) {
      if (i.address.family() != w.family() || IsWildcard(i.address) || IsLinkLocalV6(i.address)) continue;
      add({i.name, i.address.WithPort(w.port()), i.loopback}, false);
    }
  }
  std::vector<bool> used(rules.size(), false);
  for (const auto& [c, required] : candidates) {
    for (size_t i = 0; i < rules.size(); ++i) used[i] = used[i] || Matches(rules[i], c);
    const InterfaceRule* rule = nullptr;
    const Action action = InterfaceAction(rules, c, &rule);
    const std::string why = rule != nullptr
                                ? fmt::format("{}:{}:{}", rule->where.file, rule->where.line, rule->where.column)
                            : c.loopback            ? "default for loopback addresses"
                            : IsWildcard(c.address) ? "default for wildcard addresses"
                                                    : "default";
    plan.decisions.push_back(fmt::format("{}{}: {} ({})", c.address.ToStringWithPort(),
                                         c.name.empty() ? "" : fmt::format(" ({})", c.name), ActionName(action), why));
    if (action == Action::kIgnore) continue;
    plan.sockets.push_back({c.address, c.name, action == Action::kDrop, required});
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!used[i])
      plan.warnings.push_back({Diagnostic::Severity::kWarning, rules[i].where,
                               "this interface rule matches no address tempusd could listen on"});
  }
  return plan;
}

std::vector<core::NetAddress> ServedAddresses(std::span<const core::NetAddress> sockets,
                                              std::span<const core::InterfaceAddress> interfaces) {
  std::vector<core::NetAddress> out;
  const auto add = [&out](const core::NetAddress& a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  };
  for (const core::NetAddress& s : sockets) {
    if (!s.IsWildcard()) {
      add(s);
      continue;
    }
    for (const core::InterfaceAddress& i : interfaces) {
      if (i.address.family() == s.family()) add(i.address.WithPort(s.port()));
    }
  }
  return out;
}

}  // namespace tempus::config

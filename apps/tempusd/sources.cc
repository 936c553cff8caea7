#include "sources.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "config/to_core.h"
#include "log.h"

namespace tempus::daemon {

namespace {

const char* KindName(config::AssocKind k) {
  switch (k) {
    case config::AssocKind::kPool: return "pool";
    case config::AssocKind::kPeer: return "peer";
    default: return "server";
  }
}

}  // namespace

core::NetAddress::Family Sources::ToFamily(config::Family f) {
  switch (f) {
    case config::Family::kIPv4: return core::NetAddress::Family::kIPv4;
    case config::Family::kIPv6: return core::NetAddress::Family::kIPv6;
    default: return core::NetAddress::Family::kNone;
  }
}

Sources::Sources(engine::Node& node, size_t pool_size) : node_(node), pool_size_(std::max<size_t>(pool_size, 1)) {}

Sources::~Sources() = default;  // a lookup thread still running keeps its AsyncLookup alive by itself

void Sources::SetPoolSize(size_t pool_size) { pool_size_ = std::max<size_t>(pool_size, 1); }

std::string Sources::KeyOf(const config::ServerConfig& s) {
  return fmt::format("{} {} fam={} ib={} b={} pref={} nosel={} true={} min={} max={} key={} v={} port={}",
                     KindName(s.kind), s.host, static_cast<int>(s.family), s.iburst, s.burst, s.prefer, s.noselect,
                     s.truechimer, s.minpoll.log2(), s.maxpoll.log2(), s.key ? static_cast<int64_t>(*s.key) : -1,
                     s.version, s.port);
}

std::string Sources::Where(const Line& line) const {
  return fmt::format("{}:{}: {} {}", line.config.where.file, line.config.where.line, KindName(line.config.kind),
                     line.config.host);
}

size_t Sources::Wanted(const Line& line) const { return line.config.kind == config::AssocKind::kPool ? pool_size_ : 1; }

Sources::Counts Sources::Apply(const std::vector<config::ServerConfig>& lines, core::MonoTime now) {
  Counts counts;
  std::vector<bool> kept(lines_.size(), false);
  std::vector<Line> next;
  std::vector<const config::ServerConfig*> fresh;
  for (const auto& l : lines) {
    if (l.nts) continue;  // NtsSources' (nts_sources.h)
    const std::string key = KeyOf(l);
    bool found = false;
    for (size_t i = 0; i < lines_.size() && !found; ++i) {
      if (kept[i] || lines_[i].key != key) continue;
      kept[i] = found = true;
      lines_[i].config.where = l.where;  // the line may have moved
      for (uint32_t id : lines_[i].ids) {
        if (auto a = node_.associations().find(id); a != node_.associations().end()) {
          Log(fmt::format("{}: kept {} (reach {:03o}, poll {}, {} samples)", Where(lines_[i]),
                          a->second->config().address.ToStringWithPort(), a->second->reach(), a->second->hpoll().log2(),
                          a->second->stats().accepted));
        }
      }
      // A pool short of what it may keep now (tos maxclock grew: SetPoolSize first) looks for more
      // at once; one with more (it fell) lets the extra associations go.
      if (lines_[i].config.kind == config::AssocKind::kPool && lines_[i].ids.size() < Wanted(lines_[i])) {
        lines_[i].schedule.LookUpNow(now);
      }
      Shed(lines_[i]);
      next.push_back(std::move(lines_[i]));
      ++counts.kept;
    }
    if (!found) fresh.push_back(&l);
  }
  for (size_t i = 0; i < lines_.size(); ++i) {
    if (kept[i]) continue;
    for (uint32_t id : lines_[i].ids) node_.RemoveSource(id);
    Log(fmt::format("{}: removed ({} association(s))", Where(lines_[i]), lines_[i].ids.size()));
    ++counts.removed;
  }
  lines_ = std::move(next);
  for (const config::ServerConfig* l : fresh) {
    Line line;
    line.config = *l;
    line.key = KeyOf(*l);
    line.schedule.next = now;
    lines_.push_back(std::move(line));
    ++counts.added;
    Line& added = lines_.back();
    if (added.config.address) {  // numeric: no lookup
      added.schedule.want = false;
      added.known = {*added.config.address};
      Fill(added, now);
    }
  }
  return counts;
}

void Sources::Tick(core::MonoTime now) {
  for (Line& line : lines_) {
    if (line.lookup) FinishLookup(line, now);
    ReplaceUnreachable(line, now);
    if (!line.lookup && line.schedule.Due(now)) StartLookup(line, now);
  }
}

std::optional<core::MonoTime> Sources::NextTick(core::MonoTime now) const {
  std::optional<core::MonoTime> next;
  for (const Line& line : lines_) {
    std::optional<core::MonoTime> t;
    if (line.lookup) {
      t = now + kTickWhileLookingUp;
    } else if (line.schedule.want) {
      t = std::max(line.schedule.next, now);
    }
    if (t && (!next || *t < *next)) next = t;
  }
  return next;
}

void Sources::StartLookup(Line& line, core::MonoTime /*now*/) {
  line.lookup = AsyncLookup::Start(line.config.host, line.config.port, ToFamily(line.config.family));
}

void Sources::FinishLookup(Line& line, core::MonoTime now) {
  std::optional<AsyncLookup::Addresses> result = line.lookup->Take();
  if (!result) return;
  line.lookup.reset();
  if (!*result || (*result)->empty()) {
    Log(fmt::format("{}: warning: {}; retrying in {:.0f} s", Where(line), *result ? "no address" : result->error(),
                    line.schedule.backoff.Seconds()));
    line.schedule.RetryLater(now);
    return;
  }
  line.known = std::move(**result);
  line.schedule.want = false;
  Fill(line, now);
}

void Sources::Fill(Line& line, core::MonoTime now) {
  std::set<core::NetAddress> in_use;
  for (const auto& [id, a] : node_.associations()) in_use.insert(a->config().address);
  size_t added = 0;
  for (const auto& address : line.known) {
    if (line.ids.size() >= Wanted(line)) break;
    if (in_use.count(address) || line.schedule.Retired(address)) continue;
    auto id = node_.AddSource(config::ToAssociationConfig(line.config, address));
    if (!id) {
      Log(fmt::format("{}: {}", Where(line), id.error()));
      continue;
    }
    line.ids.push_back(*id);
    in_use.insert(address);
    ++added;
    Log(fmt::format("{}: association with {}", Where(line), address.ToStringWithPort()));
  }
  if (line.ids.size() >= Wanted(line) || line.config.kind != config::AssocKind::kPool) {
    line.schedule.Satisfied();
    return;
  }
  // A pool short of addresses: look again later; the retired ones get another chance then.
  if (added == 0) {
    Log(fmt::format("{}: no new address ({} in use); looking up again in {:.0f} s", Where(line), line.ids.size(),
                    line.schedule.backoff.Seconds()));
  }
  line.schedule.Short(added, now);
}

int Sources::KeepRank(const engine::Node& node, std::optional<uint32_t> id) {
  if (!id) return -1;
  auto a = node.associations().find(*id);
  if (a == node.associations().end() || a->second->demobilized()) return -1;
  return (node.system().system_peer() == id ? 9 : 0) + std::popcount(a->second->reach());
}

void Sources::Shed(Line& line) {
  if (line.ids.size() <= Wanted(line)) return;
  // Kept first: the system peer, then the associations whose reach register has the most
  // answers, then the older ones (stable_sort keeps the order of ids, oldest first).
  const auto& assocs = node_.associations();
  std::stable_sort(line.ids.begin(), line.ids.end(),
                   [&](uint32_t x, uint32_t y) { return KeepRank(node_, x) > KeepRank(node_, y); });
  for (size_t i = Wanted(line); i < line.ids.size(); ++i) {
    if (auto a = assocs.find(line.ids[i]); a != assocs.end()) {
      Log(fmt::format("{}: dropped {} (reach {:03o}): the pool keeps {} (tos maxclock)", Where(line),
                      a->second->config().address.ToStringWithPort(), a->second->reach(), Wanted(line)));
    }
    node_.RemoveSource(line.ids[i]);
  }
  line.ids.resize(Wanted(line));
}

void Sources::ReplaceUnreachable(Line& line, core::MonoTime now) {
  if (line.config.kind != config::AssocKind::kPool) return;
  const auto& assocs = node_.associations();
  for (auto it = line.ids.begin(); it != line.ids.end();) {
    auto a = assocs.find(*it);
    const bool gone = a == assocs.end() || a->second->demobilized();
    if (!gone && !LookupSchedule::Unreachable(a->second->reach(), a->second->stats().sent)) {
      ++it;
      continue;
    }
    if (!gone) {
      const core::NetAddress address = a->second->config().address;
      line.schedule.Retire(address, now);
      Log(fmt::format("{}: {} unreachable after {} requests; replacing it", Where(line), address.ToStringWithPort(),
                      a->second->stats().sent));
    } else {
      line.schedule.LookUpNow(now);
    }
    node_.RemoveSource(*it);
    it = line.ids.erase(it);
  }
}

}  // namespace tempus::daemon

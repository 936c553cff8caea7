#include "nts_sources.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "config/to_core.h"
#include "crypto/ke_client_keys.h"
#include "log.h"

namespace tempus::daemon {

using core::nts::NtsVerdict;

namespace {

// The name NTS-KE checks the certificate for: the host as written, an IPv6 literal without its
// brackets and zone ("[fe80::1]%eth0" -> "fe80::1").
std::string KeHost(std::string host) {
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.find(']') - 1);
  return host;
}

// "ntp.conf:3: pool HOST nts", where a pool line and its addresses' log lines start.
std::string PoolWhere(const config::ServerConfig& pool) {
  return fmt::format("{}:{}: pool {} nts", pool.where.file, pool.where.line, pool.host);
}

}  // namespace

NtsSources::NtsSources(engine::Node& node, io::PollLoop& loop, Random& random, std::string default_ca)
    : node_(node), loop_(loop), random_(random), default_ca_(std::move(default_ca)) {}

NtsSources::~NtsSources() {
  if (timer_) loop_.CancelTimer(*timer_);
}

std::string NtsSources::Where(const Line& line) const {
  if (line.config.kind == config::AssocKind::kPool) {
    return fmt::format("{} ({})", PoolWhere(line.config), line.ke_address->ToString());
  }
  return fmt::format("{}:{}: server {} nts", line.config.where.file, line.config.where.line, line.config.host);
}

std::string NtsSources::Where(const Pool& pool) const { return PoolWhere(pool.config); }

std::string NtsSources::Name(const Line& line) {
  if (line.config.kind != config::AssocKind::kPool) return line.config.host;
  return fmt::format("{} {}", line.config.host, line.ke_address->ToString());
}

std::string NtsSources::KeyOf(const config::ServerConfig& line) const {
  return fmt::format("{} ca={} noval={}", Sources::KeyOf(line), line.ca.value_or(default_ca_), line.noval);
}

Sources::Counts NtsSources::Apply(const std::vector<config::ServerConfig>& lines, size_t pool_size,
                                  std::string default_ca) {
  pool_size_ = std::max<size_t>(pool_size, 1);
  default_ca_ = std::move(default_ca);
  const core::MonoTime now = loop_.Now();
  Sources::Counts counts;
  std::vector<bool> kept_pool(pools_.size(), false);
  std::vector<std::unique_ptr<Line>> next;
  std::vector<Pool> next_pools;
  // Moves the lines of `key` (those of one pool, or the first such server line) into `next`.
  const auto keep = [&](const std::string& key, const config::ServerConfig& l, bool all) {
    size_t moved = 0;
    for (auto& line : lines_) {
      if (!line || line->key != key || line->config.kind != l.kind) continue;
      line->config.where = l.where;  // the line may have moved
      Log(fmt::format("{}: kept ({} cookies, {} NTS-KE)", Where(*line), line->state.cookies(),
                      line->state.stats().ke_ok));
      next.push_back(std::move(line));
      ++moved;
      if (!all) break;
    }
    return moved;
  };
  for (const config::ServerConfig& l : lines) {
    if (!l.nts) continue;
    const std::string key = KeyOf(l);
    if (l.kind == config::AssocKind::kPool) {
      bool found = false;
      for (size_t i = 0; i < pools_.size() && !found; ++i) {
        if (kept_pool[i] || pools_[i].key != key) continue;
        kept_pool[i] = found = true;
        pools_[i].config.where = l.where;
        // A pool short of what it may keep now (tos maxclock grew) looks for more at once; one
        // with more (it fell) lets the least useful addresses go.
        const size_t moved = keep(key, l, /*all=*/true);
        if (moved < pool_size_) pools_[i].schedule.LookUpNow(now);
        if (moved > pool_size_) {
          const auto first = next.end() - static_cast<std::ptrdiff_t>(moved);
          std::stable_sort(first, next.end(), [&](const auto& x, const auto& y) {
            return Sources::KeepRank(node_, x->id) > Sources::KeepRank(node_, y->id);
          });
          for (auto it = first + static_cast<std::ptrdiff_t>(pool_size_); it != next.end(); ++it) {
            Log(fmt::format("{}: dropped: the pool keeps {} (tos maxclock)", Where(**it), pool_size_));
            Remove(**it);
          }
          next.erase(first + static_cast<std::ptrdiff_t>(pool_size_), next.end());
        }
        next_pools.push_back(std::move(pools_[i]));
      }
      if (!found) {
        next_pools.push_back(Pool{l, key, {}, {}});
        next_pools.back().schedule.next = now;
      }
      ++(found ? counts.kept : counts.added);
      continue;
    }
    if (keep(key, l, /*all=*/false) > 0) {
      ++counts.kept;
      continue;
    }
    next.push_back(std::make_unique<Line>(Line{l, core::nts::NtsAssociation(now), {}, {}, {}, {}, key, {}, {}, {}}));
    ++counts.added;
  }
  for (auto& line : lines_) {
    if (!line) continue;
    Log(fmt::format("{}: removed ({} association(s))", Where(*line), line->id ? 1 : 0));
    Remove(*line);
  }
  for (size_t i = 0; i < pools_.size(); ++i) {
    if (kept_pool[i]) continue;
    Log(fmt::format("{}: removed", Where(pools_[i])));
    ++counts.removed;
  }
  counts.removed += static_cast<int>(std::count_if(lines_.begin(), lines_.end(), [](const auto& line) {
    return line && line->config.kind != config::AssocKind::kPool;
  }));
  lines_ = std::move(next);
  pools_ = std::move(next_pools);
  Schedule();
  return counts;
}

// Its association goes; an NTS-KE under way is cancelled with its client.
void NtsSources::Remove(Line& line) {
  if (line.id) {
    node_.RemoveSource(*line.id);
    by_id_.erase(*line.id);
    by_address_.erase(line.ntp);
  }
}

void NtsSources::Schedule() {
  std::optional<core::MonoTime> next;
  bool retire = false;
  for (const auto& line : lines_) {
    if (GivenUp(*line, &retire)) next = loop_.Now();  // ReplaceGivenUp at once
    if (line->state.phase() != core::nts::NtsPhase::kKeDue) continue;
    if (!next || line->state.next_ke() < *next) next = line->state.next_ke();
  }
  bool looking_up = false;
  for (const Pool& pool : pools_) {
    looking_up = looking_up || pool.lookup;
    if (pool.schedule.want && !pool.lookup && (!next || pool.schedule.next < *next)) next = pool.schedule.next;
  }
  for (const auto& line : lines_) looking_up = looking_up || line->lookup || line->ntp_lookup;
  // A lookup's thread cannot wake the loop: look at it again a second from now.
  if (looking_up) {
    const core::MonoTime soon = loop_.Now() + Sources::kTickWhileLookingUp;
    if (!next || soon < *next) next = soon;
  }
  if (timer_) loop_.CancelTimer(*timer_);
  timer_.reset();
  if (!next) return;
  timer_ = loop_.AddTimer(*next, [this] {
    timer_.reset();
    RunDue();
  });
}

void NtsSources::RunDue() {
  const core::MonoTime now = loop_.Now();
  ReplaceGivenUp(now);
  for (Pool& pool : pools_) {
    if (pool.lookup) {
      if (auto found = pool.lookup->Take()) {
        pool.lookup.reset();
        FillPool(pool, *found);
      }
    } else if (pool.schedule.Due(now)) {
      pool.schedule.want = false;
      pool.lookup = AsyncLookup::Start(pool.config.host, pool.config.port, Sources::ToFamily(pool.config.family));
    }
  }
  // Indexes, not iterators: FillPool above may have added lines, and a lookup's end may fail.
  for (size_t i = 0; i < lines_.size(); ++i) {
    Line& line = *lines_[i];
    if (line.ntp_lookup) {
      if (auto found = line.ntp_lookup->Take()) NtpLookedUp(line, *found);
    } else if (line.lookup) {
      if (auto found = line.lookup->Take()) {
        line.lookup.reset();
        if (!*found || (*found)->empty()) {
          KeFailed(line, "lookup", *found ? "no address" : found->error());
        } else {
          line.ke_address = (*found)->front().WithPort(line.config.port);
          Connect(line);
        }
      }
    } else if (line.state.KeDue(now)) {
      StartKe(line);
    }
  }
  Schedule();
}

// Each address of the pool not yet an NTS association's becomes one (its NTS-KE due at once),
// up to pool_size_; a pool still short looks again after its back-off.
void NtsSources::FillPool(Pool& pool, const AsyncLookup::Addresses& found) {
  const core::MonoTime now = loop_.Now();
  size_t members = 0;
  std::set<core::NetAddress> in_use;
  for (const auto& line : lines_) {
    if (line->ke_address) in_use.insert(*line->ke_address);
    if (line->config.kind == config::AssocKind::kPool && line->key == pool.key) ++members;
  }
  size_t added = 0;
  if (!found) {
    Log(fmt::format("{}: warning: {}; retrying in {:.0f} s", Where(pool), found.error(),
                    pool.schedule.backoff.Seconds()));
  } else {
    for (const core::NetAddress& address : *found) {
      if (members >= pool_size_) break;
      if (in_use.count(address) || pool.schedule.Retired(address)) continue;
      auto line = std::make_unique<Line>(
          Line{pool.config, core::nts::NtsAssociation(now), {}, address, {}, {}, pool.key, {}, {}, {}});
      Log(fmt::format("{}: NTS association with {}", Where(pool), address.ToStringWithPort()));
      lines_.push_back(std::move(line));
      in_use.insert(address);
      ++members;
      ++added;
    }
  }
  if (members >= pool_size_) {
    pool.schedule.Satisfied();
  } else if (!found) {
    pool.schedule.RetryLater(now);
  } else {
    // Short of addresses: look again later; the retired ones get another chance then.
    if (added == 0) {
      Log(fmt::format("{}: no new address ({} in use); looking up again in {:.0f} s", Where(pool), members,
                      pool.schedule.backoff.Seconds()));
    }
    pool.schedule.Short(added, now);
  }
}

std::optional<std::string> NtsSources::GivenUp(const Line& line, bool* retire) const {
  if (line.config.kind != config::AssocKind::kPool) return std::nullopt;
  *retire = true;
  if (line.state.phase() == core::nts::NtsPhase::kKeDue && line.state.failures() >= LookupSchedule::kKeFailures) {
    return fmt::format("NTS-KE failed {} times in a row", line.state.failures());
  }
  // A waiting association (shown while NTS-KE fails) sends nothing: its reach says nothing of the
  // server, the NTS-KE failures above decide.
  if (!line.id || line.waiting) return std::nullopt;
  const auto& assocs = node_.associations();
  auto a = assocs.find(*line.id);
  if (a == assocs.end() || a->second->demobilized()) {
    *retire = false;
    return "demobilized";
  }
  if (LookupSchedule::Unreachable(a->second->reach(), a->second->stats().sent)) {
    return fmt::format("{} unreachable after {} requests", line.ntp.ToStringWithPort(), a->second->stats().sent);
  }
  return std::nullopt;
}

void NtsSources::ReplaceGivenUp(core::MonoTime now) {
  for (auto it = lines_.begin(); it != lines_.end();) {
    bool retire = false;
    const std::optional<std::string> why = GivenUp(**it, &retire);
    if (!why) {
      ++it;
      continue;
    }
    Line& line = **it;
    Log(fmt::format("{}: {}; replacing it", Where(line), *why));
    for (Pool& pool : pools_) {
      if (pool.key != line.key) continue;
      if (retire) {
        pool.schedule.Retire(*line.ke_address, now);
      } else {
        pool.schedule.LookUpNow(now);
      }
    }
    Remove(line);
    it = lines_.erase(it);
  }
}

// The host is looked up first (once; on a helper thread, RunDue takes the result), then Connect.
void NtsSources::StartKe(Line& line) {
  line.state.KeStarted();
  if (!line.ke_address && line.config.address) line.ke_address = line.config.address;
  if (!line.ke_address) {
    line.lookup = AsyncLookup::Start(line.config.host, line.config.port, Sources::ToFamily(line.config.family));
    return;
  }
  Connect(line);
}

void NtsSources::Connect(Line& line) {
  io::NtsKeClientOptions options;
  options.host = KeHost(line.config.host);
  options.address = *line.ke_address;
  options.ca_file = line.config.ca.value_or(default_ca_);
  options.verify = !line.config.noval;
  Line* l = &line;
  auto ke =
      io::NtsKeClient::Start(options, loop_, crypto::ExportClientKeys,
                             [this, l](Result<io::NtsKeSession, io::NtsKeFailure> r) { KeDone(*l, std::move(r)); });
  if (!ke) {
    KeFailed(line, io::NtsKeErrorName(ke.error().error), ke.error().ToString());
    return;
  }
  line.ke = std::move(*ke);
}

void NtsSources::KeFailed(Line& line, std::string_view reason, const std::string& detail) {
  const bool changed = line.state.KeFailed(reason, loop_.Now(), random_);
  // Shown while its NTS-KE fails, at the address NTS-KE names by default; it sends nothing. Tried
  // when the reason changes (an address another line has is refused and logged once a reason).
  if (!line.id && line.ke_address && changed) {
    if (auto ntp = io::NtpAddressAfterKe(*line.ke_address, {})) Associate(line, *ntp);
    line.waiting = line.id.has_value();
  }
  Publish(line);
  const double wait = (line.state.next_ke() - loop_.Now()).Seconds();
  // Once per change of reason: a server down for a day is one line, not one per retry.
  if (changed) Log(fmt::format("{}: NTS-KE failed: {}; retrying in {:.0f} s (backing off)", Where(line), detail, wait));
}

void NtsSources::KeDone(Line& line, Result<io::NtsKeSession, io::NtsKeFailure> result) {
  line.ke.reset();  // allowed from its own callback (nts_ke_client.h)
  if (!result) {
    KeFailed(line, io::NtsKeErrorName(result.error().error), result.error().ToString());
  } else if (io::NtpServerAfterKe ntp = io::NtpServerOf(*line.ke_address, result->outcome); ntp.address) {
    SessionReady(line, *result, *ntp.address);
  } else {
    // A host name: looked up on a helper thread (a dead name server must not stop the loop);
    // the session and its cookies wait for it, and the NTS-KE counts as running meanwhile.
    Log(fmt::format("{}: NTS-KE with {} names the NTP server {}: looking it up", Where(line),
                    line.ke_address->ToStringWithPort(), ntp.name));
    line.ntp_lookup = AsyncLookup::Start(ntp.name, ntp.port, Sources::ToFamily(line.config.family));
    line.pending = PendingSession{std::move(*result), std::move(ntp.name), ntp.port};
  }
  Schedule();
}

void NtsSources::NtpLookedUp(Line& line, const AsyncLookup::Addresses& found) {
  line.ntp_lookup.reset();
  PendingSession pending = std::move(*line.pending);
  line.pending.reset();
  auto ntp = io::NtpAddressOf(pending.name, pending.port, found);
  if (!ntp) {
    KeFailed(line, "ntp_server", ntp.error());
    return;
  }
  SessionReady(line, pending.session, *ntp);
}

void NtsSources::SessionReady(Line& line, const io::NtsKeSession& session, const core::NetAddress& ntp) {
  const bool was_failing = !line.state.last_failure().empty();
  line.state.KeSucceeded(session.keys, session.outcome.cookies, loop_.Now());
  Log(fmt::format("{}: NTS-KE with {}: {} cookies, NTP at {}{}", Where(line), line.ke_address->ToStringWithPort(),
                  session.outcome.cookies.size(), ntp.ToStringWithPort(), was_failing ? " (recovered)" : ""));
  Associate(line, ntp);
  Publish(line);
}

void NtsSources::Associate(Line& line, const core::NetAddress& ntp) {
  // The association goes on with the new session; one that waited for it starts afresh.
  if (line.id && line.ntp == ntp && !line.waiting) return;
  line.waiting = false;
  if (line.id) {
    node_.RemoveSource(*line.id);
    by_id_.erase(*line.id);
    by_address_.erase(line.ntp);
    line.id.reset();
  }
  line.ntp = ntp;
  by_address_[ntp] = &line;
  mobilizing_ = &line;  // its first request goes out inside AddSource, before the id is known
  auto id = node_.AddSource(config::ToAssociationConfig(line.config, ntp));
  mobilizing_ = nullptr;
  if (!id) {
    by_address_.erase(ntp);
    Log(fmt::format("{}: {}", Where(line), id.error()));
    return;
  }
  line.id = *id;
  by_id_[*id] = &line;
}

std::optional<size_t> NtsSources::WrapRequest(uint32_t source, std::span<const uint8_t> header,
                                              std::span<uint8_t> out) {
  Line* line = nullptr;
  if (auto it = by_id_.find(source); it != by_id_.end()) {
    line = it->second;
  } else if (mobilizing_ != nullptr) {
    line = mobilizing_;
  }
  if (line == nullptr) return std::nullopt;
  auto size = line->state.WrapRequest(header, random_, aead_, out, loop_.Now());
  Publish(*line);
  bool retire = false;
  // The cookies ran out (a new NTS-KE), or a pool's address is given up (unreachable).
  if ((!size && line->state.KeDue(loop_.Now())) || GivenUp(*line, &retire)) Schedule();
  return size;
}

bool NtsSources::AdmitReply(const core::NetAddress& from, std::span<const uint8_t> bytes) {
  auto it = by_address_.find(from);
  if (it == by_address_.end()) return true;  // not an NTS association's server
  Line& line = *it->second;
  const NtsVerdict verdict = line.state.OnReply(bytes, aead_, loop_.Now());
  Publish(line);
  if (verdict == NtsVerdict::kNak) {
    Log(fmt::format("{}: NTS NAK from {} (our cookies are no longer good): new NTS-KE", Where(line),
                    from.ToStringWithPort()));
    Schedule();
  }
  return verdict == NtsVerdict::kAccept;
}

void NtsSources::Publish(const Line& line) {
  if (!line.id) return;  // no association yet (before the first NTS-KE ends, or no address): the log and /metrics
  core::report::NtsSourceState s;
  s.cookies = line.state.cookies();
  if (line.config.kind == config::AssocKind::kPool && line.ke_address) {
    // The pool's name, and this address.
    s.ke_server = fmt::format("{} {}", line.config.host, line.ke_address->ToStringWithPort());
  } else {
    // The host as KE checks it ("[::1]" is written bracketed and stored so: bracketed once here).
    const std::string host = KeHost(line.config.host);
    s.ke_server = host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, line.config.port)
                                                      : fmt::format("{}:{}", host, line.config.port);
  }
  s.last_ke = line.state.last_ke();
  s.ke_ok = line.state.stats().ke_ok;
  s.ke_failed = line.state.stats().ke_failed;
  s.last_failure = line.state.last_failure();
  s.requests = line.state.stats().requests;
  s.accepted = line.state.stats().accepted;
  s.dropped = line.state.dropped();
  node_.SetNtsState(*line.id, std::move(s));
}

std::vector<std::string> NtsSources::Summary() const {
  std::vector<std::string> out;
  for (const auto& line : lines_) {
    const core::nts::NtsAssociationStats& s = line->state.stats();
    std::string drops;
    for (size_t i = 0; i < s.drops.size(); ++i) {
      if (s.drops[i] == 0) continue;
      drops += fmt::format("{}{} {}", drops.empty() ? "" : ", ", s.drops[i],
                           core::nts::NtsReplyErrorName(static_cast<core::nts::NtsReplyError>(i)));
    }
    if (s.dropped_no_session > 0)
      drops += fmt::format("{}{} without a session", drops.empty() ? "" : ", ", s.dropped_no_session);
    out.push_back(
        fmt::format("{}: NTS-KE {} ok, {} failed; {} requests ({} polls unsent); {} replies authenticated, "
                    "{} dropped{}; {} cookies held",
                    Where(*line), s.ke_ok, s.ke_failed, s.requests, s.unsent, s.accepted, line->state.dropped(),
                    drops.empty() ? "" : " (" + drops + ")", line->state.cookies()));
  }
  return out;
}

std::string NtsSources::RenderMetrics() const {
  if (lines_.empty()) return {};
  std::string out =
      "# HELP tempus_nts_client_ke_total NTS-KE exchanges of tempusd's NTS sources, by result.\n"
      "# TYPE tempus_nts_client_ke_total counter\n";
  for (const auto& line : lines_) {
    const auto& s = line->state.stats();
    out += fmt::format("tempus_nts_client_ke_total{{server=\"{}\",result=\"ok\"}} {}\n", Name(*line), s.ke_ok);
    out += fmt::format("tempus_nts_client_ke_total{{server=\"{}\",result=\"failed\"}} {}\n", Name(*line), s.ke_failed);
  }
  out +=
      "# HELP tempus_nts_client_replies_dropped_total Replies to NTS sources that did not authenticate, by reason.\n"
      "# TYPE tempus_nts_client_replies_dropped_total counter\n";
  for (const auto& line : lines_) {
    const auto& s = line->state.stats();
    for (size_t i = 0; i < s.drops.size(); ++i) {
      out += fmt::format("tempus_nts_client_replies_dropped_total{{server=\"{}\",reason=\"{}\"}} {}\n", Name(*line),
                         core::nts::NtsReplyErrorName(static_cast<core::nts::NtsReplyError>(i)), s.drops[i]);
    }
  }
  out +=
      "# HELP tempus_nts_client_cookies Cookies an NTS source holds.\n"
      "# TYPE tempus_nts_client_cookies gauge\n";
  for (const auto& line : lines_) {
    out += fmt::format("tempus_nts_client_cookies{{server=\"{}\"}} {}\n", Name(*line), line->state.cookies());
  }
  return out;
}

}  // namespace tempus::daemon

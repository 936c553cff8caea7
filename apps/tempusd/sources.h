// Sources: the daemon's server and pool lines, kept in step with the engine::Node's
// associations across reloads, name lookups and pool replacements.
//
// Apply(lines) makes the associations match a configuration: a line whose text did not change
// (same kind, host and options; its place in the file may move) keeps its associations and their
// state (reach, filter, poll); removed lines demobilize theirs; new lines start. Names are looked
// up on a helper thread so a slow or dead DNS server never blocks the loop; a failed lookup is
// reported once per attempt and retried with back-off (kFirstRetry doubling up to kMaxRetry).
// A pool line keeps up to `pool_size` associations; one that stays unreachable (reach 0 after
// kUnreachablePolls requests) or is demobilized by a kiss-o'-death is replaced by another address
// of the pool, looked up again (LookupSchedule: the policy NtsSources' pools share). Tick() does this work; call it
// when NextTick() says, and after every event that changes the associations (a poll, a reply, a reload). `nts` lines
// are NtsSources' (nts_sources.h): Apply skips them. Not thread-safe (the lookup threads only touch their own shared
// result).
#ifndef TEMPUS_APPS_TEMPUSD_SOURCES_H_
#define TEMPUS_APPS_TEMPUSD_SOURCES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "async_lookup.h"
#include "config/config.h"
#include "core/time/mono_time.h"
#include "engine/node.h"
#include "lookup_schedule.h"

namespace tempus::daemon {

class Sources {
 public:
  static constexpr core::NtpDuration kFirstRetry = LookupSchedule::kFirstRetry;
  static constexpr core::NtpDuration kMaxRetry = LookupSchedule::kMaxRetry;
  static constexpr uint64_t kUnreachablePolls = LookupSchedule::kUnreachablePolls;

  struct Counts {
    int kept = 0;
    int removed = 0;
    int added = 0;
  };

  // `node` outlives this.
  Sources(engine::Node& node, size_t pool_size);
  ~Sources();
  Sources(const Sources&) = delete;
  Sources& operator=(const Sources&) = delete;

  // Makes the associations follow `lines` (see above). Lookups start at the next Tick.
  Counts Apply(const std::vector<config::ServerConfig>& lines, core::MonoTime now);
  // The associations a pool line keeps from now on (tos maxclock, after a reload). Call it before
  // Apply: a kept pool with fewer associations than this looks its name up again at once.
  void SetPoolSize(size_t pool_size);
  // Finished lookups, pool replacement, retries.
  void Tick(core::MonoTime now);
  // When Tick has work next: `now` plus kTickWhileLookingUp while a lookup is in flight (its
  // helper thread cannot wake the loop), a retry's time, else none: then only a change of the
  // associations (a poll, a kiss-o'-death, a reload) can give it work, and the daemon calls Tick
  // after each of those. So an idle daemon arms no periodic timer for its sources.
  std::optional<core::MonoTime> NextTick(core::MonoTime now) const;
  static constexpr core::NtpDuration kTickWhileLookingUp = core::NtpDuration::FromWholeSeconds(1);
  // The text that identifies a line's content (kind, host, options; not its location).
  static std::string KeyOf(const config::ServerConfig& line);
  // How much a pool wants to keep association `id` when it has more than tos maxclock allows
  // (higher first): the system peer, then by the answers in its reach register; -1 for none.
  static int KeepRank(const engine::Node& node, std::optional<uint32_t> id);
  // The address family a line's -4/-6 asks its lookups for.
  static core::NetAddress::Family ToFamily(config::Family family);

 private:
  struct Line {
    config::ServerConfig config;
    std::string key;
    std::vector<uint32_t> ids;            // the Node's associations of this line
    std::vector<core::NetAddress> known;  // the last lookup's addresses
    std::shared_ptr<AsyncLookup> lookup;  // in flight
    LookupSchedule schedule;              // the next lookup; a pool's retired addresses
  };

  void StartLookup(Line& line, core::MonoTime now);
  void FinishLookup(Line& line, core::MonoTime now);
  void Fill(Line& line, core::MonoTime now);
  void ReplaceUnreachable(Line& line, core::MonoTime now);
  // A pool that has more associations than it may keep (tos maxclock fell) removes the least
  // useful ones.
  void Shed(Line& line);
  size_t Wanted(const Line& line) const;
  std::string Where(const Line& line) const;

  engine::Node& node_;
  size_t pool_size_;
  std::vector<Line> lines_;
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_SOURCES_H_

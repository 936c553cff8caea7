#include "obs/stats_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace tempus::obs {
namespace {

// MJD of the Unix epoch (1970-01-01).
constexpr int64_t kMjdUnixEpoch = 40587;
constexpr int64_t kSecondsPerDay = 86400;

// "MJD seconds.mmm" as ntpd stamps its statistics lines (UTC, milliseconds truncated).
std::string Stamp(core::UnixTime when) {
  int64_t s = when.seconds();
  int64_t day = s / kSecondsPerDay;
  int64_t sec = s % kSecondsPerDay;
  if (sec < 0) {  // before 1970: keep the day floor and a positive second of day
    sec += kSecondsPerDay;
    --day;
  }
  return fmt::format("{} {}.{:03d}", day + kMjdUnixEpoch, sec, when.SubsecondNanos() / 1000000);
}

std::tm Utc(core::UnixTime when) {
  const time_t t = static_cast<time_t>(when.seconds());
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string Errno() { return std::strerror(errno); }

}  // namespace

std::string FormatPeerStats(const engine::PeerStatsRecord& r) {
  return fmt::format("{} {} {:x} {:.9f} {:.9f} {:.9f} {:.9f}", Stamp(r.when), r.address.ToString(), r.status,
                     r.offset.Seconds(), r.delay.Seconds(), r.dispersion.Seconds(), r.jitter.Seconds());
}

std::string FormatLoopStats(const engine::LoopStatsRecord& r) {
  return fmt::format("{} {:.9f} {:.6f} {:.9f} {:.6f} {}", Stamp(r.when), r.offset.Seconds(), r.frequency_ppm,
                     r.jitter.Seconds(), r.wander_ppm, r.time_constant);
}

std::string GenerationSuffix(FileSetOptions::Type type, core::UnixTime when, long pid, core::UnixTime started) {
  using Type = FileSetOptions::Type;
  const std::tm tm = Utc(when);
  switch (type) {
    case Type::kNone: return "";
    case Type::kPid: return fmt::format(".{}", pid);
    case Type::kDay: return fmt::format(".{:04d}{:02d}{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    case Type::kWeek: return fmt::format(".{:04d}w{:02d}", tm.tm_year + 1900, (tm.tm_yday + 1) / 7);
    case Type::kMonth: return fmt::format(".{:04d}{:02d}", tm.tm_year + 1900, tm.tm_mon + 1);
    case Type::kYear: return fmt::format(".{:04d}", tm.tm_year + 1900);
    case Type::kAge: {
      const int64_t age = std::max<int64_t>(0, when.seconds() - started.seconds());
      return fmt::format(".a{:08d}", age - age % kSecondsPerDay);
    }
  }
  return "";
}

std::string RenderStatsMetrics(const StatsFiles& files) {
  return fmt::format(
      "# HELP tempus_stats_lines_total Lines written to the statistics files (peerstats, loopstats)\n"
      "# TYPE tempus_stats_lines_total counter\n"
      "tempus_stats_lines_total {}\n"
      "# HELP tempus_stats_dropped_total Statistics records dropped because a file could not be opened or written\n"
      "# TYPE tempus_stats_dropped_total counter\n"
      "tempus_stats_dropped_total {}\n",
      files.lines_written(), files.errors());
}

StatsFiles::StatsFiles(StatsOptions options, Log log) : options_(std::move(options)), log_(std::move(log)) {
  if (!options_.dir.empty() && options_.dir.back() != '/') options_.dir += '/';
  peerstats_.options = options_.peerstats;
  loopstats_.options = options_.loopstats;
}

StatsFiles::~StatsFiles() {
  for (FileSet* set : {&peerstats_, &loopstats_}) {
    if (set->file != nullptr) std::fclose(set->file);
  }
}

void StatsFiles::Record(const engine::StatsRecord& record) {
  if (const auto* p = std::get_if<engine::PeerStatsRecord>(&record)) {
    if (peerstats_.options.enabled) Write(peerstats_, p->when, FormatPeerStats(*p));
  } else if (const auto* l = std::get_if<engine::LoopStatsRecord>(&record)) {
    if (loopstats_.options.enabled) Write(loopstats_, l->when, FormatLoopStats(*l));
  }
}

void StatsFiles::Write(FileSet& set, core::UnixTime when, const std::string& line) {
  if (!started_) started_ = when;
  const std::string path = options_.dir + set.options.file +
                           GenerationSuffix(set.options.type, when, static_cast<long>(getpid()), *started_);
  if ((set.file == nullptr || path != set.open_path) && !Open(set, path)) return;
  if (std::fputs(line.c_str(), set.file) < 0 || std::fputc('\n', set.file) == EOF || std::fflush(set.file) != 0) {
    Fail(set, fmt::format("cannot write {}: {}", path, Errno()));
    std::fclose(set.file);
    set.file = nullptr;
    set.open_path.clear();
    return;
  }
  if (set.failing) log_(fmt::format("statistics: writing {} again", path));
  set.failing = false;
  ++lines_written_;
}

bool StatsFiles::Open(FileSet& set, const std::string& path) {
  if (set.file != nullptr) std::fclose(set.file);
  set.file = std::fopen(path.c_str(), "a");
  if (set.file == nullptr) {
    set.open_path.clear();
    Fail(set, fmt::format("cannot open {}: {}", path, Errno()));
    return false;
  }
  set.open_path = path;
  if (set.options.link && set.options.type != FileSetOptions::Type::kNone) Link(set, path);
  return true;
}

void StatsFiles::Fail(FileSet& set, const std::string& what) {
  ++errors_;
  if (!set.failing) log_("statistics: " + what + " (records are dropped until it works; not fatal)");
  set.failing = true;
}

// As ntpd's filegen: the plain name becomes a hard link to the current generation. A regular
// file there that is not such a link is kept, renamed to NAME.PID; where hard links fail (some
// file systems), a relative symlink does.
void StatsFiles::Link(FileSet& set, const std::string& path) {
  const std::string base = options_.dir + set.options.file;
  struct stat st {};
  if (lstat(base.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && st.st_nlink > 1)) {
      unlink(base.c_str());
    } else {
      const std::string aside = fmt::format("{}.{}", base, static_cast<long>(getpid()));
      if (rename(base.c_str(), aside.c_str()) != 0) {
        log_(fmt::format("statistics: {} is in the way of the link to {}: {}", base, path, Errno()));
        return;
      }
      log_(fmt::format("statistics: moved {} aside to {}", base, aside));
    }
  }
  if (link(path.c_str(), base.c_str()) == 0) return;
  const std::string target = path.substr(path.find_last_of('/') + 1);
  if (symlink(target.c_str(), base.c_str()) != 0) {
    log_(fmt::format("statistics: cannot link {} to {}: {}", base, path, Errno()));
  }
}

}  // namespace tempus::obs

// StatsFiles: ntpd's statistics files (ntp.conf `statsdir`, `statistics`, `filegen`) for
// peerstats and loopstats, in ntpd's line formats so that existing tools (NTPsec's ntpviz,
// the ntp scripts' summary and plot scripts) read them:
//   peerstats: MJD seconds-of-day address status-hex offset delay dispersion jitter   (s)
//   loopstats: MJD seconds-of-day offset frequency-ppm jitter wander-ppm time-constant
// Each file set is named statsdir + file name + a generation suffix (".YYYYMMDD" for `type day`,
// the default), chosen from the record's own time, so a new file starts at UTC midnight; with
// `link` (the default) the plain name is a hard link (a symlink where that fails) to the current
// generation, as ntpd keeps it. A line is flushed as it is written.
//
// What it is not: fatal. A file that cannot be opened or written is logged once (until it works
// again) and counted; the record is dropped. Real file I/O; not thread-safe (call it on the
// Node's thread, from its StatsObserver).
#ifndef TEMPUS_OBS_STATS_FILES_H_
#define TEMPUS_OBS_STATS_FILES_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "core/time/unix_time.h"
#include "engine/stats_record.h"

namespace tempus::obs {

// One file set (ntpd's FILEGEN).
struct FileSetOptions {
  enum class Type : uint8_t { kNone, kPid, kDay, kWeek, kMonth, kYear, kAge };
  bool enabled = false;
  std::string file;  // the file set's name, e.g. "peerstats"
  Type type = Type::kDay;
  bool link = true;  // keep the plain name linked to the current generation
  bool operator==(const FileSetOptions&) const = default;
};

struct StatsOptions {
  std::string dir = "/var/log/ntpstats/";  // statsdir; joined with the file name as a path
  FileSetOptions peerstats{false, "peerstats"};
  FileSetOptions loopstats{false, "loopstats"};
  bool any_enabled() const { return peerstats.enabled || loopstats.enabled; }
  bool operator==(const StatsOptions&) const = default;
};

// The lines, without the newline (pure formatting).
std::string FormatPeerStats(const engine::PeerStatsRecord& r);
std::string FormatLoopStats(const engine::LoopStatsRecord& r);
// ntpd's generation suffix at `when`: "" (none), ".PID", ".YYYYMMDD", ".YYYYwWW", ".YYYYMM",
// ".YYYY", or ".aNNNNNNNN" (seconds since `started`, in whole days).
std::string GenerationSuffix(FileSetOptions::Type type, core::UnixTime when, long pid, core::UnixTime started);

class StatsFiles;
// Prometheus text for the writer's counters (tempus_stats_lines_total,
// tempus_stats_dropped_total), appended to the node's /metrics.
std::string RenderStatsMetrics(const StatsFiles& files);

class StatsFiles {
 public:
  using Log = std::function<void(const std::string& message)>;
  StatsFiles(StatsOptions options, Log log);
  StatsFiles(const StatsFiles&) = delete;
  StatsFiles& operator=(const StatsFiles&) = delete;
  ~StatsFiles();

  // Appends the record's line to its file set, if that set is enabled.
  void Record(const engine::StatsRecord& record);

  uint64_t lines_written() const { return lines_written_; }
  uint64_t errors() const { return errors_; }  // records dropped for an open or write error

 private:
  struct FileSet {
    FileSetOptions options;
    std::string open_path;  // the generation now open; empty: none
    FILE* file = nullptr;
    bool failing = false;  // an error was logged and nothing has worked since
  };
  void Write(FileSet& set, core::UnixTime when, const std::string& line);
  bool Open(FileSet& set, const std::string& path);
  void Fail(FileSet& set, const std::string& what);
  void Link(FileSet& set, const std::string& path);

  StatsOptions options_;
  Log log_;
  FileSet peerstats_;
  FileSet loopstats_;
  std::optional<core::UnixTime> started_;  // the first record's time (for `type age`)
  uint64_t lines_written_ = 0;
  uint64_t errors_ = 0;
};

}  // namespace tempus::obs

#endif  // TEMPUS_OBS_STATS_FILES_H_

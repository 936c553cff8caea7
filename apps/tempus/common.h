// Pieces shared by the tempus subcommands: server lists, clock flags, formatting.
#ifndef TEMPUS_APPS_TEMPUS_COMMON_H_
#define TEMPUS_APPS_TEMPUS_COMMON_H_

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engine/clock.h"
#include "one_shot.h"

namespace tempus::app {

inline constexpr uint16_t kNtpPort = 123;

// --clock and the virtual clock's knobs.
struct ClockFlags {
  std::string kind = "observe";
  double virtual_offset_s = 0.0;
  double virtual_freq_ppm = 0.0;
};
void AddClockFlags(CLI::App* app, ClockFlags* flags, const std::string& default_kind);
[[nodiscard]] Result<std::unique_ptr<engine::Clock>, std::string> MakeClockFromFlags(const ClockFlags& flags);

// Resolves "host[:port]" words, in `family` (kNone: either; ntpdate -4/-6); the first failure is
// the error ("cannot resolve 'x': ...").
[[nodiscard]] Result<std::vector<ServerSpec>, std::string> ResolveServers(
    const std::vector<std::string>& words, core::NetAddress::Family family = core::NetAddress::Family::kNone);

// -n/--samples (also -p with `ntpdate_names`, as ntpdate spells it), -t/--timeout, --interval.
void AddSamplingFlags(CLI::App* app, OneShotOptions* options, bool ntpdate_names = false);

// Starts frame `frame` (0, 1, ...) of a --watch display: on a terminal the screen is cleared and
// the cursor sent home, so the table redraws in place as `watch ntpq -p` does; elsewhere (a pipe,
// a file, a log) frames are appended, one blank line between them.
void BeginWatchFrame(bool terminal, int frame);

// "+0.250003" (seconds, sign always shown).
std::string FormatSeconds(core::NtpDuration d, int decimals = 6, bool sign = true);
// One server report as JSON (offsets in seconds, RFC 5905 sign: server minus local clock).
nlohmann::json ReportToJson(const ServerReport& r);

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_COMMON_H_

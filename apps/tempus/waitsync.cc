// `tempus waitsync [--max-offset S] [--timeout S] [--interval S] [HOST[:PORT]]`: chronyc waitsync
// and ntpwait. Asks the local daemon (127.0.0.1:123 by default) over mode 6, as `tempus status`
// does (sync_state.h), every --interval until it is synchronized and, with --max-offset, its
// offset is within it. With clock observe the offset that matters is the system clock's
// (sysclk_offset: tempusd does not correct it), so both must be within the bound. Exit 0 once
// they are; at the timeout, the status of the last answer: 5 not synchronized, 7 synchronized
// but the offset above --max-offset; or of the last failure to get one: 2 no reply (refused),
// 3 timeout, 4 an error answer (exit_codes.h). Used by dist/tempus-wait.service.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "cli/checks.h"
#include "common.h"
#include "exit_codes.h"
#include "mode6_client.h"
#include "sim/scenario.h"
#include "subcommands.h"
#include "sync_state.h"

namespace tempus::app {
namespace {

struct WaitArgs {
  std::string server = "127.0.0.1";
  std::string max_offset;  // "0.1", "100ms"; empty: any offset
  double timeout_s = 600;  // ntpwait's 100 tries 6 s apart; 0: wait for ever
  double interval_s = 1;
};

// One try: the exit status it would give and the line that says why.
struct Verdict {
  int exit_code = kExitTimeout;
  std::string line;
};

Verdict Judge(const SyncState& s, std::optional<double> max_offset_s) {
  if (!s.synchronized) {
    return {kExitNoAgreement, s.why.empty() ? "not synchronized" : "not synchronized: " + s.why};
  }
  const std::string to = s.system_peer.empty() ? fmt::format("stratum {}", s.stratum) : s.system_peer;
  // With clock observe the system clock is not corrected: its own offset is what programs see.
  const double offset_s = std::fabs(s.offset_ms) / 1000.0;
  const bool observed = s.system_clock_offset_ms.has_value();
  const double system_ms = s.system_clock_offset_ms.value_or(0.0);
  const double system_s = std::fabs(system_ms) / 1000.0;
  std::string line = fmt::format("synchronized to {}, offset {:+.6f} s", to, s.offset_ms / 1000.0);
  if (observed) {
    line += fmt::format(", system clock {:.6f} s {} the time served (clock observe: not corrected)", system_s,
                        system_ms >= 0 ? "behind" : "ahead of");
  }
  if (max_offset_s && (offset_s > *max_offset_s || (observed && system_s > *max_offset_s))) {
    return {kExitAboveLimit, line + fmt::format(": above --max-offset {} s", *max_offset_s)};
  }
  return {kExitOk, line};
}

Result<SyncState, Mode6Failure> Ask(const core::NetAddress& server, int timeout_ms) {
  auto client = Mode6Client::Open(server, timeout_ms);
  if (!client) return Unexpected(client.error());
  return ReadSyncState(*client);
}

}  // namespace

void RegisterWaitSync(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<WaitArgs>();
  CLI::App* cmd =
      app.add_subcommand("waitsync",
                         "Wait until the local daemon is synchronized, like chronyc waitsync / ntpwait (NTP mode 6)");
  cmd->add_option("server", args->server, "HOST[:PORT] of the tempusd (or ntpd) to ask")->capture_default_str();
  cmd->add_option("--max-offset", args->max_offset,
                  "Also wait until |offset| is at most this (seconds, or 100ms, 250us); with clock observe the "
                  "system clock's offset too")
      ->check(cli::NonEmpty("a duration such as 0.1 or 100ms"));
  cmd->add_option("--timeout", args->timeout_s, "Give up after SECONDS (0: wait for ever)")
      ->check(cli::FiniteIn(0.0, 1e7))
      ->capture_default_str();
  cmd->add_option("--interval", args->interval_s, "Seconds between two questions")
      ->check(cli::FiniteIn(0.05, 3600.0))
      ->capture_default_str();
  cmd->callback([args, exit_code] {
    std::optional<double> max_offset;
    if (!args->max_offset.empty()) {
      max_offset = sim::ParseSeconds(args->max_offset);
      if (!max_offset || *max_offset < 0) {
        fmt::print(stderr, "tempus waitsync: --max-offset: expected a duration such as 0.1 or 100ms, got '{}'\n",
                   Shown(args->max_offset));
        *exit_code = kExitUsage;
        return;
      }
    }
    auto specs = ResolveServers({args->server});
    if (!specs) {
      fmt::print(stderr, "tempus waitsync: {}\n", specs.error());
      *exit_code = kExitUsage;
      return;
    }
    const core::NetAddress server = specs->front().address;
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    // Each question waits at most a second, and never past the deadline.
    const auto ask_ms = [&] {
      const double left = args->timeout_s > 0 ? args->timeout_s - elapsed() : 1.0;
      return static_cast<int>(std::clamp(left, 0.05, 1.0) * 1000);
    };
    std::string last_line;
    for (int tries = 1;; ++tries) {
      Verdict v;
      auto state = Ask(server, ask_ms());
      if (state) {
        v = Judge(*state, max_offset);
      } else {
        v = {ExitCodeOf(state.error().status), state.error().message};
      }
      // One line per change, so that a long wait says what it waits for without repeating it.
      if (v.line != last_line || v.exit_code == kExitOk) {
        fmt::print("{}: try {}: {}\n", server.ToStringWithPort(), tries, v.line);
        std::fflush(stdout);
        last_line = v.line;
      }
      if (v.exit_code == kExitOk) {
        *exit_code = kExitOk;
        return;
      }
      if (args->timeout_s > 0 && elapsed() + args->interval_s > args->timeout_s) {
        fmt::print(stderr, "tempus waitsync: gave up after {:.0f} s: {}\n", elapsed(), v.line);
        *exit_code = v.exit_code;
        return;
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(args->interval_s));
    }
  });
}

}  // namespace tempus::app

// Checks of command-line values shared by tempusd and tempus (CLI11 validators), so that every
// flag refuses the same things with the same words: an empty value (a script's unset variable
// must not turn `-c "$CONF"` into a daemon with the defaults), and for numbers NaN, infinities,
// overflow (1e400) and anything outside the flag's range. CLI11's own Range lets NaN through
// (every comparison with NaN is false), so numeric flags use FiniteIn instead.
#ifndef TEMPUS_APPS_CLI_CHECKS_H_
#define TEMPUS_APPS_CLI_CHECKS_H_

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "base/shown.h"

namespace tempus::cli {

// A finite decimal number ("2", "+0.5", "1e-3"), or nothing (NaN, inf, overflow, junk).
inline std::optional<double> ParseFinite(std::string_view text) {
  if (text.size() > 1 && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A finite number in [lo, hi].
inline CLI::Validator FiniteIn(double lo, double hi) {
  const std::string range = fmt::format("{}..{}", lo, hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        const auto v = ParseFinite(text);
        if (v && *v >= lo && *v <= hi) return {};
        return fmt::format("expected a number {}, got '{}'", range, Shown(text));
      },
      "NUMBER in " + range, "FINITE");
}

// A decimal integer 0..2^64-1 (CLI11 reads "-1" into an unsigned option as 2^64 - 1, and clamps
// an overflow to it).
inline CLI::Validator Unsigned64() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        const bool ok = !text.empty() && ec == std::errc() && end == text.data() + text.size();
        return ok ? std::string() : fmt::format("expected an integer 0..18446744073709551615, got '{}'", Shown(text));
      },
      "UINT64", "UNSIGNED64");
}

// A CLI11 error as one line for stderr: CLI11 quotes the offending argument whole (a 100,000-byte
// value would be echoed in full), so the message is cut and escaped.
inline std::string ErrorText(const CLI::Error& e) { return Shown(e.what(), 300); }

// Anything but the empty string.
inline CLI::Validator NonEmpty(std::string_view what) {
  return CLI::Validator(
      [what = std::string(what)](std::string& text) -> std::string {
        return text.empty() ? fmt::format("expected {}, got an empty string", what) : std::string();
      },
      "", "NONEMPTY");
}

}  // namespace tempus::cli

#endif  // TEMPUS_APPS_CLI_CHECKS_H_

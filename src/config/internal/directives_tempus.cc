// tempus-only directives, in ntp.conf style: clock, listen, control, metrics, local, makestep
// pidfile and workers. Addresses are numeric: these are sockets tempusd opens itself.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "config/internal/directives.h"

namespace tempus::config::internal {
namespace {

constexpr std::array<std::string_view, 3> kClockKinds = {"system", "observe", "virtual"};
constexpr std::array<std::string_view, 2> kVirtualOptions = {"offset", "freq"};

// clock system|observe|virtual [offset S] [freq PPM]
void Clock(Cursor& c, ParseState& st) {
  const auto kind = c.Keyword("'system', 'observe' or 'virtual' after 'clock'", kClockKinds);
  if (!kind) {
    c.SkipRest();
    return;
  }
  ClockConfig clock;
  clock.kind = std::string(kClockKinds[*kind]);
  if (clock.kind != "virtual") {
    c.ExpectEnd("end of line ('offset' and 'freq' apply to 'clock virtual' only)");
  }
  while (!c.AtEnd()) {
    const auto opt = c.Keyword("'offset' or 'freq' after 'clock virtual'", kVirtualOptions);
    if (!opt) continue;
    if (*opt == 0) {
      if (auto v = c.Number("an offset -1000000000..1000000000 s after 'offset'", -1e9, 1e9))
        clock.virtual_offset_s = *v;
    } else if (auto v = c.Number("a frequency error -100000..100000 ppm after 'freq'", -1e5, 1e5)) {
      clock.virtual_freq_ppm = *v;
    }
  }
  st.config.clock = clock;
}

// An ADDRESS[:PORT] token (numeric) with a default port; nullopt after reporting.
std::optional<core::NetAddress> ReadEndpoint(Cursor& c, std::string_view what, std::optional<uint16_t> default_port) {
  if (c.AtEnd()) {
    c.Expected(what);
    return std::nullopt;
  }
  const std::string& text = c.Peek()->text;
  const bool has_port = text.starts_with("[") ? text.find("]:") != std::string::npos
                                              : std::count(text.begin(), text.end(), ':') == 1;
  std::optional<core::NetAddress> a;
  if (has_port || default_port) a = core::NetAddress::ParseWithDefaultPort(text, default_port.value_or(0));
  if (!a) {
    c.Expected(what);
    return std::nullopt;
  }
  c.Next();
  return a;
}

// listen ADDRESS[:PORT]...: server sockets (default port 123).
void Listen(Cursor& c, ParseState& st) {
  const std::string_view what = "a numeric address[:port] to listen on";
  if (c.AtEnd()) c.Expected(what);
  while (!c.AtEnd()) {
    if (auto a = ReadEndpoint(c, what, 123)) st.config.listen.push_back(*a);
  }
}

// control ADDRESS[:PORT]...: mode 6 (ntpq) listeners.
void Control(Cursor& c, ParseState& st) {
  const std::string_view what = "a numeric address[:port] for mode 6 control";
  const int errors = c.errors();
  if (c.AtEnd()) c.Expected(what);
  while (!c.AtEnd()) {
    if (auto a = ReadEndpoint(c, what, 123)) st.config.control.push_back(*a);
  }
  if (c.errors() == errors) ReportStatus(c, c.At(c.directive()), "control");
}

// metrics ADDRESS:PORT: the Prometheus endpoint.
void Metrics(Cursor& c, ParseState& st) {
  if (auto a = ReadEndpoint(c, "a numeric address:port for metrics (e.g. 127.0.0.1:9123)", std::nullopt)) {
    st.config.metrics = *a;
  }
  c.ExpectEnd();
}

// local stratum N: serve the local clock when nothing better is reachable.
void Local(Cursor& c, ParseState& st) {
  if (!c.Accept("stratum")) {
    c.Expected("'stratum' after 'local'");
    c.SkipRest();
    return;
  }
  if (auto n = c.Integer("a stratum 1..15 after 'stratum'", 1, 15)) {
    st.config.local_clock = LocalClockConfig{static_cast<int>(*n), c.At(c.directive()), std::nullopt};
  }
  c.ExpectEnd();
}

// makestep THRESHOLD LIMIT (chrony): step when the offset exceeds THRESHOLD s in the first LIMIT
// updates (-1: always).
void Makestep(Cursor& c, ParseState& st) {
  const auto threshold = c.Number("a threshold 0..1000000000 s after 'makestep'", 0, 1e9);
  const auto limit = c.Integer("an update count (-1 for always) after the threshold", -1, 1 << 30);
  c.ExpectEnd();
  if (threshold && limit) st.config.makestep = MakeStepConfig{*threshold, static_cast<int>(*limit)};
}

void Pidfile(Cursor& c, ParseState& st) { ReadPath(c, &st.config.pidfile); }

// workers N: threads that answer plain time requests beside the timing thread (1: none).
void Workers(Cursor& c, ParseState& st) {
  if (auto n = c.Integer("a worker count 1..64 after 'workers'", 1, 64)) st.config.workers = static_cast<int>(*n);
  c.ExpectEnd();
}

constexpr std::array<DirectiveSpec, 8> kDirectives = {{
    {"clock", Clock},
    {"listen", Listen},
    {"control", Control},
    {"metrics", Metrics},
    {"local", Local},
    {"makestep", Makestep},
    {"pidfile", Pidfile},
    {"workers", Workers},
}};

}  // namespace

std::span<const DirectiveSpec> TempusDirectives() { return kDirectives; }

}  // namespace tempus::config::internal

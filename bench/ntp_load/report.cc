#include "ntp_load/report.h"

#include <cstdio>

namespace tempus::bench {
namespace {

double PerSecond(uint64_t n, double window_s) { return window_s > 0 ? static_cast<double>(n) / window_s : 0.0; }

nlohmann::json LatencyJson(const LatencyHistogram& h) {
  auto us = [](int64_t ns) { return static_cast<double>(ns) / 1e3; };
  return {{"count", h.count()},          {"p50", us(h.Quantile(0.50))},   {"p90", us(h.Quantile(0.90))},
          {"p99", us(h.Quantile(0.99))}, {"p999", us(h.Quantile(0.999))}, {"max", us(h.max_ns())},
          {"mean", h.mean_ns() / 1e3}};
}

// The server's share of the window: CPU time over answered requests, by both readings.
nlohmann::json ServerJson(const LoadOptions& o, const LoadResult& r) {
  nlohmann::json j = {{"pid", o.server_pid}};
  if (!r.server_begin || !r.server_end) {
    j["alive"] = false;  // gone, or unreadable, at the start or the end of the window
    return j;
  }
  const ProcSample& a = *r.server_begin;
  const ProcSample& b = *r.server_end;
  // Threads that exited during the window take their schedstat time with them: never negative.
  const double run_s = b.run_ns > a.run_ns ? static_cast<double>(b.run_ns - a.run_ns) / 1e9 : 0.0;
  const double wait_s = b.wait_ns > a.wait_ns ? static_cast<double>(b.wait_ns - a.wait_ns) / 1e9 : 0.0;
  const double stat_s = static_cast<double>(b.stat_ticks - a.stat_ticks) / static_cast<double>(b.ticks_per_s);
  const double answered = static_cast<double>(r.answered + r.kod);
  j["alive"] = true;
  j["cpu_s"] = run_s;
  j["cpu_s_stat"] = stat_s;
  j["runqueue_wait_s"] = wait_s;
  j["cpu_use"] = r.window_s > 0 ? run_s / r.window_s : 0.0;
  j["cpu_us_per_response"] = answered > 0 ? nlohmann::json(run_s * 1e6 / answered) : nlohmann::json();
  j["rss_mb"] = static_cast<double>(b.rss_kb) / 1024;
  j["peak_rss_mb"] = static_cast<double>(b.peak_rss_kb) / 1024;
  j["cpu_us_per_response_stat"] = answered > 0 ? nlohmann::json(stat_s * 1e6 / answered) : nlohmann::json();
  return j;
}

}  // namespace

nlohmann::json ReportJson(const LoadOptions& o, const LoadResult& r) {
  nlohmann::json j = {
      {"target", o.target.ToStringWithPort()},
      {"mode", o.rate_per_s > 0 ? "open" : "closed"},
      {"outstanding", o.outstanding},
      {"rate_offered", o.rate_per_s},
      {"poisson", o.poisson},
      {"clients", o.clients},
      {"batch", o.batch},
      {"window_s", r.window_s},
      {"sent_total", r.sent_total},
      {"sent", r.sent},
      {"answered", r.answered},
      {"kod", r.kod},
      {"lost", r.lost},
      {"loss", r.sent > 0 ? static_cast<double>(r.lost) / static_cast<double>(r.sent) : 0.0},
      {"unmatched", r.unmatched},
      {"invalid", r.invalid},
      {"send_failures", r.send_failures},
      {"sent_per_s", PerSecond(r.sent, r.window_s)},
      {"answered_per_s", PerSecond(r.answered, r.window_s)},
      {"latency_us", LatencyJson(r.latency)},
      {"server_sojourn_us", LatencyJson(r.server_sojourn)},
      {"reply_wait_us", LatencyJson(r.reply_wait)},
      {"server_queue_bytes",
       {{"samples", r.queue_samples},
        {"mean",
         r.queue_samples > 0 ? static_cast<double>(r.queue_bytes_sum) / static_cast<double>(r.queue_samples) : 0.0},
        {"max", r.queue_bytes_max}}},
      {"last_stratum", r.last_stratum},
      {"last_leap", r.last_leap},
      {"generator_cpu_use", r.window_s > 0 ? r.generator_cpu_s / r.window_s : 0.0},
      {"server_socket_drops", r.server_drops ? nlohmann::json(*r.server_drops) : nlohmann::json()},
      {"generator_socket_drops", r.generator_drops ? nlohmann::json(*r.generator_drops) : nlohmann::json()},
  };
  if (o.server_pid > 0) j["server"] = ServerJson(o, r);
  if (o.nts) {
    nlohmann::json refused = nlohmann::json::object();
    uint64_t total = 0;
    for (size_t v = 1; v < kNtsVerdictCount; ++v) {
      refused[std::string(NtsVerdictName(static_cast<NtsVerdict>(v)))] = r.nts_refused[v];
      total += r.nts_refused[v];
    }
    j["nts"] = {{"ke_server", o.nts_options.ke_server.ToStringWithPort()},
                {"placeholders", o.nts_options.placeholders},
                {"sessions", o.nts_options.sessions},
                {"ke_s", r.nts_ke_s},
                {"refused", total},
                {"refused_by_reason", refused},
                {"seal_failures", r.nts_seal_failures},
                {"cookies_reused", r.nts_cookies_reused}};
  }
  return j;
}

std::string ReportLine(const nlohmann::json& j) {
  char load[64];
  if (j["mode"] == "open") {
    std::snprintf(load, sizeof load, "open %.0f/s", j["rate_offered"].get<double>());
  } else {
    std::snprintf(load, sizeof load, "closed %u", j["outstanding"].get<unsigned>());
  }
  const auto& lat = j["latency_us"];
  char line[512];
  int n = std::snprintf(line, sizeof line,
                        "%s %s: %.0f answered/s of %.0f sent/s, loss %.3f%%, latency p50 %.1f p90 %.1f p99 %.1f "
                        "max %.1f us",
                        j["target"].get<std::string>().c_str(), load, j["answered_per_s"].get<double>(),
                        j["sent_per_s"].get<double>(), j["loss"].get<double>() * 100, lat["p50"].get<double>(),
                        lat["p90"].get<double>(), lat["p99"].get<double>(), lat["max"].get<double>());
  std::string out(line, static_cast<size_t>(std::max(0, std::min<int>(n, sizeof line - 1))));
  if (j.contains("nts")) {
    std::snprintf(line, sizeof line, "; NTS: %llu refused",
                  static_cast<unsigned long long>(j["nts"]["refused"].get<uint64_t>()));
    out += line;
  }
  if (j.contains("server")) {
    const auto& s = j["server"];
    if (!s["alive"].get<bool>()) {
      out += "; server gone";
    } else if (!s["cpu_us_per_response"].is_null()) {
      std::snprintf(line, sizeof line, "; server %.3f us CPU/response (%.0f%% busy)",
                    s["cpu_us_per_response"].get<double>(), s["cpu_use"].get<double>() * 100);
      out += line;
    }
  }
  return out;
}

}  // namespace tempus::bench

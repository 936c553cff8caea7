// The load generator's report: JSON for scripts and one human line, from options and result.
//
// Derived figures are computed here once, so the script and the line agree: answered and sent
// per second over the window, loss, latency percentiles in microseconds, and, given the server's
// PID, its CPU time per answered request (µs) by both /proc readings and its CPU use (0..1 per
// thread). Pure functions.
#ifndef TEMPUS_BENCH_NTP_LOAD_REPORT_H_
#define TEMPUS_BENCH_NTP_LOAD_REPORT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "ntp_load/load_run.h"
#include "ntp_load/options.h"

namespace tempus::bench {

nlohmann::json ReportJson(const LoadOptions& options, const LoadResult& result);
// "127.0.0.1:123 closed 128: 412345 answered/s, loss 0.000%, latency p50 310 µs p99 ...".
std::string ReportLine(const nlohmann::json& report);

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_REPORT_H_

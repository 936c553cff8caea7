// ntp_load's command line: what to load, how hard, for how long, and where the report goes.
//
// Every number is checked when parsed: NaN, infinities, negative and out-of-range values are
// refused with a message naming the option, so a typo can never start an unbounded run. Every
// run is bounded in time (--duration, at most an hour) and optionally in count (--count). Plain
// data; thread-compatible.
#ifndef TEMPUS_BENCH_NTP_LOAD_OPTIONS_H_
#define TEMPUS_BENCH_NTP_LOAD_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"
#include "ntp_load/nts_load.h"

namespace tempus::bench {

struct LoadOptions {
  core::NetAddress target;  // IPv4 loopback address and port of the server under test
  // Closed loop: keep this many requests outstanding (0 when open loop).
  uint32_t outstanding = 0;
  // Open loop: requests per second offered whatever the answers (0 when closed loop).
  double rate_per_s = 0.0;
  bool poisson = false;  // open loop: exponential gaps instead of even pacing
  // Requests come from `clients` consecutive source addresses starting at `first_client`
  // (IP_PKTINFO), so that per-client tables and rate limits see that many clients.
  uint32_t first_client = 0;  // host order
  uint32_t clients = 0;
  double warmup_s = 0.0;    // load before the measured window (not counted)
  double duration_s = 0.0;  // the measured window
  double timeout_s = 0.0;   // a request unanswered this long is lost
  uint64_t count = 0;       // stop sending after this many requests in all (0: no limit)
  uint32_t batch = 0;       // packets per sendmmsg/recvmmsg
  int server_pid = 0;       // 0: no server CPU figures
  std::string json_path;    // "" none, "-" stdout
  bool quiet = false;       // no human line on stderr
  uint64_t seed = 0;
  // NTS (--nts-ke): nts_options.sessions NTS-KEs with nts.ke_server first (--nts-sessions, at most
  // `clients`: a request's session is its source address's index mod the sessions), then every
  // request NTS-protected and only valid NTS replies counted as answered (nts_load.h).
  bool nts = false;
  NtsLoadOptions nts_options;
};

// Parses argv (argv[0] is the program name). Returns the options, or the text to print and the
// exit code when parsing stops early (--help prints usage and exits 0; errors exit 2).
struct ParseStop {
  int exit_code = 2;
  std::string message;
};
[[nodiscard]] Result<LoadOptions, ParseStop> ParseLoadOptions(const std::vector<std::string>& args);

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_OPTIONS_H_

// RunLoad: one bounded load run against an NTP server, and what it measured.
//
// One UDP socket sends NTP client requests (RFC 5905 §7.3, mode 3, 48 bytes, all zero but the
// first byte and a cookie as transmit timestamp) from many loopback source addresses (IP_PKTINFO
// on each sendmmsg message) and reads the replies with recvmmsg, matching them by origin
// timestamp. Closed loop keeps a number of requests in flight; open loop sends at a fixed rate
// (even or Poisson gaps) whether answered or not. The run has three phases: warm-up (load, not
// counted), the measured window, and a drain of at most --timeout in which replies to requests
// of the window still count for latency and loss. Single-threaded; blocks for the whole run,
// which always ends by itself (warm-up + duration + timeout, or --count requests).
#ifndef TEMPUS_BENCH_NTP_LOAD_LOAD_RUN_H_
#define TEMPUS_BENCH_NTP_LOAD_LOAD_RUN_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "ntp_load/latency_histogram.h"
#include "ntp_load/nts_load.h"
#include "ntp_load/options.h"
#include "ntp_load/proc_stats.h"

namespace tempus::bench {

struct LoadResult {
  double window_s = 0.0;       // length of the measured window
  uint64_t sent_total = 0;     // requests sent, all phases
  uint64_t sent = 0;           // requests sent in the window
  uint64_t answered = 0;       // matched replies (mode 4, not KoD) received in the window
  uint64_t kod = 0;            // matched kiss-o'-death replies received in the window
  uint64_t lost = 0;           // requests of the window never answered within the timeout
  uint64_t unmatched = 0;      // replies matching no request in flight (late, duplicate), all phases
  uint64_t invalid = 0;        // datagrams that are not an NTP server reply, all phases
  uint64_t send_failures = 0;  // requests the kernel refused to send, all phases
  LatencyHistogram latency;    // replies to requests of the window
  // Of the same replies: the server's own share, T3 - T2 of the reply (its receive stamp to its
  // transmit stamp, both on the server's clock; only replies whose T3 differs from T2, i.e.
  // servers that stamp T2 at the kernel's receive), and the generator's, the reply's wait in the
  // generator's receive queue (the kernel's SO_TIMESTAMPNS stamp to the reading).
  LatencyHistogram server_sojourn;
  LatencyHistogram reply_wait;
  // The server socket's receive queue, sampled every 5 ms in the window (/proc/net/udp).
  uint64_t queue_samples = 0;
  uint64_t queue_bytes_sum = 0;
  uint64_t queue_bytes_max = 0;
  int last_stratum = -1;  // of the last matched reply (-1: none)
  int last_leap = -1;
  double generator_cpu_s = 0.0;             // this process, in the window
  std::optional<ProcSample> server_begin;   // the server's /proc readings at the window's start
  std::optional<ProcSample> server_end;     // and end (nullopt: gone or unreadable)
  std::optional<uint64_t> server_drops;     // receive-queue drops of the server's socket(s), window
  std::optional<uint64_t> generator_drops;  // of the generator's own socket, all phases
  // --nts-ke: replies matched to a request but refused by NtsRequests::Check, by verdict (the
  // kValid slot stays 0: valid ones are `answered`), all phases; requests that could not be
  // sealed (sent plain instead), all phases; the NTS-KEs' duration (about 0 with a session file).
  std::array<uint64_t, kNtsVerdictCount> nts_refused{};
  uint64_t nts_seal_failures = 0;
  uint64_t nts_cookies_reused = 0;  // requests that sent a cookie again (NtsRequests), all phases
  double nts_ke_s = 0.0;
};

// Runs the load `options` describes (with --nts-ke, after the NTS-KE). Errors are setup failures
// (socket, bind, the NTS-KE), as text.
[[nodiscard]] Result<LoadResult, std::string> RunLoad(const LoadOptions& options);

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_LOAD_RUN_H_

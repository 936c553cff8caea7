// One-shot sampling of NTP servers, as ntpdate does: a few requests to each server over UDP, all
// servers at once, keeping each server's lowest-delay sample. Used by `tempus query`, `sync` and
// `cluster`. Runs its own PollLoop until every server is done or has timed out.
#ifndef TEMPUS_APPS_TEMPUS_ONE_SHOT_H_
#define TEMPUS_APPS_TEMPUS_ONE_SHOT_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/net/net_address.h"
#include "core/nts/client_exchange.h"
#include "core/wire/exchange.h"
#include "engine/auth.h"
#include "engine/clock.h"

namespace tempus::app {

struct OneShotOptions {
  int samples = 4;           // requests per server (ntpdate: 4)
  double timeout_s = 1.0;    // how long to wait for each reply
  double interval_s = 0.01;  // pause between a reply and the next request to the same server
  // Keep the offset of replies from unsynchronized servers (LI 3 / stratum 0 or 16) as a sample
  // of their clock (for `cluster`); status stays kUnsynchronized unless a good reply came too.
  bool measure_unsynchronized = false;
  uint8_t version = core::kNtpVersion;  // VN of the requests, 1..4 (ntpdate -o)
  // ntpdate -a: each request carries a MAC by this key of `keys` (RFC 5905 §7.3), and only replies
  // with a valid MAC by the same key count; a crypto-NAK is a refusal (kKissOfDeath).
  const engine::KeyRing* keys = nullptr;
  std::optional<uint32_t> key_id{};
  // NTS (RFC 8915 §5, `tempus query --nts`): one session per server (from its NTS-KE), in the
  // order of the servers. Every request is NTS-protected with `aead`, only replies that
  // authenticate count, and an NTS NAK is a refusal (kKissOfDeath). Empty: plain NTP.
  std::vector<core::nts::NtsClientSession*> nts{};
  const core::nts::Aead* aead = nullptr;
  // ntpdate -d: told one line per request sent and per reply received.
  std::function<void(const std::string&)> trace{};
};

enum class ServerStatus { kOk, kNoReply, kTimeout, kKissOfDeath, kUnsynchronized, kBadReply };
const char* ServerStatusName(ServerStatus status);

struct ServerReport {
  std::string name;          // as the user wrote it
  core::NetAddress address;  // with port
  ServerStatus status = ServerStatus::kTimeout;
  std::string error;                      // one line for anything but kOk
  std::optional<core::Measurement> best;  // lowest delay among the good samples
  // With measure_unsynchronized: the lowest-delay reply of an unsynchronized server.
  std::optional<core::Measurement> unsynchronized;
  int sent = 0;
  int good = 0;
  core::KissCode kiss = core::KissCode::kNone;
  bool authenticated =
      false;  // with key_id: the good replies carried a valid MAC by that key; with NTS: they authenticated
};

struct ServerSpec {
  std::string name;
  core::NetAddress address;
};

// Samples every server; returns one report per spec, in order. Timestamps come from `clock`.
// Fails only on local errors (no socket); per-server failures are in the reports.
[[nodiscard]] Result<std::vector<ServerReport>, std::string> SampleServers(const std::vector<ServerSpec>& servers,
                                                                           engine::Clock& clock,
                                                                           const OneShotOptions& options);

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_ONE_SHOT_H_

#include "nts_ke.h"

#include <time.h>

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "config/cookie_key_file.h"
#include "crypto/ke_responder.h"
#include "crypto/system_random.h"
#include "log.h"

namespace tempus::daemon {
namespace {

int64_t UnixNow() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec;
}

}  // namespace

Result<std::unique_ptr<NtsKeServer>, std::string> NtsKeServer::Start(const config::NtsServerConfig& nts,
                                                                     const std::vector<core::NetAddress>& addresses,
                                                                     io::PollLoop& loop, Random& random) {
  std::unique_ptr<NtsKeServer> server(
      new NtsKeServer(nts.cookie.value_or(config::NtsServerConfig::kDefaultCookieFile), nts.rotate_s, loop, random));
  if (auto r = server->LoadKeys(); !r) return Unexpected(r.error());
  // One listener per IP; its NTP port (the first server socket's on that IP) is negotiated
  // (RFC 8915 §4.1.8) when it is not 123, so a client's NTS requests reach this server.
  std::vector<std::pair<core::NetAddress, uint16_t>> where;
  for (const core::NetAddress& a : addresses) {
    const core::NetAddress at = a.WithPort(nts.port);
    const bool seen = std::any_of(where.begin(), where.end(), [&](const auto& w) { return w.first == at; });
    if (!seen) where.emplace_back(at, a.port());
  }
  NtsKeServer* self = server.get();
  for (const auto& [at, ntp_port] : where) {
    io::NtsKeListenerOptions options;
    options.address = at;
    options.cert_file = nts.cert.value_or("");
    options.key_file = nts.key.value_or("");
    crypto::KeServerOptions answer;
    if (ntp_port != 123) answer.port = ntp_port;
    auto listener =
        io::NtsKeListener::Open(options, loop,
                                [self, answer](std::span<const uint8_t> request,
                                               const io::NtsKeListener::Exporter& exporter, std::span<uint8_t> out) {
                                  const crypto::ExportKeys export_keys = [&](uint16_t protocol, uint16_t aead) {
                                    auto keys = crypto::ExportSessionKeys(exporter, protocol, aead);
                                    // With the keys, AnswerKeRequest seals answer.cookies cookies.
                                    if (keys) self->ke_cookies_ += answer.cookies;
                                    return keys;
                                  };
                                  return crypto::AnswerKeRequest(request, export_keys, *self->jar_, self->random_,
                                                                 answer, out);
                                });
    if (!listener) return Unexpected(listener.error());
    server->listeners_.push_back(std::move(*listener));
  }
  server->ScheduleKeyCheck();
  return server;
}

Result<void, std::string> NtsKeServer::LoadKeys() {
  auto keys = rotate_s_ == 0
                  ? config::ReadCookieKeyFile(cookie_file_)
                  : config::LoadOrRotateCookieKeys(cookie_file_, UnixNow(), rotate_s_, [this](std::span<uint8_t> out) {
                      crypto::FillRandom(random_, out);
                    });
  if (!keys) return Unexpected("nts cookie " + cookie_file_ + ": " + keys.error());
  std::optional<crypto::ServerKey> previous;
  if (keys->previous) previous = crypto::ServerKey{keys->previous->id, keys->previous->key};
  if (jar_ && keys->current.id != key_id_) Log(fmt::format("nts cookie {}: a new cookie key", cookie_file_));
  key_id_ = keys->current.id;
  jar_.emplace(crypto::ServerKey{keys->current.id, keys->current.key}, previous);
  return {};
}

NtsKeServer::~NtsKeServer() {
  if (key_check_) loop_.CancelTimer(*key_check_);
}

void NtsKeServer::ScheduleKeyCheck() {
  key_check_ = loop_.AddTimer(loop_.Now() + core::NtpDuration::FromWholeSeconds(3600), [this] {
    // A file that became unreadable keeps the keys in use: other nodes may depend on them.
    if (auto r = LoadKeys(); !r) Log(r.error() + "; keeping the current keys");
    ScheduleKeyCheck();
  });
}

Result<void, std::string> NtsKeServer::ReloadCertificates() {
  for (const auto& l : listeners_) {
    if (auto r = l->ReloadCertificate(); !r) return r;
  }
  return {};
}

std::string NtsKeServer::Where() const {
  std::string where;
  for (const auto& l : listeners_) where += (where.empty() ? "" : ", ") + l->address().ToStringWithPort();
  return where;
}

core::report::NtsServerCounts NtsKeServer::Report() const {
  const io::NtsKeCounters k = Counters();
  const crypto::JarCookieCodec::Counts& c = cookies_.counts();
  core::report::NtsServerCounts r;
  r.ke_answered = k.answered;
  r.ke_failed = k.over_capacity + k.timed_out + k.too_large + k.tls_failed + k.closed_early + k.unanswerable;
  r.cookies_made = ke_cookies_ + c.sealed;
  r.cookies_current = c.opened_current;
  r.cookies_previous = c.opened_previous;
  r.cookies_unknown_key = c.unknown_key;
  r.cookies_bad = c.bad;
  return r;
}

io::NtsKeCounters NtsKeServer::Counters() const {
  io::NtsKeCounters sum;
  for (const auto& l : listeners_) {
    const io::NtsKeCounters& c = l->counters();
    sum.accepted += c.accepted;
    sum.answered += c.answered;
    sum.over_capacity += c.over_capacity;
    sum.timed_out += c.timed_out;
    sum.too_large += c.too_large;
    sum.tls_failed += c.tls_failed;
    sum.closed_early += c.closed_early;
    sum.unanswerable += c.unanswerable;
  }
  return sum;
}

std::string NtsKeServer::RenderMetrics() const {
  const io::NtsKeCounters k = Counters();
  std::string out = fmt::format(
      "# HELP tempus_nts_ke_connections_total NTS-KE connections accepted.\n"
      "# TYPE tempus_nts_ke_connections_total counter\n"
      "tempus_nts_ke_connections_total {}\n"
      "# HELP tempus_nts_ke_answered_total NTS-KE requests answered.\n"
      "# TYPE tempus_nts_ke_answered_total counter\n"
      "tempus_nts_ke_answered_total {}\n"
      "# HELP tempus_nts_ke_drops_total NTS-KE connections dropped, by reason.\n"
      "# TYPE tempus_nts_ke_drops_total counter\n",
      k.accepted, k.answered);
  const std::pair<const char*, uint64_t> drops[] = {
      {"over_capacity", k.over_capacity}, {"timed_out", k.timed_out},       {"too_large", k.too_large},
      {"tls_failed", k.tls_failed},       {"closed_early", k.closed_early}, {"unanswerable", k.unanswerable}};
  for (const auto& [reason, n] : drops)
    out += fmt::format("tempus_nts_ke_drops_total{{reason=\"{}\"}} {}\n", reason, n);
  return out;
}

}  // namespace tempus::daemon

#include "one_shot.h"

#include <poll.h>

#include <array>
#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "crypto/system_random.h"
#include "io/poll_loop.h"
#include "io/udp_socket.h"

namespace tempus::app {
namespace {

using core::NtpDuration;

// A request with NTS fields (RFC 8915 §5.7): header, unique identifier, cookie, up to 7
// placeholders and the authenticator, with cookies of at most kMaxCookieSize octets.
constexpr size_t kMaxRequestSize = 2048;

// One server being sampled.
struct Probe {
  const ServerSpec* spec = nullptr;
  ServerReport* report = nullptr;
  std::optional<io::UdpSocket> socket;
  core::NtpTimestamp cookie;
  core::NtpTimestamp t1;
  bool awaiting = false;
  bool done = false;
  bool refused = false;
  bool saw_unsync = false;
  bool saw_bad = false;
  bool saw_auth_failure = false;  // a reply to our request without a valid MAC by our key
  bool saw_crypto_nak = false;    // the server refused our key (RFC 5905 §7.4)
  bool saw_nts_nak = false;       // the server refused our NTS cookie (RFC 8915 §5.7)
  core::nts::NtsClientSession* nts = nullptr;
  io::PollLoop::TimerId timer = 0;
};

class Sampler {
 public:
  // `random` draws the transmit cookies: the kernel CSPRNG, so that they are unpredictable.
  Sampler(engine::Clock& clock, const OneShotOptions& options, Random& random)
      : clock_(clock), options_(options), random_(random) {}

  Result<void, std::string> Start(Probe& p) {
    const core::NetAddress any = p.spec->address.is_v4() ? core::NetAddress::IPv4(std::array<uint8_t, 4>{})
                                                         : core::NetAddress::IPv6(std::array<uint8_t, 16>{});
    auto socket = io::UdpSocket::Open(any);
    if (!socket) return Unexpected(socket.error().ToString());
    p.socket.emplace(std::move(*socket));
    if (auto c = p.socket->Connect(p.spec->address); !c) return Unexpected(c.error().ToString());
    loop_.Watch(p.socket->fd(), POLLIN, [this, &p](short) { OnReadable(p); });
    Send(p);
    return {};
  }

  Result<void, std::string> Run() {
    const double budget_s = options_.samples * (options_.timeout_s + options_.interval_s) + 1.0;
    auto r = loop_.Run(loop_.Now() + NtpDuration::FromSeconds(budget_s));
    if (!r) return Unexpected(r.error().ToString());
    return {};
  }

  void Finish(Probe& p) {
    if (p.done) return;
    p.done = true;
    loop_.Unwatch(p.socket->fd());
    if (p.timer != 0) loop_.CancelTimer(p.timer);
    ServerReport& r = *p.report;
    const std::string where = p.spec->address.ToStringWithPort();
    if (r.good > 0) {
      r.status = ServerStatus::kOk;
    } else if (r.kiss != core::KissCode::kNone) {
      r.status = ServerStatus::kKissOfDeath;
      r.error = "kiss-o'-death " + core::RefIdOf(r.kiss).AsCode() + " from " + where;
    } else if (p.saw_nts_nak) {
      r.status = ServerStatus::kKissOfDeath;
      r.error = "NTS NAK from " + where + ": it refused our cookie (a new NTS-KE is due)";
    } else if (p.saw_crypto_nak) {
      r.status = ServerStatus::kKissOfDeath;
      r.error = fmt::format("crypto-NAK from {}: it does not accept key {}", where, options_.key_id.value_or(0));
    } else if (p.saw_auth_failure) {
      r.status = ServerStatus::kBadReply;
      r.error = p.nts != nullptr
                    ? where + " answered only with replies that do not authenticate (NTS)"
                    : fmt::format("{} answered without a valid MAC by key {}", where, options_.key_id.value_or(0));
    } else if (p.refused) {
      r.status = ServerStatus::kNoReply;
      r.error = "no reply from " + where + ": connection refused (no NTP server there)";
    } else if (p.saw_unsync) {
      r.status = ServerStatus::kUnsynchronized;
      r.error = where + " is not synchronized (leap 3 or stratum 16)";
    } else if (p.saw_bad) {
      r.status = ServerStatus::kBadReply;
      r.error = where + " sent only unusable replies";
    } else {
      r.status = ServerStatus::kTimeout;
      r.error = "no reply from " + where + " within " + std::to_string(options_.timeout_s) + " s";
    }
  }

 private:
  void Send(Probe& p) {
    ServerReport& r = *p.report;
    if (r.sent >= options_.samples) return Finish(p);
    std::array<uint8_t, kMaxRequestSize> request{};
    p.cookie = core::NtpTimestamp::FromRaw(random_.NextU64());
    size_t size = core::BuildClientRequest(p.cookie, 6, request, options_.version);
    if (p.nts != nullptr) {
      auto built = p.nts->BuildRequest(p.cookie, 6, random_, *options_.aead, request);
      if (!built) {
        r.error = built.error() == core::nts::NtsRequestError::kNoCookie
                      ? "no NTS cookie left (a new NTS-KE is due)"
                      : "cannot build an NTS request: " + std::string(core::nts::NtsRequestErrorName(built.error()));
        return Finish(p);
      }
      size = *built;
    } else if (options_.keys != nullptr && options_.key_id) {
      // The MAC covers the transmit cookie, which is all the request carries (no T1 on the wire).
      const auto signed_size = options_.keys->Sign(*options_.key_id, request, size);
      if (!signed_size) {
        r.error = fmt::format("key {}: cannot sign with it", *options_.key_id);
        return Finish(p);
      }
      size = *signed_size;
    }
    Trace(fmt::format("transmit {} (request {} of {}, NTPv{}{})", p.spec->address.ToStringWithPort(), r.sent + 1,
                      options_.samples, options_.version,
                      p.nts != nullptr  ? fmt::format(", NTS, {} cookies left", p.nts->cookies())
                      : options_.key_id ? fmt::format(", key {}", *options_.key_id)
                                        : std::string()));
    p.t1 = clock_.Now().ToNtp();
    if (auto s = p.socket->Send(std::span<const uint8_t>(request).first(size)); !s) {
      if (s.error().err == ECONNREFUSED) {
        p.refused = true;
        return Finish(p);
      }
      r.error = s.error().ToString();
    }
    ++r.sent;
    p.awaiting = true;
    p.timer = loop_.AddTimer(loop_.Now() + NtpDuration::FromSeconds(options_.timeout_s), [this, &p] {
      p.timer = 0;
      p.awaiting = false;
      Send(p);
    });
  }

  void Trace(const std::string& line) const {
    if (options_.trace) options_.trace(line);
  }

  // With a key: whether the reply to our request carries a valid MAC by it; with NTS: whether it
  // authenticates (RFC 8915 §5.7), its cookies then kept. Else noted in `p`.
  bool Authentic(Probe& p, std::span<const uint8_t> reply) {
    if (p.nts != nullptr) {
      auto checked = p.nts->CheckReply(reply, *options_.aead);
      if (checked) return true;
      (checked.error() == core::nts::NtsReplyError::kNak ? p.saw_nts_nak : p.saw_auth_failure) = true;
      Trace(fmt::format("receive {}: NTS: {}", p.spec->address.ToStringWithPort(),
                        core::nts::NtsReplyErrorName(checked.error())));
      return false;
    }
    if (options_.keys == nullptr || !options_.key_id) return true;
    const core::AuthVerdict verdict = options_.keys->Check(reply, *options_.key_id);
    if (verdict == core::AuthVerdict::kOk) return true;
    (verdict == core::AuthVerdict::kCryptoNak ? p.saw_crypto_nak : p.saw_auth_failure) = true;
    Trace(fmt::format("receive {}: {}", p.spec->address.ToStringWithPort(),
                      verdict == core::AuthVerdict::kCryptoNak ? "crypto-NAK" : "no valid MAC by our key"));
    return false;
  }

  void Next(Probe& p) {
    p.awaiting = false;
    if (p.timer != 0) loop_.CancelTimer(p.timer);
    p.timer = loop_.AddTimer(loop_.Now() + NtpDuration::FromSeconds(options_.interval_s), [this, &p] {
      p.timer = 0;
      Send(p);
    });
  }

  void KeepUnsynchronized(Probe& p, std::span<const uint8_t> bytes, core::NtpTimestamp t4) {
    if (!options_.measure_unsynchronized) return;
    auto decoded = core::Decode(bytes);
    if (!decoded || decoded->header.receive_time.IsZero() || decoded->header.transmit_time.IsZero()) return;
    const core::Measurement m = core::MeasureReply(decoded->header, p.t1, t4, clock_.PrecisionLog2());
    auto& kept = p.report->unsynchronized;
    if (!kept || m.delay < kept->delay) kept = m;
  }

  void OnReadable(Probe& p) {
    std::array<uint8_t, 2048> buffer{};
    while (!p.done) {
      auto got = p.socket->Receive(buffer);
      if (!got) {
        if (got.error().err == ECONNREFUSED) {
          p.refused = true;
          Finish(p);
        }
        return;
      }
      if (!got->has_value()) return;
      const io::Datagram& dg = **got;
      if (!p.awaiting) continue;  // late or unsolicited: the cookie is spent
      const core::NtpTimestamp t4 = clock_.FromKernelRealtime(dg.rx_realtime).ToNtp();
      const std::span<const uint8_t> reply = std::span(buffer).first(dg.size);
      auto m = core::ProcessReply(reply, p.cookie, p.t1, t4, clock_.PrecisionLog2());
      if (!m && m.error().error == core::ReplyError::kBogusOrigin) continue;  // not the answer to our request
      // The answer to our request (its origin is our cookie): with a key it must be signed by it,
      // whatever it says (a crypto-NAK has an ordinary header).
      if (!Authentic(p, reply)) {
        if (p.saw_nts_nak) return Finish(p);  // the cookies are no good: nothing more to send
        Next(p);
        continue;
      }
      if (m) {
        ServerReport& r = *p.report;
        ++r.good;
        r.authenticated = options_.key_id.has_value() || p.nts != nullptr;
        if (!r.best || m->delay < r.best->delay) r.best = *m;
        Trace(fmt::format("receive {}: offset {:+.6f} s, delay {:.6f} s, stratum {}, NTPv{}",
                          p.spec->address.ToStringWithPort(), m->offset.Seconds(), m->delay.Seconds(),
                          m->server.stratum, m->server.version));
        Next(p);
        continue;
      }
      Trace(fmt::format("receive {}: rejected ({})", p.spec->address.ToStringWithPort(),
                        core::ReplyErrorName(m.error().error)));
      switch (m.error().error) {
        case core::ReplyError::kBogusOrigin: continue;  // handled above
        case core::ReplyError::kKissOfDeath:
          if (m.error().kiss == core::KissCode::kOther) {  // e.g. NTPsec's INIT while it starts
            p.saw_unsync = true;
            KeepUnsynchronized(p, std::span(buffer).first(dg.size), t4);
            Next(p);
            continue;
          }
          p.report->kiss = m.error().kiss;
          Finish(p);
          return;
        case core::ReplyError::kUnsynchronized:
          p.saw_unsync = true;
          KeepUnsynchronized(p, std::span(buffer).first(dg.size), t4);
          Next(p);
          continue;
        default:
          p.saw_bad = true;
          Next(p);
          continue;
      }
    }
  }

  engine::Clock& clock_;
  OneShotOptions options_;
  Random& random_;
  io::PollLoop loop_;
};

}  // namespace

const char* ServerStatusName(ServerStatus status) {
  switch (status) {
    case ServerStatus::kOk: return "ok";
    case ServerStatus::kNoReply: return "no_reply";
    case ServerStatus::kTimeout: return "timeout";
    case ServerStatus::kKissOfDeath: return "kiss_of_death";
    case ServerStatus::kUnsynchronized: return "unsynchronized";
    case ServerStatus::kBadReply: return "bad_reply";
  }
  return "unknown";
}

Result<std::vector<ServerReport>, std::string> SampleServers(const std::vector<ServerSpec>& servers,
                                                             engine::Clock& clock, const OneShotOptions& options) {
  std::vector<ServerReport> reports(servers.size());
  std::vector<std::unique_ptr<Probe>> probes;
  auto random = crypto::MakeRandom(std::nullopt);
  if (!random) return Unexpected(random.error().ToString());
  Sampler sampler(clock, options, **random);
  for (size_t i = 0; i < servers.size(); ++i) {
    reports[i].name = servers[i].name;
    reports[i].address = servers[i].address;
    auto p = std::make_unique<Probe>();
    p->spec = &servers[i];
    p->report = &reports[i];
    if (!options.nts.empty()) {
      if (options.nts.size() != servers.size() || options.aead == nullptr)
        return Unexpected("NTS: one session per server");
      p->nts = options.nts[i];
    }
    if (auto s = sampler.Start(*p); !s) return Unexpected("cannot query " + servers[i].name + ": " + s.error());
    probes.push_back(std::move(p));
  }
  if (auto r = sampler.Run(); !r) return Unexpected(r.error());
  for (auto& p : probes) sampler.Finish(*p);
  return reports;
}

}  // namespace tempus::app

// NtsSources: the daemon's `server HOST nts` and `pool HOST nts` lines (RFC 8915): for each
// server line, NTS-KE with HOST (io::NtsKeClient on the daemon's loop), then an association in the
// engine::Node at the NTP server NTS-KE named (or HOST, port 123), whose requests this wraps in NTS
// fields and whose replies it judges before the core sees them (engine::NtsClient). The decisions
// (when NTS-KE is due, the back-off after failures, what a reply means) are
// core::nts::NtsAssociation's; this is the edge: TLS, timers, logs.
//
// A pool line is looked up (HOST on the NTS-KE port) and each of its addresses, up to `pool_size`
// (tos maxclock) and none another NTS line already uses, becomes an NTS association of its own
// (a Line), as NTPsec does: its own NTS-KE with that address (the certificate checked for HOST),
// its own keys and cookies. A pool short of addresses is looked up again after Sources'
// back-off (4 s doubling to an hour). A pool's address is replaced as Sources replaces a plain
// pool's (LookupSchedule, the policy they share) when its NTS-KE failed kKeFailures times in a
// row, or its association stays unreachable (or is demobilized): it goes (retired), and the
// pool is looked up again at once for another address.
//
// A failed NTS-KE is logged when its reason changes (not at every retry) and retried after
// core::nts::KeBackoff; an NTS NAK or a spent cookie store starts a new one at once. A line
// whose first NTS-KE failed is shown all the same (ntpq -p, `tempus peers`, the snapshot: reach
// 0, refid NTS, ntske_reason), as an association at the address NTS-KE would name by default
// (HOST, port 123) that sends nothing (WrapRequest has no session); the first NTS-KE that
// succeeds mobilizes it afresh (iburst at once) at the address it names. While an
// association has no session its polls send nothing (counted), and its reach decays as for a
// silent server. A reload (Apply) keeps a line whose text did not change (as Sources does, and
// with the same CA: the line's `ca` or `nts ca`) with its session, cookies and association
// (a kept pool short of a raised pool_size looks up again at once), removes the associations
// of lines gone, and starts new lines. A host name is looked up when
// its NTS-KE starts, on a helper thread (AsyncLookup, as Sources' names), and so is a host name
// NTS-KE gives for the NTP server (§4.1.7; the session and its cookies wait for it, a failed
// lookup is a failed NTS-KE, reason "ntp_server"): a slow or dead name server never blocks the
// loop. Not thread-safe (the daemon's one timing thread).
#ifndef TEMPUS_APPS_TEMPUSD_NTS_SOURCES_H_
#define TEMPUS_APPS_TEMPUSD_NTS_SOURCES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "async_lookup.h"
#include "base/random.h"
#include "config/config.h"
#include "core/nts/nts_association.h"
#include "crypto/aes_siv_aead.h"
#include "engine/node.h"
#include "engine/nts_client.h"
#include "io/nts_ke_client.h"
#include "io/poll_loop.h"
#include "lookup_schedule.h"
#include "sources.h"

namespace tempus::daemon {

class NtsSources final : public engine::NtsClient {
 public:
  // `node`, `loop` and `random` outlive this. `default_ca`: `nts ca FILE`, for lines without
  // `ca` (empty: the system store).
  NtsSources(engine::Node& node, io::PollLoop& loop, Random& random, std::string default_ca);
  ~NtsSources() override;
  NtsSources(const NtsSources&) = delete;
  NtsSources& operator=(const NtsSources&) = delete;

  // Takes the `nts` lines of `lines` (the others are Sources'); their first NTS-KE starts at once,
  // a pool's after its lookup. A pool keeps up to `pool_size` associations.
  void Start(const std::vector<config::ServerConfig>& lines, size_t pool_size) { Apply(lines, pool_size, default_ca_); }
  // Makes the NTS lines follow `lines` (a reload): unchanged lines (text and CA, `default_ca` being
  // the new `nts ca`) keep their state and cookies, removed ones lose their associations, new ones
  // start. Logs each line kept or removed.
  Sources::Counts Apply(const std::vector<config::ServerConfig>& lines, size_t pool_size, std::string default_ca);
  size_t size() const { return lines_.size(); }

  // engine::NtsClient.
  std::optional<size_t> WrapRequest(uint32_t source, std::span<const uint8_t> header, std::span<uint8_t> out) override;
  bool AdmitReply(const core::NetAddress& from, std::span<const uint8_t> bytes) override;

  // One line per NTS source for the exit log: NTS-KE successes and failures, requests, accepted
  // and dropped replies by reason, cookies held.
  std::vector<std::string> Summary() const;
  // Prometheus text: tempus_nts_client_* per source (docs/tempusd.md).
  std::string RenderMetrics() const;

 private:
  // A session from NTS-KE that waits for the lookup of the NTP server it named.
  struct PendingSession {
    io::NtsKeSession session;
    std::string name;  // the NTP server's host name
    uint16_t port = 0;
  };
  // One NTS association: a server line, or one address of a pool line (config.kind kPool).
  struct Line {
    config::ServerConfig config;
    core::nts::NtsAssociation state;
    std::unique_ptr<io::NtsKeClient> ke;
    std::optional<core::NetAddress> ke_address;  // HOST on the NTS-KE port, once looked up
    std::optional<uint32_t> id;                  // its association in the Node
    core::NetAddress ntp;                        // that association's address
    std::string key;                             // KeyOf its line (a pool's, for a pool's address)
    std::shared_ptr<AsyncLookup> lookup;         // of the host, in flight
    std::optional<PendingSession> pending;       // while the NTP server NTS-KE named is looked up
    std::shared_ptr<AsyncLookup> ntp_lookup;     // of that server, in flight
    bool waiting = false;                        // id mobilized after a failed first NTS-KE (sends nothing)
  };
  // A pool line: its addresses become Lines.
  struct Pool {
    config::ServerConfig config;
    std::string key;
    std::shared_ptr<AsyncLookup> lookup;  // in flight
    LookupSchedule schedule;              // its next lookup, its retired addresses
  };

  void Schedule();
  void RunDue();
  void FillPool(Pool& pool, const AsyncLookup::Addresses& found);
  // Why the pool's address `line` is given up (LookupSchedule's policy), or nothing; `retire`:
  // whether its address is retired (not when its association was demobilized).
  std::optional<std::string> GivenUp(const Line& line, bool* retire) const;
  // Removes the pools' addresses given up; their pools look up again.
  void ReplaceGivenUp(core::MonoTime now);
  // What identifies a line across a reload: Sources::KeyOf, the CA it trusts and noval.
  std::string KeyOf(const config::ServerConfig& line) const;
  void Remove(Line& line);
  void StartKe(Line& line);
  void Connect(Line& line);
  void KeDone(Line& line, Result<io::NtsKeSession, io::NtsKeFailure> result);
  void KeFailed(Line& line, std::string_view reason, const std::string& detail);
  // The lookup of the NTP server a session's NTS-KE named ended: the session starts, or the
  // NTS-KE failed ("ntp_server").
  void NtpLookedUp(Line& line, const AsyncLookup::Addresses& found);
  // A session in hand: its keys and cookies to the state, its association at `ntp`.
  void SessionReady(Line& line, const io::NtsKeSession& session, const core::NetAddress& ntp);
  // Moves the line's association to `ntp` (mobilized when it has none or another address).
  void Associate(Line& line, const core::NetAddress& ntp);
  std::string Where(const Line& line) const;
  // Reports the line's state to its association in the Node (mode 6 ntscookies, ntske_*).
  void Publish(const Line& line);
  std::string Where(const Pool& pool) const;
  // The source's name in metrics: HOST, or "HOST ADDRESS" for an address of a pool.
  static std::string Name(const Line& line);

  engine::Node& node_;
  io::PollLoop& loop_;
  Random& random_;
  std::string default_ca_;
  crypto::AesSivAead aead_;
  size_t pool_size_ = 1;
  std::vector<std::unique_ptr<Line>> lines_;
  std::vector<Pool> pools_;
  std::map<uint32_t, Line*> by_id_;
  std::map<core::NetAddress, Line*> by_address_;
  Line* mobilizing_ = nullptr;  // the line whose AddSource is under way (its first request)
  std::optional<io::PollLoop::TimerId> timer_;
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_NTS_SOURCES_H_

// ServerPath: the engine's side of serving time, between a socket and core::server.
//
// For each datagram: decide access first (restrict flags of the source, then its rate limit:
// core::server::Admit), then place the receive timestamp on the clock's time scale (the kernel's software
// stamp when there is one, else a clock read right after the receive), build the reply with the
// pure core::server::HandleRequest from the current SystemSnapshot, and stamp its transmit time
// from the clock as the very last step before the caller sends it. A source over its limit with
// `restrict ... limited kod` gets a RATE kiss-o'-death instead (no time in it, never larger than
// the request). Counts every outcome.
//
// Authentication (RFC 5905 §7.3, A.5.1 fast_xmit): with a KeyRing set, a request carrying a MAC by
// a trusted key that verifies is answered with a MAC by the same key, computed after the transmit
// stamp (same MAC size, so the reply is never larger than the request). A request whose MAC fails
// (unknown or untrusted key, wrong digest) gets a crypto-NAK as RFC 5905 and ntpd send it: the
// usual reply plus a 4-byte key id 0, never larger than the request (kCryptoNakSent). A source
// under `restrict ... notrust` is served only with a valid MAC; anything else from it is dropped
// silently (kNotAuthenticated), including a bad MAC: a notrust source gets no time at all.
// A symmetric active packet from an address without an association (HandleNewPeer) mobilizes a
// passive association only with a valid MAC by a trusted key, else gets a mode 2 reply at most
// (core::server::AdmitPassive, BuildPassiveReply).
// Not thread-safe: one per serving thread.
#ifndef TEMPUS_ENGINE_SERVER_PATH_H_
#define TEMPUS_ENGINE_SERVER_PATH_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/net/net_address.h"
#include "core/server/admission.h"
#include "core/server/server.h"
#include "core/system/snapshot.h"
#include "core/time/unix_time.h"
#include "engine/auth.h"
#include "engine/clock.h"

namespace tempus::engine {

class ServerPath {
 public:
  // `clock` must outlive this object. `hash_key` keys the rate limiter's table (draw it at random).
  explicit ServerPath(Clock& clock, const core::server::AccessPolicy& access = {}, uint64_t hash_key = 0);
  ServerPath(const ServerPath&) = delete;
  ServerPath& operator=(const ServerPath&) = delete;

  // The keys requests are authenticated with (null: none; MACs then fail, notrust drops all).
  // `keys` must outlive this object.
  void SetKeys(const KeyRing* keys) { keys_ = keys; }

  // Replaces the restrict rules and rate limits (a reload). The rate limiter's table is kept
  // unless its limits or `hash_key` change.
  void SetAccess(const core::server::AccessPolicy& access, uint64_t hash_key);

  // Replaces the snapshot answered from (after each clock update).
  void Publish(const core::system::SystemSnapshot& snapshot) { snapshot_ = snapshot; }
  const core::system::SystemSnapshot& snapshot() const { return snapshot_; }

  // Handles one datagram. Returns the reply to send (a view into an internal buffer, valid until
  // the next call), or nothing when the datagram is dropped (counted in stats()).
  std::optional<std::span<const uint8_t>> Handle(std::span<const uint8_t> request, const core::NetAddress& from,
                                                 std::optional<core::UnixTime> kernel_rx);
  // Handle() for a datagram of unknown source: only rules that need no address apply.
  std::optional<std::span<const uint8_t>> Handle(std::span<const uint8_t> request,
                                                 std::optional<core::UnixTime> kernel_rx) {
    return Handle(request, core::NetAddress(), kernel_rx);
  }

  // What became of a mode 1 packet from an address without an association: the admission
  // (mobilize, with the key its MAC verified by; reply; drop) and the reply to send, if any (a
  // view into the internal buffer, valid until the next call: a mode 2 packet, no larger than
  // the request). Drops and unauthenticated peers are counted in stats().
  struct NewPeer {
    core::server::PassiveAdmission admission;
    std::optional<std::span<const uint8_t>> reply;
  };
  // Judges it with core::server::AdmitPassive (`require_auth`: ntpd's `enable auth`; `ephemeral`
  // of `limit` passive associations in use).
  NewPeer HandleNewPeer(std::span<const uint8_t> packet, const core::NetAddress& from,
                        std::optional<core::UnixTime> kernel_rx, bool require_auth, size_t ephemeral, size_t limit);

  // True when mode 6 (ntpq) requests from `from` may be answered (restrict: neither ignore nor
  // noquery). For the control handler.
  bool AllowQuery(const core::NetAddress& from) const { return restricts_.AllowQuery(from); }
  // The restrict flags that apply to `from` (notrap, nomodify... for the control handler).
  core::server::AccessFlags AccessFor(const core::NetAddress& from) const { return restricts_.Lookup(from); }
  const core::server::RateLimiter& rate_limiter() const { return limiter_; }

  const core::server::ServerStats& stats() const { return stats_; }

 private:
  Clock& clock_;
  core::system::SystemSnapshot snapshot_;
  core::server::ServerStats stats_;
  core::server::RestrictTable restricts_;
  core::server::RateLimiter limiter_;
  const KeyRing* keys_ = nullptr;
  std::array<uint8_t, core::kHeaderSize + kMaxMacSize> reply_{};
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_SERVER_PATH_H_

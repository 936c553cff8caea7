// ServerPath: the engine's side of serving time, between a socket and core::server::Server.
//
// The policy is the core's (core/server/server.h: restrict, rate limit, KoD, crypto-NAK,
// counters; the request decoded once). This adapter adds only what needs the clock and the keys:
// it places the receive timestamp on the clock's time scale (the kernel's software stamp when
// there is one, else a clock read right after the receive: one read), hands the request to the
// core with the KeyRing as its core::Authenticator, and carries out a Respond (FinishReply):
// restamps the transmit time from the clock as the very last step before the caller sends it
// (the second read), then appends the MAC by the key the core named.
// Not thread-safe: one per serving thread.
#ifndef TEMPUS_ENGINE_SERVER_PATH_H_
#define TEMPUS_ENGINE_SERVER_PATH_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/net/net_address.h"
#include "core/server/server.h"
#include "core/system/snapshot.h"
#include "core/time/unix_time.h"
#include "engine/auth.h"
#include "engine/clock.h"

namespace tempus::engine {

// Carries out the core's reply `respond`, whose bytes are the start of `buffer`: stamps its
// transmit time from `clock` when asked (as late as possible), then appends the MAC by
// `respond.sign_key` from `keys`. Returns the bytes to send, a prefix of `buffer`.
// REQUIRES: buffer.size() >= core::server::kReplyCapacity; the key is trusted in `keys` (the core
// names only a key that just verified the request).
std::span<const uint8_t> FinishReply(const core::server::Respond& respond, std::span<uint8_t> buffer, Clock& clock,
                                     const KeyRing& keys);

class ServerPath {
 public:
  // `clock` must outlive this object. `hash_key` keys the rate limiter's table (draw it at random).
  explicit ServerPath(Clock& clock, const core::server::AccessPolicy& access = {}, uint64_t hash_key = 0);
  ServerPath(const ServerPath&) = delete;
  ServerPath& operator=(const ServerPath&) = delete;

  // The keys requests are authenticated with (null: none; MACs then fail, notrust drops all).
  // `keys` must outlive this object.
  void SetKeys(const KeyRing* keys) { keys_ = keys; }

  // Replaces the restrict rules and rate limits (a reload): core::server::Server::SetAccess.
  void SetAccess(const core::server::AccessPolicy& access, uint64_t hash_key) { server_.SetAccess(access, hash_key); }

  // Replaces the snapshot answered from (after each clock update).
  void Publish(const core::system::SystemSnapshot& snapshot) { server_.Publish(snapshot); }
  const core::system::SystemSnapshot& snapshot() const { return server_.snapshot(); }

  // Handles one datagram. Returns the reply to send (a view into an internal buffer, valid until
  // the next call), or nothing when the datagram is dropped (counted in stats()).
  std::optional<std::span<const uint8_t>> Handle(std::span<const uint8_t> request, const core::NetAddress& from,
                                                 std::optional<core::UnixTime> kernel_rx);
  // Handle() for a datagram of unknown source: only rules that need no address apply.
  std::optional<std::span<const uint8_t>> Handle(std::span<const uint8_t> request,
                                                 std::optional<core::UnixTime> kernel_rx) {
    return Handle(request, core::NetAddress(), kernel_rx);
  }

  // What became of a mode 1 packet from an address without an association
  // (core::server::Server::HandleNewPeer), and the mode 2 reply to send, if any (a view into the
  // internal buffer, valid until the next call).
  struct NewPeer {
    core::server::NewPeerVerdict verdict;
    std::optional<std::span<const uint8_t>> reply;
  };
  NewPeer HandleNewPeer(std::span<const uint8_t> packet, const core::NetAddress& from,
                        std::optional<core::UnixTime> kernel_rx, const core::server::NewPeerPolicy& policy);

  // The core server: its restrict rules (for mode 6), rate limiter and counters.
  const core::server::Server& core() const { return server_; }
  const core::server::RateLimiter& rate_limiter() const { return server_.rate_limiter(); }
  const core::server::ServerStats& stats() const { return server_.stats(); }

 private:
  // The receive time on the clock's scale: the kernel stamp mapped, else a read now.
  core::NtpTimestamp ReceiveTime(std::optional<core::UnixTime> kernel_rx);
  const KeyRing& keys() const { return keys_ != nullptr ? *keys_ : no_keys_; }

  Clock& clock_;
  core::server::Server server_;
  const KeyRing* keys_ = nullptr;
  KeyRing no_keys_;
  std::array<uint8_t, core::server::kReplyCapacity> reply_{};
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_SERVER_PATH_H_

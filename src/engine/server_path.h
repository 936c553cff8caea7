// ServerPath: the engine's side of serving time, between a socket and core::server.
//
// For each datagram: place the receive timestamp on the clock's time scale (the kernel's software
// stamp when there is one, else a clock read right after the receive), build the reply with the
// pure core::server::HandleRequest from the current SystemSnapshot, and stamp its transmit time
// from the clock as the very last step before the caller sends it. Counts every outcome.
// Not thread-safe: one per serving thread.
#ifndef TEMPUS_ENGINE_SERVER_PATH_H_
#define TEMPUS_ENGINE_SERVER_PATH_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/server/server.h"
#include "core/system/snapshot.h"
#include "core/time/unix_time.h"
#include "engine/clock.h"

namespace tempus::engine {

class ServerPath {
 public:
  // `clock` must outlive this object.
  explicit ServerPath(Clock& clock) : clock_(clock) {}
  ServerPath(const ServerPath&) = delete;
  ServerPath& operator=(const ServerPath&) = delete;

  // Replaces the snapshot answered from (after each clock update).
  void Publish(const core::SystemSnapshot& snapshot) { snapshot_ = snapshot; }
  const core::SystemSnapshot& snapshot() const { return snapshot_; }

  // Handles one datagram. Returns the reply to send (a view into an internal buffer, valid until
  // the next call), or nothing when the datagram is dropped (counted in stats()).
  std::optional<std::span<const uint8_t>> Handle(std::span<const uint8_t> request,
                                                 std::optional<core::UnixTime> kernel_rx);

  const core::server::ServerStats& stats() const { return stats_; }

 private:
  Clock& clock_;
  core::SystemSnapshot snapshot_;
  core::server::ServerStats stats_;
  std::array<uint8_t, core::kHeaderSize> reply_{};
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_SERVER_PATH_H_

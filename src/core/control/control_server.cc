#include "core/control/control_server.h"

namespace tempus::core::control {

ControlServer::ControlServer(const ControlConfig& config, uint64_t hash_key)
    : config_(config), limiter_(config.limit, hash_key) {}

std::optional<report::ControlDrop> ControlServer::Admit(std::span<const uint8_t> request, const NetAddress& from,
                                                        MonoTime now, const server::RestrictTable& restricts) {
  ++stats_.requests;
  stats_.bytes_in += request.size();
  // `restrict ... noquery` decides once there are restrict lines; without any, loopback only.
  const bool allowed = !restricts.configured() ? (config_.from_any || from.IsLoopback()) : restricts.AllowQuery(from);
  if (!config_.enabled || !allowed) return report::ControlDrop::kRestricted;
  // Rate limited before any work: a flood costs a table lookup per datagram.
  switch (limiter_.Check(from, now)) {
    case ControlVerdict::kAllow: return std::nullopt;
    case ControlVerdict::kClientLimited: return report::ControlDrop::kClientRate;
    case ControlVerdict::kGlobalLimited: return report::ControlDrop::kGlobalRate;
  }
  return report::ControlDrop::kGlobalRate;
}

ControlAction ControlServer::Answer(std::span<const uint8_t> request, const report::NodeSnapshot& view) {
  auto answer = HandleControl(request, view);
  if (!answer) return Drop(report::ControlDrop::kMalformed);
  ++stats_.answered;
  for (const auto& datagram : *answer) {
    ++stats_.datagrams_sent;
    stats_.bytes_out += datagram.size();
  }
  return Respond{std::move(*answer)};
}

}  // namespace tempus::core::control

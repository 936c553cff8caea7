#include "engine/server_path.h"

#include "core/wire/codec.h"

namespace tempus::engine {

ServerPath::ServerPath(Clock& clock, const core::server::AccessPolicy& access, uint64_t hash_key)
    : clock_(clock), restricts_(access.restricts), limiter_(access.rate, hash_key) {}

std::optional<std::span<const uint8_t>> ServerPath::Handle(std::span<const uint8_t> request, const core::NetAddress& from,
                                                           std::optional<core::UnixTime> kernel_rx) {
  ++stats_.received;
  const auto admission = core::server::Admit(request, restricts_.Lookup(from), /*authenticated=*/false, limiter_,
                                             from, clock_.Mono());
  if (admission.action == core::server::Admission::Action::kDrop) {
    stats_.CountDrop(admission.reason);
    return std::nullopt;
  }
  if (admission.action == core::server::Admission::Action::kKissOfDeath) {
    auto size = core::server::BuildKissOfDeath(request, core::KissCode::kRate, reply_);
    stats_.CountDrop(size ? core::server::DropReason::kKodSent : size.error());
    if (!size) return std::nullopt;
    return std::span<const uint8_t>(reply_).first(*size);
  }
  const core::UnixTime rx = kernel_rx ? clock_.FromKernelRealtime(*kernel_rx) : clock_.Now();
  auto size = core::server::HandleRequest(request, rx.ToNtp(), snapshot_, reply_);
  if (!size) {
    stats_.CountDrop(size.error());
    return std::nullopt;
  }
  ++stats_.replied;
  const std::span<uint8_t> reply = std::span(reply_).first(*size);
  core::StampTransmit(reply, clock_.Now().ToNtp());  // as late as possible
  return reply;
}

std::optional<core::AssociationConfig> ServerPath::AdmitPassive(std::span<const uint8_t> packet,
                                                               const core::NetAddress& from, size_t ephemeral,
                                                               size_t limit) {
  ++stats_.received;
  auto config = core::server::AdmitPassive(packet, from, restricts_.Lookup(from), ephemeral, limit);
  if (!config) {
    stats_.CountDrop(config.error());
    return std::nullopt;
  }
  return *config;
}

}  // namespace tempus::engine

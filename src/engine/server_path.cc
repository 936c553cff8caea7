#include "engine/server_path.h"

#include "base/check.h"
#include "core/wire/codec.h"

namespace tempus::engine {

std::span<const uint8_t> FinishReply(const core::server::Respond& respond, std::span<uint8_t> buffer, Clock& clock,
                                     const KeyRing& keys) {
  if (respond.restamp) core::StampTransmit(respond.bytes, clock.Now().ToNtp());  // as late as possible
  if (!respond.sign_key) return respond.bytes;
  // The MAC covers the transmit stamp, so it is computed last.
  const auto signed_size = keys.Sign(*respond.sign_key, buffer, respond.bytes.size());
  TEMPUS_CHECK(signed_size.has_value());
  return buffer.first(*signed_size);
}

ServerPath::ServerPath(Clock& clock, const core::server::AccessPolicy& access, uint64_t hash_key)
    : clock_(clock), server_(access, hash_key) {}

core::NtpTimestamp ServerPath::ReceiveTime(std::optional<core::UnixTime> kernel_rx) {
  return (kernel_rx ? clock_.FromKernelRealtime(*kernel_rx) : clock_.Now()).ToNtp();
}

std::optional<std::span<const uint8_t>> ServerPath::Handle(std::span<const uint8_t> request, const core::NetAddress& from,
                                                           std::optional<core::UnixTime> kernel_rx) {
  const core::MonoTime now = clock_.Mono();
  const auto action = server_.Handle(request, from, ReceiveTime(kernel_rx), now, keys(), reply_);
  const auto* respond = std::get_if<core::server::Respond>(&action);
  if (respond == nullptr) return std::nullopt;
  const std::span<const uint8_t> out = FinishReply(*respond, reply_, clock_, keys());
  TEMPUS_CHECK(out.size() <= request.size());  // no amplification (the core's rule)
  return out;
}

ServerPath::NewPeer ServerPath::HandleNewPeer(std::span<const uint8_t> packet, const core::NetAddress& from,
                                              std::optional<core::UnixTime> kernel_rx,
                                              const core::server::NewPeerPolicy& policy) {
  const core::MonoTime now = clock_.Mono();
  NewPeer out;
  out.verdict = server_.HandleNewPeer(packet, from, ReceiveTime(kernel_rx), now, keys(), policy, reply_);
  if (out.verdict.reply) out.reply = FinishReply(*out.verdict.reply, reply_, clock_, keys());
  return out;
}

}  // namespace tempus::engine

#include "engine/server_path.h"

#include "core/wire/codec.h"

namespace tempus::engine {

std::optional<std::span<const uint8_t>> ServerPath::Handle(std::span<const uint8_t> request,
                                                           std::optional<core::UnixTime> kernel_rx) {
  ++stats_.received;
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

}  // namespace tempus::engine

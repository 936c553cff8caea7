// NtsClient: the seam through which the host's NTS client (RFC 8915 §5; tempusd's NtsSources)
// sits between engine::Node and the NTP port for the associations marked
// core::assoc::AssociationConfig::nts: it wraps their requests in NTS fields and judges their
// replies before the core sees them, so that nothing unauthenticated reaches such an association.
// The decisions are core::nts::NtsAssociation's; this is only the interface the engine calls.
#ifndef TEMPUS_ENGINE_NTS_CLIENT_H_
#define TEMPUS_ENGINE_NTS_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/net/net_address.h"

namespace tempus::engine {

// Room for the largest NTS request tempus builds: header, unique identifier, a cookie and 7
// placeholders of at most 256 octets each would be more than a datagram should carry; cookies of
// 100-odd octets (chrony, NTPsec, tempus) take about 1 KiB.
inline constexpr size_t kNtsRequestCapacity = 2048;

class NtsClient {
 public:
  virtual ~NtsClient() = default;
  // Writes the request of association `source` (its 48-octet `header`, as the core built it) with
  // its NTS fields into `out`; the size, or nothing: the request is not sent (no session yet).
  virtual std::optional<size_t> WrapRequest(uint32_t source, std::span<const uint8_t> header,
                                            std::span<uint8_t> out) = 0;
  // Whether a server reply (mode 4) from `from` may go on to the core: true unless `from` is the
  // server of an NTS association and the reply does not authenticate (then it is dropped and
  // counted here).
  virtual bool AdmitReply(const core::NetAddress& from, std::span<const uint8_t> bytes) = 0;
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_NTS_CLIENT_H_

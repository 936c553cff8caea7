// The NTP mode 6 control server (RFC 9327) as a pure function: a request datagram and the
// node's snapshot (core/report/node_snapshot.h, the one Prometheus and the logs read too) -> the
// response datagrams, or a typed drop.
//
// Read-only: READSTAT (op 1: the association ids with their peer status words, or one
// association's status) and READVAR (op 2: the system variables for association 0, a peer's for
// its id; an empty list gives the default set that `ntpq rv`/`ntpq -p` print, a list names
// variables, an unknown name is an error). Besides ntpd's variables: `reason` (system and peer),
// why the node follows no source or why a source is not used (RefusalName: "none", "panic",
// "falseticker", ...); a peer's `flash` carries ntpd's TEST bits for it, and while the panic
// refusal lasts the system `offset` is the refused one. Every other opcode gets an error response: write
// opcodes (WRITEVAR, WRITECLOCK, CONFIGURE, SETTRAP, ...) "administratively prohibited", the rest
// "invalid opcode". Values are in ntpq's units: milliseconds for delays, offsets, jitters and
// root values, ppm for frequencies, l_fp hex for timestamps.
//
// Bounded: a response is at most kMaxResponseFragments fragments of 468 bytes (a READVAR that
// names more variables than fit stops at the last one that fits), responses and fragmented
// requests are never answered (no loops), and nothing is read outside the request. Which
// sources may ask, and how often, is ControlServer's decision (control_server.h), which calls
// HandleControl for what it lets through. Stateless; thread-compatible.
#ifndef TEMPUS_CORE_CONTROL_CONTROL_H_
#define TEMPUS_CORE_CONTROL_CONTROL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/report/node_snapshot.h"
#include "core/select/select.h"
#include "core/system/refusal.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/mode6.h"

namespace tempus::core::control {

// At most this many fragments answer one request (1872 bytes of data).
inline constexpr size_t kMaxResponseFragments = 4;

// Why a datagram got no answer at all (errors the protocol can express are error responses).
enum class Drop : uint8_t {
  kMalformed,          // not a decodable mode 6 message
  kNotRequest,         // R or E bit set: never answer a response
  kFragmentedRequest,  // M bit set: ntpd's requests are single datagrams
};
std::string_view DropName(Drop drop);

using Datagrams = std::vector<std::vector<uint8_t>>;

// Answers one mode 6 request.
[[nodiscard]] Result<Datagrams, Drop> HandleControl(std::span<const uint8_t> request, const report::NodeSnapshot& view);

// The peer status word (RFC 9327 §2.4.2): configured, reachable, the selection (tally) code, and
// one event (sys_peer, reachable, unreachable or mobilize).
uint16_t PeerStatusWord(const report::SourceSnapshot& peer, bool is_system_peer);
// Why the association's source is not used: the System's verdict, else (a source it no longer
// knows: kiss DENY/RSTR) the association's own.
system::Refusal RefusalOf(const report::SourceSnapshot& peer);
// The system status word (RFC 9327 §2.4.1): leap, clock source (sync_ntp when the system peer is
// an NTP source, sync_local when it is the local clock), one event (clock_sync or restart).
uint16_t SystemStatusWord(const report::NodeSnapshot& view);
// The peer's flash bits (ntpd's peer->flash, `rv &N` flash=): the refusal's TEST bit, TEST12
// (0x0800) for a timing loop, TEST13 (0x1000) while the reach register is empty.
uint16_t FlashBits(const report::SourceSnapshot& peer);
// A timestamp as ntpd's ctl_putts writes it: "0xSSSSSSSS.FFFFFFFF".
std::string TimestampText(NtpTimestamp t);
// The select code (0..7) of a tally: reject, falsetick, excess, outlier, candidate, backup,
// sys.peer, pps.peer.
int SelectCode(select::Tally tally);

}  // namespace tempus::core::control

#endif  // TEMPUS_CORE_CONTROL_CONTROL_H_

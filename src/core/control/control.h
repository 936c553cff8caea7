// The NTP mode 6 control server (RFC 9327) as a pure function: a request datagram and a
// read-only view of the node -> the response datagrams, or a typed drop.
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

#include "core/assoc/association_snapshot.h"
#include "core/control/counters.h"
#include "core/discipline/discipline.h"
#include "core/net/net_address.h"
#include "base/result.h"
#include "core/system/snapshot.h"
#include "core/system/system.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/mode6.h"

namespace tempus::core::control {

// At most this many fragments answer one request (1872 bytes of data).
inline constexpr size_t kMaxResponseFragments = 4;

// One association as the control protocol shows it.
struct PeerView {
  uint16_t association_id = 0;                // stable for the association's life
  assoc::AssociationSnapshot association;
  std::optional<system::SourceView> source;   // the System's view (tally, filter output)
  // A reference clock's name, "LOCAL(0)" (local_clock.h): sent as srchost, which ntpq shows in
  // place of the 127.127.t.u address (type `l`); its refid is shown as a code at any stratum.
  std::string clock_name;
};

// What ntpd's mode 6 shows of its leap table (tai=, leapsec=, expire=), NTP seconds.
struct LeapView {
  int tai_utc = 0;             // TAI-UTC in effect now
  int64_t last_leap = 0;       // the table's last transition (ntpd's lsig.ttime)
  int64_t expires = 0;         // the table's expiry (lsig.etime)
};

// The read-only view of the node a control request is answered from.
struct NodeView {
  system::SystemSnapshot system;
  discipline::DisciplineState discipline;
  NtpDuration system_offset;                 // System::offset(): combined offset of the last selection
  NtpDuration system_jitter;                 // System::jitter()
  system::Refusal refusal = system::Refusal::kNone;  // System::refusal()
  std::optional<NtpDuration> panic_offset;   // System::panic_offset()
  std::optional<uint16_t> system_peer;       // association id of the system peer
  std::vector<PeerView> peers;               // by association id, ascending
  Counters counters;                         // ntpq sysstats (counters.h SysStats)
  MonoTime start;                            // when the node started
  MonoTime now;                              // monotonic now
  NtpTimestamp clock_now;                    // the node's clock now (clock=, and to place rec=)
  std::optional<NetAddress> local_address;   // dstadr
  std::string version = "tempusd";           // version=
  std::string processor;                     // processor= (omitted when empty)
  std::string system_name;                   // system= (omitted when empty)
  std::optional<LeapView> leap_table;        // tai=, leapsec=, expire= (omitted without a leapfile)
  // clock observe: the time served minus the uncorrected system clock (sysclk_offset=, ms;
  // positive: the system clock is behind). Omitted for the other clocks.
  std::optional<NtpDuration> system_clock_offset;
};

// Why a datagram got no answer at all (errors the protocol can express are error responses).
enum class Drop : uint8_t {
  kMalformed,          // not a decodable mode 6 message
  kNotRequest,         // R or E bit set: never answer a response
  kFragmentedRequest,  // M bit set: ntpd's requests are single datagrams
};
std::string_view DropName(Drop drop);

using Datagrams = std::vector<std::vector<uint8_t>>;

// Answers one mode 6 request.
[[nodiscard]] Result<Datagrams, Drop> HandleControl(std::span<const uint8_t> request, const NodeView& view);

// The peer status word (RFC 9327 §2.4.2): configured, reachable, the selection (tally) code, and
// one event (sys_peer, reachable, unreachable or mobilize).
uint16_t PeerStatusWord(const PeerView& peer, bool is_system_peer);
// Why the association's source is not used: the System's verdict, else (a source it no longer
// knows: kiss DENY/RSTR) the association's own.
system::Refusal RefusalOf(const PeerView& peer);
// The system status word (RFC 9327 §2.4.1): leap, clock source (sync_ntp when the system peer is
// an NTP source, sync_local when it is the local clock), one event (clock_sync or restart).
uint16_t SystemStatusWord(const NodeView& view);
// The peer's flash bits (ntpd's peer->flash, `rv &N` flash=): the refusal's TEST bit, TEST12
// (0x0800) for a timing loop, TEST13 (0x1000) while the reach register is empty.
uint16_t FlashBits(const PeerView& peer);
// The select code (0..7) of a tally: reject, falsetick, excess, outlier, candidate, backup,
// sys.peer, pps.peer.
int SelectCode(select::Tally tally);

}  // namespace tempus::core::control

#endif  // TEMPUS_CORE_CONTROL_CONTROL_H_

// The NTP packet header (RFC 5905 §7.3) as plain data, plus the vocabulary of its fields.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |LI | VN  |Mode |    Stratum     |     Poll      |  Precision   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Root Delay (NtpShort)                 |
//   |                      Root Dispersion (NtpShort)               |
//   |                          Reference ID                         |
//   |                     Reference Timestamp (64)                  |
//   |                      Origin Timestamp (64)                    |
//   |                      Receive Timestamp (64)                   |
//   |                      Transmit Timestamp (64)                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 Extension fields (RFC 7822), optional          |
//   |                 Key Identifier + digest (MAC), optional        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Value types; thread-compatible.
#ifndef TEMPUS_CORE_WIRE_PACKET_H_
#define TEMPUS_CORE_WIRE_PACKET_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/net/net_address.h"
#include "core/time/leap.h"
#include "core/time/ntp_timestamp.h"

namespace tempus::core {

inline constexpr size_t kHeaderSize = 48;
inline constexpr uint8_t kNtpVersion = 4;
inline constexpr uint8_t kMaxStratum = 16;  // MAXSTRAT: unsynchronized

// Association modes (RFC 5905 §7.3, Figure 10).
enum class Mode : uint8_t {
  kReserved = 0,
  kSymmetricActive = 1,
  kSymmetricPassive = 2,
  kClient = 3,
  kServer = 4,
  kBroadcast = 5,
  kControl = 6,  // RFC 9327, ntpq
  kPrivate = 7,  // ntpd's mode 7 (ntpdc); never answered
};

// The 32-bit reference identifier. Its meaning depends on the stratum (RFC 5905 §7.3): an ASCII
// code at stratum 0 (kiss code) and 1 (reference source), otherwise an IPv4 address or the first
// four bytes of the MD5 hash of an IPv6 address.
class RefId {
 public:
  constexpr RefId() = default;
  static constexpr RefId FromRaw(uint32_t raw) { return RefId(raw); }
  // Up to four ASCII characters, zero-padded ("GPS", "LOCL", "RATE").
  static RefId FromCode(std::string_view code);
  // The refid of an IPv4 source: the address itself (RFC 5905 §7.3). REQUIRES: address.is_v4().
  static RefId FromIPv4(const NetAddress& address);
  // The refid of an IPv6 source: the first four bytes of the MD5 digest of its address (RFC 5905
  // §7.3). The core has no hash; the engine computes the digest (engine/refid.h).
  // REQUIRES: digest.size() >= 4.
  static RefId FromDigestPrefix(std::span<const uint8_t> digest);

  constexpr uint32_t raw() const { return raw_; }
  // The four bytes as printable ASCII with trailing NULs dropped, or "" if any byte is not
  // printable.
  std::string AsCode() const;
  // Dotted quad "127.127.1.1".
  std::string AsDottedQuad() const;
  // As ntpq shows it for a source of this stratum: ".CODE." for stratum 0/1 codes, otherwise the
  // dotted quad.
  std::string ToDisplay(uint8_t stratum) const;
  friend constexpr bool operator==(RefId, RefId) = default;

 private:
  constexpr explicit RefId(uint32_t raw) : raw_(raw) {}
  uint32_t raw_ = 0;
};

// Kiss-o'-death codes (RFC 5905 §7.4): a mode 4 (or 2) packet with stratum 0 carries one in refid.
enum class KissCode : uint8_t {
  kNone,    // not a kiss-o'-death
  kRate,    // RATE: reduce your poll rate
  kDeny,    // DENY: access denied, stop
  kRstr,    // RSTR: access restricted, stop
  kNtsNak,  // NTSN: NTS cookie rejected (RFC 8915)
  kOther,   // any other code: RFC 5905 says ignore the packet
};

KissCode KissCodeOf(RefId refid);
RefId RefIdOf(KissCode code);

// The 48-byte header, decoded. Numeric fields hold what is on the wire; no interpretation.
struct Header {
  Leap leap = Leap::kNoWarning;   // LI
  uint8_t version = kNtpVersion;  // VN, 1..4 accepted by the decoder
  Mode mode = Mode::kClient;
  uint8_t stratum = 0;
  int8_t poll = 0;       // log2 s
  int8_t precision = 0;  // log2 s
  NtpShort root_delay;
  NtpShort root_dispersion;
  RefId refid;
  NtpTimestamp reference_time;
  NtpTimestamp origin_time;    // T1 as echoed by a server
  NtpTimestamp receive_time;   // T2
  NtpTimestamp transmit_time;  // T3

  // True for a kiss-o'-death packet: a server or symmetric reply with stratum 0 (RFC 5905 §7.4).
  bool IsKissOfDeath() const {
    return stratum == 0 && (mode == Mode::kServer || mode == Mode::kSymmetricActive || mode == Mode::kSymmetricPassive);
  }
  friend bool operator==(const Header&, const Header&) = default;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_WIRE_PACKET_H_

// The NTP mode 6 control message codec (RFC 9327 §2): the 12-byte header (LI/VN/mode, R/E/M/opcode,
// sequence, status, association id, offset, count), the data, and the padding to 4 bytes; the
// encoder of (possibly fragmented) responses and error responses on the server side; and on the
// client side the request encoder, the fragment reassembler and the parsers of the answers (the
// READSTAT list of association id/status pairs and the "name=value, ..." text of READVAR).
//
// Decoding never reads out of bounds and never throws; it returns a typed Mode6Error. Pure and
// thread-compatible: the reassembler is a value owned by one exchange.
#ifndef TEMPUS_CORE_WIRE_MODE6_H_
#define TEMPUS_CORE_WIRE_MODE6_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace tempus::core::mode6 {

inline constexpr size_t kHeaderSize = 12;
// The data a response fragment carries at most, as ntpd (CTL_MAX_DATA_LEN).
inline constexpr size_t kMaxFragmentData = 468;
// Classic ntpq sends VN=2; any of 1..4 is accepted and echoed.
inline constexpr uint8_t kMinVersion = 1;
inline constexpr uint8_t kMaxVersion = 4;

// Opcodes (RFC 9327 §2.1 and ntpd's extensions).
enum class Opcode : uint8_t {
  kReadStatus = 1,
  kReadVariables = 2,
  kWriteVariables = 3,
  kReadClock = 4,
  kWriteClock = 5,
  kSetTrap = 6,
  kAsyncMessage = 7,
  kConfigure = 8,
  kSaveConfig = 9,
  kReadMru = 10,
  kReadOrderedList = 11,
  kRequestNonce = 12,
  kUnsetTrap = 31,
};

// The error code of an error response, in the high byte of its status (RFC 9327 §2.1).
enum class ErrorCode : uint8_t {
  kUnspecified = 0,
  kAuthenticationFailure = 1,
  kBadFormat = 2,           // invalid message length or format
  kBadOpcode = 3,           // invalid opcode
  kUnknownAssociation = 4,  // unknown association identifier
  kUnknownVariable = 5,     // unknown variable name
  kBadValue = 6,            // invalid variable value
  kPermission = 7,          // administratively prohibited
};
std::string_view ErrorCodeName(ErrorCode code);

// Why bytes are not a mode 6 message.
enum class Mode6Error : uint8_t {
  kTooShort,    // fewer than 12 bytes
  kNotControl,  // mode is not 6
  kBadVersion,  // VN 0 or 5..7
  kBadCount,    // count larger than the data present
  kBadOffset,   // offset + count beyond 65535
};
inline constexpr size_t kMode6ErrorCount = 5;
std::string_view Mode6ErrorName(Mode6Error error);

struct Header {
  uint8_t leap = 0;       // LI: 0 in requests and responses
  uint8_t version = 2;    // VN
  bool response = false;  // R
  bool error = false;     // E
  bool more = false;      // M: more fragments follow
  uint8_t opcode = 0;     // 5 bits
  uint16_t sequence = 0;
  uint16_t status = 0;
  uint16_t association_id = 0;
  uint16_t offset = 0;  // of this fragment's data in the whole answer
  uint16_t count = 0;   // bytes of data in this fragment
  friend bool operator==(const Header&, const Header&) = default;
};

// A decoded message; `data` borrows the input (count bytes, without padding or MAC).
struct Message {
  Header header;
  std::span<const uint8_t> data;
};

[[nodiscard]] Result<Message, Mode6Error> Decode(std::span<const uint8_t> bytes);

// Header + data, padded with zeros to a multiple of 4. REQUIRES: data.size() <= 65535.
std::vector<uint8_t> Encode(const Header& header, std::span<const uint8_t> data);

// The response to `request` carrying `data`, split into fragments of at most `max_data` bytes,
// with M set on all but the last and increasing offsets. An empty answer is one empty fragment.
// REQUIRES: 4 <= max_data <= kMaxFragmentData, max_data % 4 == 0, data.size() <= 65535.
std::vector<std::vector<uint8_t>> EncodeResponse(const Header& request, uint16_t status, uint16_t association_id,
                                                 std::span<const uint8_t> data, size_t max_data = kMaxFragmentData);
// An error response to `request` (E set, the code in the high byte of status, no data).
std::vector<uint8_t> EncodeError(const Header& request, ErrorCode code);

// --- Client side ---

// A request (R=0). `version` 2 like classic ntpq.
std::vector<uint8_t> EncodeRequest(Opcode opcode, uint16_t sequence, uint16_t association_id,
                                   std::string_view data = {}, uint8_t version = 2);

// Collects the fragments of one answer (matched by sequence and opcode) in any order.
class Reassembler {
 public:
  enum class State { kIncomplete, kComplete };
  enum class Error : uint8_t { kNotResponse, kWrongSequence, kWrongOpcode, kErrorResponse, kOverlap, kTooMany };

  Reassembler(uint16_t sequence, Opcode opcode) : sequence_(sequence), opcode_(opcode) {}

  // Adds one fragment. A fragment of another exchange returns kWrongSequence/kWrongOpcode (the
  // caller ignores it); an error response returns kErrorResponse (see error_code()).
  [[nodiscard]] Result<State, Error> Add(const Message& message);
  // The whole answer. REQUIRES: the last Add returned kComplete.
  const std::vector<uint8_t>& data() const { return data_; }
  // The status word and association id of the last fragment.
  uint16_t status() const { return status_; }
  uint16_t association_id() const { return association_id_; }
  ErrorCode error_code() const { return error_code_; }

 private:
  struct Fragment {
    uint16_t offset;
    std::vector<uint8_t> bytes;
  };
  uint16_t sequence_;
  Opcode opcode_;
  std::vector<Fragment> fragments_;
  bool seen_last_ = false;
  uint16_t status_ = 0;
  uint16_t association_id_ = 0;
  ErrorCode error_code_ = ErrorCode::kUnspecified;
  std::vector<uint8_t> data_;
};

// One entry of a READSTAT answer for association 0.
struct AssociationStatus {
  uint16_t association_id = 0;
  uint16_t status = 0;
  friend bool operator==(const AssociationStatus&, const AssociationStatus&) = default;
};
// Parses a READSTAT answer; nullopt-like failure when its length is not a multiple of 4.
[[nodiscard]] Result<std::vector<AssociationStatus>, Mode6Error> ParseStatusList(std::span<const uint8_t> data);

// Parses READVAR text "a=1, b="x, y", c" into (name, value) pairs, in order: commas inside
// quotes do not split, quotes are removed from quoted values, bytes outside 1..126 are dropped
// (ntpd 1.2.2 sends uninitialised bytes), whitespace around names and values is trimmed.
std::vector<std::pair<std::string, std::string>> ParseVariables(std::span<const uint8_t> data);

// The fields of a peer status word (RFC 9327 §2.4.2) and of a system status word (§2.4.1).
inline constexpr uint16_t kPeerConfigured = 0x8000;
inline constexpr uint16_t kPeerAuthEnabled = 0x4000;
inline constexpr uint16_t kPeerAuthentic = 0x2000;
inline constexpr uint16_t kPeerReachable = 0x1000;
constexpr int PeerSelect(uint16_t status) { return (status >> 8) & 0x7; }
constexpr int EventCount(uint16_t status) { return (status >> 4) & 0xf; }
constexpr int EventCode(uint16_t status) { return status & 0xf; }
constexpr int SystemLeap(uint16_t status) { return status >> 14; }
constexpr int SystemClockSource(uint16_t status) { return (status >> 8) & 0x3f; }
// The ntpq tally character of a peer select code: " x.-+#*o".
constexpr char TallyChar(int select) { return " x.-+#*o"[select & 7]; }

}  // namespace tempus::core::mode6

#endif  // TEMPUS_CORE_WIRE_MODE6_H_

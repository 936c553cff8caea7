// core::server::Server: the NTP server as one pure entry per datagram (RFC 5905 §8, §9.2).
//
// Handle takes a request, its source, its receive time T2 (on the node's time scale), the
// monotonic now and the node's Authenticator, decodes the request once, and answers what the host
// must do: Ignore (a typed DropReason, counted) or Respond (bytes in the caller's buffer). In
// order, as ntpd's receive(): the restrict flags of the source (ignore, noserve, nopeer, version;
// notrust needs a valid MAC by a trusted key), the request's own validity, the rate limit of
// `limited` sources (over it: dropped, or with `kod` a RATE kiss-o'-death that carries no time),
// then the reply from the published SystemSnapshot. A MAC is verified only on a request that has
// one, and only once it matters: before the rate limit for a notrust source, else after it, so
// that dropped packets cost no digest. A valid MAC gets a reply signed by the same key (the host
// appends it: Respond::sign_key); a failing one (unknown or untrusted key, wrong digest) or a
// crypto-NAK gets a crypto-NAK: the reply plus a 4-byte key id 0 (RFC 5905 A.5.1 fast_xmit).
// A request with NTS extension fields takes the NTS path (nts_answer.h) after the rate limit: an
// NTS reply, an NTS NAK or a counted drop, never plain time; only when NTS is set (SetNts).
// HandleNewPeer is the same gate for a mode 1 packet from an address without an association.
//
// No amplification, no reflection: every answer is at most as long as its request, the MAC the
// host appends included (it has the request's key, so the request's size); modes 2, 4, 5, 6 and
// 7 and kisses-o'-death are never answered. One counter set (stats()), read by Prometheus and
// ntpq's sysstats alike. Pure (time and keys are passed in); not thread-safe.
#ifndef TEMPUS_CORE_SERVER_SERVER_H_
#define TEMPUS_CORE_SERVER_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "core/net/net_address.h"
#include "core/server/admission.h"
#include "core/server/drop_reason.h"
#include "core/server/nts_answer.h"
#include "core/server/nts_replay.h"
#include "core/server/rate_limit.h"
#include "core/server/reply.h"
#include "core/server/restrict.h"
#include "core/system/snapshot.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/auth.h"

namespace tempus::core::server {

// The datagram gets nothing; counted under `reason`.
struct Ignore {
  DropReason reason = DropReason::kTooShort;
};

// The datagram is answered with `bytes`, a prefix of the caller's reply buffer.
struct Respond {
  std::span<uint8_t> bytes;
  // The host overwrites the transmit timestamp (StampTransmit) right before sending, so that T3
  // is read as late as possible. False for a kiss-o'-death, which carries no time of ours, and
  // for an NTS reply, whose authenticator covers the transmit timestamp (T3 = T2).
  bool restamp = true;
  // The host appends the MAC by this key (key id + digest) after restamping: the key the request
  // was signed with, so the signed reply is as long as the request without its extension fields.
  std::optional<uint32_t> sign_key;
};

using ServerAction = std::variant<Ignore, Respond>;

// What the server did with a plain time request (Server::AnswerTimeRequest), without a variant: the
// batch path's answer. A reply is the first kHeaderSize bytes of the caller's buffer, with no MAC
// to append. kNone: not a plain time request, not judged (core::node::Node::TryServe).
enum class TimeAnswer : uint8_t {
  kNone,
  kDropped,      // counted (ServerStats), nothing to send
  kReply,        // to restamp (T3) and send: Respond with restamp
  kKissOfDeath,  // a RATE kiss-o'-death, sent as it is: Respond without restamp
};

// The room a reply buffer needs for any answer, the MAC the host appends included.
inline constexpr size_t kReplyCapacity = kHeaderSize + kMaxMacSize;
// The room for an NTS reply (nts_answer.h) to any request the daemon reads (2048 octets at most);
// with less, a reply carries fewer cookies.
inline constexpr size_t kNtsReplyCapacity = 2048;

// What became of a mode 1 packet from an address without an association (HandleNewPeer).
struct NewPeerVerdict {
  NewPeerAction action = NewPeerAction::kDrop;
  DropReason reason = DropReason::kSymmetricMode;  // kDrop: why; kReplyPassive: kUnauthenticatedPeer
  // kMobilize: what the passive association takes from the packet (assoc's PassiveConfig): the
  // key its MAC was verified by (none: unkeyed, only without NewPeerPolicy::require_auth), the
  // packet's version and poll.
  std::optional<uint32_t> key_id;
  uint8_t version = 0;
  int8_t poll = 0;
  std::optional<Respond> reply;  // kReplyPassive: a mode 2 reply to restamp and send, no MAC
};

class Server {
 public:
  // `hash_key` keys the rate limiter's table (draw it at random).
  explicit Server(const AccessPolicy& access = {}, uint64_t hash_key = 0);

  // Replaces the restrict rules and rate limits (a reload). The rate limiter's table is kept
  // unless its limits or `hash_key` change.
  void SetAccess(const AccessPolicy& access, uint64_t hash_key);
  // Answers NTS requests with `nts` (RFC 8915 §5, nts_answer.h); a default context: NTS is off and
  // they are dropped (kNtsDisabled). The pointees must outlive the Server.
  void SetNts(const NtsServerContext& nts) { nts_ = nts; }
  // Replaces the snapshot answered from (after each clock update).
  void Publish(const system::SystemSnapshot& snapshot);
  const system::SystemSnapshot& snapshot() const { return snapshot_; }

  // Judges one datagram of any mode but 6 from `from` (an address of family kNone: unknown;
  // only rules that need no address apply) that arrived at `rx` (T2, the node's clock) and `now`.
  // A Respond's bytes are in `reply`. REQUIRES: reply.size() >= kReplyCapacity (else every
  // request is dropped as kReplyBufferTooSmall).
  [[nodiscard]] ServerAction Handle(std::span<const uint8_t> request, const NetAddress& from, NtpTimestamp rx,
                                    MonoTime now, const Authenticator& auth, std::span<uint8_t> reply);

  // Handle for a plain time request: 48 bytes whose first byte is a time request's
  // (IsTimeRequestByte), which carries no MAC and no extension, so that no Authenticator is
  // asked; the same counts and the same answer as Handle. REQUIRES as Handle, and those two.
  [[nodiscard]] ServerAction HandleTimeRequest(std::span<const uint8_t> request, const NetAddress& from,
                                               NtpTimestamp rx, MonoTime now, std::span<uint8_t> reply) {
    ++stats_.received;
    return ToAction(HandlePlain(request, from, rx, now, reply), reply);
  }
  // HandleTimeRequest's answer as a small enum (never kNone), the reply's bytes in `reply`: the
  // daemon's batch path, one call and no variant per request. REQUIRES as HandleTimeRequest.
  [[nodiscard]] TimeAnswer AnswerTimeRequest(std::span<const uint8_t> request, const NetAddress& from, NtpTimestamp rx,
                                             MonoTime now, std::span<uint8_t> reply) {
    ++stats_.received;
    return HandlePlain(request, from, rx, now, reply).answer;
  }

  // Judges a mode 1 packet from `from`, an address without an association (RFC 5905 §9.2,
  // admission.h DecideNewPeer, after restrict ignore and noserve and the decode), and builds the
  // mode 2 reply of kReplyPassive in `reply`. Counted unless mobilized. REQUIRES as Handle.
  [[nodiscard]] NewPeerVerdict HandleNewPeer(std::span<const uint8_t> packet, const NetAddress& from, NtpTimestamp rx,
                                             MonoTime now, const Authenticator& auth, const NewPeerPolicy& policy,
                                             std::span<uint8_t> reply);

  // The restrict rules (the control server asks them whether a source may query).
  const RestrictTable& restricts() const { return restricts_; }
  const RateLimiter& rate_limiter() const { return limiter_; }
  const ServerStats& stats() const { return stats_; }

 private:
  // Handle for a 48-byte request whose first byte is a time request's (IsTimeRequestByte): no
  // MAC, no extension, so nothing to decode; the same checks in the same order, the reply from
  // the template.
  // Its answer and, when dropped, why (in two bytes: returned in a register).
  struct PlainOutcome {
    TimeAnswer answer;
    DropReason reason;
  };
  PlainOutcome HandlePlain(std::span<const uint8_t> request, const NetAddress& from, NtpTimestamp rx, MonoTime now,
                           std::span<uint8_t> reply);
  // HandlePlain's outcome as Handle answers it.
  static ServerAction ToAction(PlainOutcome outcome, std::span<uint8_t> reply) {
    if (outcome.answer == TimeAnswer::kDropped) return Ignore{outcome.reason};
    return Respond{reply.first(kHeaderSize), /*restamp=*/outcome.answer == TimeAnswer::kReply, std::nullopt};
  }
  PlainOutcome DropPlain(DropReason reason) {
    stats_.CountDrop(reason);
    return {TimeAnswer::kDropped, reason};
  }
  // Handle for a time request with NTS fields, past the rate limit.
  ServerAction HandleNts(std::span<const uint8_t> request, const DecodedPacket& decoded, NtpTimestamp rx,
                         std::span<uint8_t> reply);
  Ignore Drop(DropReason reason) {
    stats_.CountDrop(reason);
    return Ignore{reason};
  }

  system::SystemSnapshot snapshot_;
  ReplyTemplate template_;              // of snapshot_
  RootDispersionMemo dispersion_memo_;  // of template_
  ServerStats stats_;
  RestrictTable restricts_;
  RateLimiter limiter_;
  NtsServerContext nts_;
  NtsReplayWindow nts_replays_;
};

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_SERVER_H_

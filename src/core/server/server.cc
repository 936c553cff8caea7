#include "core/server/server.h"

#include <algorithm>

#include "core/server/reply.h"
#include "core/wire/codec.h"

namespace tempus::core::server {

namespace {

// The verdict on a request's MAC, computed at most once and only when asked: most requests
// carry none, and a request dropped before its MAC matters costs no digest.
class LazyMacVerdict {
 public:
  LazyMacVerdict(std::span<const uint8_t> bytes, const Result<DecodedPacket, DecodeError>& decoded,
                 const Authenticator& auth)
      : bytes_(bytes), decoded_(decoded), auth_(auth) {}

  AuthVerdict Get() {
    if (!verdict_) {
      verdict_ = decoded_ && decoded_->mac ? CheckMac(bytes_, *decoded_, std::nullopt, auth_) : AuthVerdict::kNone;
    }
    return *verdict_;
  }

 private:
  std::span<const uint8_t> bytes_;
  const Result<DecodedPacket, DecodeError>& decoded_;
  const Authenticator& auth_;
  std::optional<AuthVerdict> verdict_;
};

}  // namespace

Server::Server(const AccessPolicy& access, uint64_t hash_key)
    : template_(MakeReplyTemplate(snapshot_)), restricts_(access.restricts), limiter_(access.rate, hash_key) {}

void Server::Publish(const system::SystemSnapshot& snapshot) {
  snapshot_ = snapshot;
  template_ = MakeReplyTemplate(snapshot_);
  dispersion_memo_ = RootDispersionMemo{};
}

void Server::SetAccess(const AccessPolicy& access, uint64_t hash_key) {
  restricts_ = RestrictTable(access.restricts);
  if (access.rate != limiter_.config() || hash_key != limiter_.hash_key()) {
    limiter_ = RateLimiter(access.rate, hash_key);
  }
}

ServerAction Server::Handle(std::span<const uint8_t> request, const NetAddress& from, NtpTimestamp rx, MonoTime now,
                            const Authenticator& auth, std::span<uint8_t> reply) {
  ++stats_.received;
  if (request.size() == kHeaderSize && IsTimeRequestByte(request[0])) {
    return ToAction(HandlePlain(request, from, rx, now, reply), reply);
  }
  if (request.empty()) return Drop(DropReason::kTooShort);
  const AccessFlags flags = restricts_.Lookup(from);
  if (auto refused = RefusedByRestrict(flags, PeekMode(request), PeekVersion(request))) return Drop(*refused);
  const auto decoded = Decode(request);  // the only decode of the request
  LazyMacVerdict mac(request, decoded, auth);
  // `notrust`: nothing without a valid MAC by a trusted key, not even a crypto-NAK (as ntpd).
  if (flags.Has(Restrict::kNoTrust) && mac.Get() != AuthVerdict::kOk) return Drop(DropReason::kNotAuthenticated);
  if (auto ok = CheckTimeRequest(request, decoded); !ok) return Drop(ok.error());
  if (reply.size() < kReplyCapacity) return Drop(DropReason::kReplyBufferTooSmall);
  const Header& req = decoded->header;
  // Only well-formed time requests spend rate-limit state and can earn a KoD (RFC 5905 §7.4).
  if (flags.Has(Restrict::kLimited)) {
    switch (limiter_.Check(from, now, flags.Has(Restrict::kKod))) {
      case RateVerdict::kAllow: break;
      case RateVerdict::kLimited: return Drop(DropReason::kRateLimited);
      case RateVerdict::kLimitedKod:
        EncodeKissOfDeath(req, KissCode::kRate, reply);
        stats_.CountDrop(DropReason::kKodSent);
        return Respond{reply.first(kHeaderSize), /*restamp=*/false, std::nullopt};
    }
  }
  if (IsNtsRequest(*decoded)) return HandleNts(request, *decoded, rx, reply);
  EncodeReply(req, Mode::kServer, rx, snapshot_, reply);
  const AuthVerdict verdict = mac.Get();
  if (verdict == AuthVerdict::kBad || verdict == AuthVerdict::kCryptoNak) {
    // RFC 5905 A.5.1: the MAC failed: the reply with a crypto-NAK (key id 0, no digest), 52 bytes,
    // no more than the request (which had a MAC of at least 4 bytes).
    std::fill_n(reply.begin() + kHeaderSize, 4, uint8_t{0});
    stats_.CountDrop(DropReason::kCryptoNakSent);
    return Respond{reply.first(kHeaderSize + 4), /*restamp=*/true, std::nullopt};
  }
  ++stats_.replied;
  std::optional<uint32_t> sign_key;
  if (verdict == AuthVerdict::kOk) sign_key = decoded->mac->key_id;
  return Respond{reply.first(kHeaderSize), /*restamp=*/true, sign_key};
}

ServerAction Server::HandleNts(std::span<const uint8_t> request, const DecodedPacket& decoded, NtpTimestamp rx,
                               std::span<uint8_t> reply) {
  // An NTS client must get NTS time or a NAK (RFC 8915 §5.7), never plain time.
  if (!nts_.enabled()) return Drop(DropReason::kNtsDisabled);
  const NtsAnswer answer = AnswerNts(request, decoded, rx, snapshot_, nts_, reply);
  if (answer.drop) stats_.CountDrop(*answer.drop);
  if (answer.size == 0) return Ignore{answer.drop.value_or(DropReason::kNtsMalformed)};
  if (!answer.drop) {
    ++stats_.replied;
    ++stats_.nts_answered;
    if (nts_replays_.SeenBefore(answer.cookie)) ++stats_.nts_replayed;  // answered all the same
  }
  // Sealed over the transmit timestamp: not restamped, no MAC appended.
  return Respond{reply.first(answer.size), /*restamp=*/false, std::nullopt};
}

Server::PlainOutcome Server::HandlePlain(std::span<const uint8_t> request, const NetAddress& from, NtpTimestamp rx,
                                         MonoTime now, std::span<uint8_t> reply) {
  const AccessFlags flags = restricts_.Lookup(from);
  // A source with none of the flags that can refuse a time request (RefusedByRestrict's ignore,
  // noserve and version; notrust; limited) takes none of their checks: most of them.
  constexpr uint32_t kChecked = static_cast<uint32_t>(Restrict::kIgnore) | static_cast<uint32_t>(Restrict::kNoServe) |
                                static_cast<uint32_t>(Restrict::kVersion) | static_cast<uint32_t>(Restrict::kNoTrust) |
                                static_cast<uint32_t>(Restrict::kLimited);
  const bool checked = (flags.bits & kChecked) != 0;
  if (checked) {
    if (auto refused = RefusedByRestrict(flags, PeekMode(request), PeekVersion(request))) return DropPlain(*refused);
    if (flags.Has(Restrict::kNoTrust)) return DropPlain(DropReason::kNotAuthenticated);  // no MAC at all
  }
  if (reply.size() < kReplyCapacity) return DropPlain(DropReason::kReplyBufferTooSmall);
  if (checked && flags.Has(Restrict::kLimited)) {
    switch (limiter_.Check(from, now, flags.Has(Restrict::kKod))) {
      case RateVerdict::kAllow: break;
      case RateVerdict::kLimited: return DropPlain(DropReason::kRateLimited);
      case RateVerdict::kLimitedKod:
        EncodeKissOfDeath(Decode(request)->header, KissCode::kRate, reply);  // rare: decoded only here
        stats_.CountDrop(DropReason::kKodSent);
        return {TimeAnswer::kKissOfDeath, DropReason::kKodSent};
    }
  }
  EncodeReplyFromTemplate(template_, request, rx, reply, &dispersion_memo_);
  ++stats_.replied;
  return {TimeAnswer::kReply, DropReason::kTooShort};  // the reason unused
}

NewPeerVerdict Server::HandleNewPeer(std::span<const uint8_t> packet, const NetAddress& from, NtpTimestamp rx,
                                     MonoTime now, const Authenticator& auth, const NewPeerPolicy& policy,
                                     std::span<uint8_t> reply) {
  ++stats_.received;
  NewPeerVerdict out;
  const auto drop = [&](DropReason reason) {
    stats_.CountDrop(reason);
    out.reason = reason;
    return out;
  };
  if (packet.size() < kHeaderSize) return drop(DropReason::kTooShort);
  const AccessFlags flags = restricts_.Lookup(from);
  if (flags.Has(Restrict::kIgnore) || flags.Has(Restrict::kNoServe)) return drop(DropReason::kRestricted);
  const auto decoded = Decode(packet);  // the only decode of the packet
  if (!decoded) return drop(DropReasonOf(decoded.error()));
  if (reply.size() < kReplyCapacity) return drop(DropReason::kReplyBufferTooSmall);
  const Header& h = decoded->header;
  const AuthVerdict verdict = decoded->mac ? CheckMac(packet, *decoded, std::nullopt, auth) : AuthVerdict::kNone;
  const NewPeerDecision decision = DecideNewPeer(h, from, flags, verdict, policy, limiter_, now);
  out.action = decision.action;
  if (decision.action == NewPeerAction::kMobilize) {
    if (verdict == AuthVerdict::kOk) out.key_id = decoded->mac->key_id;
    out.version = h.version;
    out.poll = h.poll;
    return out;
  }
  stats_.CountDrop(decision.reason);
  out.reason = decision.reason;
  if (decision.action != NewPeerAction::kReplyPassive) return out;
  // ntpd's fast_xmit MODE_PASSIVE: our time in mode 2, 48 bytes, never more than the request.
  EncodeReply(h, Mode::kSymmetricPassive, rx, snapshot_, reply);
  out.reply = Respond{reply.first(kHeaderSize), /*restamp=*/true, std::nullopt};
  return out;
}

}  // namespace tempus::core::server

// Association, symmetric mode (RFC 5905 §8 on-wire protocol, §9.2, §A.5.1 receive/transmit):
// the packets of a `peer` association (mode 1) or of a passive one (mode 2). See association.h.
#include <algorithm>

#include "core/assoc/association.h"
#include "core/wire/codec.h"

namespace tempus::core::assoc {

// RFC 5905 §A.5.1 (peer_xmit): the system variables, org and rec of the peer's last packet, and
// xmt = the local time now. The bits of xmt below the clock precision are random (ntpd's fuzz):
// the time does not change by more than the clock can tell, and a spoofer must guess them.
void Association::TransmitSymmetric(UnixTime local_now, SendRequest& send) {
  const int fuzz_bits = std::clamp(32 + precision_log2_, 0, 31);
  const uint64_t mask = (uint64_t{1} << fuzz_bits) - 1;
  NtpTimestamp xmt = NtpTimestamp::FromRaw((local_now.ToNtp().raw() & ~mask) | (random_.NextU64() & mask));
  if (xmt == cookie_ || xmt.IsZero()) xmt = NtpTimestamp::FromRaw(xmt.raw() + mask + 1);
  cookie_ = xmt;
  t1_ = xmt;
  recent_xmt_[recent_next_] = xmt;
  recent_next_ = (recent_next_ + 1) % kRecentTransmits;

  const bool synced = system_.synchronized();
  Header h;
  h.leap = synced ? system_.leap : Leap::kUnsynchronized;
  h.version = config_.version;
  h.mode = config_.mode;
  h.stratum = synced ? system_.stratum : 0;  // MAXSTRAT is sent as 0 (§7.3)
  h.poll = static_cast<int8_t>(hpoll_.log2());
  h.precision = static_cast<int8_t>(precision_log2_);
  h.root_delay = NtpShort::FromDuration(system_.root_delay);
  h.root_dispersion = NtpShort::FromDuration(system::RootDispersionAt(system_, xmt));
  h.refid = system_.refid;
  h.reference_time = system_.reference_time;
  h.origin_time = peer_org_;   // T3 of the peer's last packet: its T1 when it gets this one
  h.receive_time = peer_rec_;  // when that packet arrived: its T2
  h.transmit_time = xmt;       // our T3 for the peer, our T1 for the reply
  EncodeHeader(h, send.bytes);
}

bool Association::RecentTransmit(NtpTimestamp origin) const {
  if (origin.IsZero()) return false;
  return std::find(recent_xmt_.begin(), recent_xmt_.end(), origin) != recent_xmt_.end();
}

void Association::UpdateSymmetricQuiet(MonoTime now) {
  const NtpDuration longer = std::max(hpoll_, ppoll_).Interval();
  const NtpDuration limit = longer + longer + longer.Scaled(2 * kPollJitterFraction) + kBurstSpacing;
  symmetric_quiet_ = last_received_ && now - *last_received_ > limit;
}

// RFC 5905 §A.5.1 (receive, symmetric branch), with tests 1-3 of §8.
void Association::OnSymmetricPacket(std::span<const uint8_t> bytes, UnixTime t4_local_rx, MonoTime now,
                                    AssocActions& out) {
  const auto decoded = Decode(bytes);
  if (!decoded) {
    RejectUnverified(AssocReject::kMalformed);
    return;
  }
  const Header& h = decoded->header;
  // §9.2 dispatch table: a passive association hears only an active peer; an active one either.
  const bool mode_ok = h.mode == Mode::kSymmetricActive ||
                       (h.mode == Mode::kSymmetricPassive && config_.mode == Mode::kSymmetricActive);
  if (!mode_ok) {
    RejectUnverified(AssocReject::kWrongMode);
    return;
  }
  // Test 1: the same packet again (replayed or duplicated on the way).
  if (!peer_org_.IsZero() && h.transmit_time == peer_org_) {
    stats_.Count(AssocReject::kDuplicate);
    return;
  }
  // Test 3 (transmit side): a packet that carries no time cannot be answered either.
  if (h.transmit_time.IsZero()) {
    RejectUnverified(AssocReject::kZeroTimestamps);
    return;
  }
  // Test 2: the origin must be something we sent. Zero means the peer has not heard from us yet
  // (its first packet, or it restarted); an older transmit of ours means the packets crossed.
  const bool latest = outstanding_ && h.origin_time == cookie_;
  if (!h.origin_time.IsZero() && !latest && !RecentTransmit(h.origin_time)) {
    RejectUnverified(AssocReject::kBogusOrigin);
    return;
  }
  peer_org_ = h.transmit_time;
  peer_rec_ = t4_local_rx.ToNtp();
  ppoll_ = PollExp(h.poll).Clamped(PollExp(PollExp::kMinPoll), PollExp(PollExp::kMaxPoll));
  ppoll_heard_ = true;
  if (h.origin_time.IsZero()) {
    RejectUnverified(AssocReject::kZeroTimestamps);  // the peer has not heard from us (yet)
  } else if (!latest) {
    // One sample per transmit of ours; later packets only refresh org and rec.
    stats_.Count(h.origin_time == answered_cookie_ ? AssocReject::kAlreadyAnswered : AssocReject::kStale);
  } else if (auto ok = CheckReplyHeader(h); !ok) {
    Conclude(Unexpected(ok.error()), h, now, out);
  } else {
    Conclude(MeasureReply(h, t1_, t4_local_rx.ToNtp(), precision_log2_), h, now, out);
  }
  // The peer's poll may have changed our transmit interval (PollDeadline).
  if (!demobilized_) Reschedule(now, now, out);
}

}  // namespace tempus::core::assoc

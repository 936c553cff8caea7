#include "core/assoc/association.h"

#include <algorithm>

#include "base/check.h"
#include "core/wire/codec.h"

namespace tempus::core::assoc {

using system::Refusal;

std::string_view AssocRejectName(AssocReject reason) {
  switch (reason) {
    case AssocReject::kMalformed: return "malformed";
    case AssocReject::kWrongMode: return "wrong_mode";
    case AssocReject::kDuplicate: return "duplicate";
    case AssocReject::kBogusOrigin: return "bogus_origin";
    case AssocReject::kStale: return "stale";
    case AssocReject::kAlreadyAnswered: return "already_answered";
    case AssocReject::kZeroTimestamps: return "zero_timestamps";
    case AssocReject::kUnsynchronized: return "unsynchronized";
    case AssocReject::kBadStratum: return "bad_stratum";
    case AssocReject::kBadRootDistance: return "bad_root_distance";
    case AssocReject::kKissRate: return "kiss_rate";
    case AssocReject::kKissDeny: return "kiss_deny";
    case AssocReject::kKissRstr: return "kiss_rstr";
    case AssocReject::kKissOther: return "kiss_other";
    case AssocReject::kAuthFailed: return "auth_failed";
    case AssocReject::kCryptoNak: return "crypto_nak";
  }
  return "unknown";
}

Association::Association(const AssociationConfig& config, Random& random, int local_precision_log2)
    : config_(config),
      random_(random),
      precision_log2_(local_precision_log2),
      own_poll_(config.minpoll.log2()),
      floor_(config.minpoll),
      hpoll_(config.minpoll),
      ppoll_(config.minpoll) {
  TEMPUS_CHECK(config.mode == Mode::kClient || config.mode == Mode::kSymmetricActive ||
               config.mode == Mode::kSymmetricPassive);
  TEMPUS_CHECK(config.minpoll <= config.maxpoll);
}

AssocActions Association::OnTimer(MonoTime now, UnixTime local_now) {
  AssocActions out;
  if (demobilized_) return out;
  if (reply_deadline_ && now >= *reply_deadline_) {
    reply_deadline_.reset();
    CountUnanswered();
  }
  if (next_poll_ && now < *next_poll_) {
    out.Push(SetTimer{Wake()});
    return out;
  }
  if (burst_left_ > 0) {
    --burst_left_;
  } else {
    StartPoll(out);
    if (demobilized_) return out;
    if (symmetric()) UpdateSymmetricQuiet(now);
  }
  Transmit(now, local_now, out);
  ScheduleAfterSend(now);
  out.Push(SetTimer{Wake()});
  return out;
}

// A request counts as unanswered once kReplyTimeout passed, or when the next one goes out first.
void Association::CountUnanswered() {
  if (!outstanding_ || unanswered_counted_) return;
  unanswered_counted_ = true;
  ++unanswered_run_;
}

MonoTime Association::Wake() const {
  if (!reply_deadline_) return *next_poll_;
  return next_poll_ ? std::min(*next_poll_, *reply_deadline_) : *reply_deadline_;
}

// RFC 5905 §13: shift the reach register once per poll; back off while unreachable, once
// kUnreachPolls polls in a row went unanswered (ntpd's NTP_UNREACH: it raises hpoll from then
// on); start a burst when configured. Backing off from the first silent poll left a server that
// came up a minute late unpolled for minutes (64, then 128, 256, 512 s), and a start that waits
// for the majority (System::AwaitMajorityAtStart) waiting for nothing.
void Association::StartPoll(AssocActions& out) {
  if (polls_ > 0) {
    if (!poll_answered_) ++missed_polls_;
    // A passive association does not back off: its probation is counted in polls.
    if (reach_ == 0 && missed_polls_ >= kUnreachPolls && config_.mode != Mode::kSymmetricPassive) {
      own_poll_ = std::min(own_poll_ + 1, config_.maxpoll.log2());
    }
  }
  const bool unanswered = polls_ > 0 && !poll_answered_;
  ++polls_;
  poll_answered_ = false;
  voted_this_poll_ = false;
  const uint8_t before = reach_;
  reach_ = static_cast<uint8_t>(reach_ << 1);
  if (before != 0 && reach_ == 0) {
    out.Push(BecameUnreachable{});
    refusal_ = Refusal::kNone;  // what the server last said is old news now
  }
  if (unanswered && unverified_refusal_ != Refusal::kNone) refusal_ = unverified_refusal_;
  unverified_refusal_ = Refusal::kNone;
  // An ephemeral (passive) association lives only while its peer talks to it (RFC 5905 §9.2):
  // it goes when unreachable, or when it never became reachable (a spoofed mode 1).
  if (config_.mode == Mode::kSymmetricPassive && reach_ == 0 && (before != 0 || polls_ > kEphemeralProbationPolls)) {
    Retire(KissCode::kNone, out);
    return;
  }
  const bool burst = reach_ == 0 ? config_.iburst : config_.burst;
  if (burst && !rate_limited_) burst_left_ = kBurstCount - 1;
  UpdateHpoll(out);
}

void Association::Transmit(MonoTime now, UnixTime local_now, AssocActions& out) {
  if (outstanding_) superseded_cookie_ = cookie_;
  if (!symmetric()) {
    // A peer answers on its own poll, not within kReplyTimeout: see UpdateSymmetricQuiet.
    CountUnanswered();
    unanswered_counted_ = false;
    reply_deadline_ = now + kReplyTimeout;
  }
  SendRequest send;
  if (symmetric()) {
    TransmitSymmetric(local_now, send);
  } else {
    cookie_ = NewCookie();
    t1_ = local_now.ToNtp();
    BuildClientRequest(cookie_, static_cast<int8_t>(hpoll_.log2()), send.bytes, config_.version);
  }
  outstanding_ = true;
  send.cookie = cookie_;
  out.Push(send);
  ++stats_.sent;
  last_send_ = now;
}

// A random transmit timestamp (chrony's transmit obfuscation, RFC 5905 §9.1 "org"): hides the
// local clock and makes off-path spoofing a 64-bit guess. Never zero, never a recent cookie.
NtpTimestamp Association::NewCookie() {
  NtpTimestamp c;
  for (int i = 0; i < 8; ++i) {
    c = NtpTimestamp::FromRaw(random_.NextU64());
    if (!c.IsZero() && c != cookie_ && c != answered_cookie_ && c != superseded_cookie_) return c;
  }
  return NtpTimestamp::FromRaw(cookie_.raw() + 1 == 0 ? 1 : cookie_.raw() + 1);  // a broken Random
}

void Association::ScheduleAfterSend(MonoTime now) {
  if (burst_left_ > 0) {
    next_poll_ = now + kBurstSpacing;
    return;
  }
  poll_jitter_ = UniformUnit(random_) * kPollJitterFraction;
  next_poll_ = PollDeadline();
}

PollExp Association::StartupFloor() const {
  return PollExp(std::max(kStartupPollMin, floor_.log2() - kStartupPollShift));
}

MonoTime Association::PollDeadline() const {
  // Symmetric mode: the faster of the two sides' polls once the peer answers (RFC 5905 §A.5.5.7
  // poll_update, chrony's get_transmit_poll). The RFC stops at our minpoll; we go down to the
  // startup poll (SetStartup): a peer whose clock settles polls that fast, and each of its
  // packets is a sample only when one of ours came between (one per our poll), so following it
  // no lower than minpoll left three of its four exchanges unanswered (on loopback: one side at
  // 16 s, the other at 64 s) and its settling four times as slow.
  PollExp poll = hpoll_;
  const PollExp lowest = rate_limited_ ? floor_ : std::min(floor_, StartupFloor());
  if (symmetric() && ppoll_heard_ && reach_ != 0) poll = std::min(hpoll_, std::max(ppoll_, lowest));
  const NtpDuration interval = poll.Interval();
  return last_send_ + interval + interval.Scaled(poll_jitter_);
}

// Moves the pending poll (not a burst's next request) to follow a new hpoll, no earlier than
// `earliest`.
void Association::Reschedule(MonoTime now, MonoTime earliest, AssocActions& out) {
  if (!next_poll_ || burst_left_ > 0) return;
  const MonoTime deadline = std::max({now, earliest, PollDeadline()});
  next_poll_ = deadline;
  out.Push(SetTimer{Wake()});  // also when only the reply deadline went away
}

bool Association::UpdateHpoll(AssocActions& out) {
  int p = own_poll_;
  if (reach_ != 0 && system_poll_) p = std::min(p, system_poll_->log2());
  PollExp low = floor_;
  if (startup_ && reach_ != 0 && !rate_limited_) {
    low = StartupFloor();
    p = low.log2();
  }
  const PollExp next = PollExp(p).Clamped(low, config_.maxpoll);
  if (next == hpoll_) return false;
  out.Push(PollChanged{hpoll_, next});
  hpoll_ = next;
  return true;
}

AssocActions Association::SetSystemPoll(PollExp poll, MonoTime now) {
  AssocActions out;
  if (demobilized_) return out;
  system_poll_ = poll;
  if (UpdateHpoll(out)) Reschedule(now, now, out);
  return out;
}

AssocActions Association::SetStartup(bool startup, MonoTime now) {
  AssocActions out;
  if (demobilized_ || startup == startup_) return out;
  startup_ = startup;
  if (UpdateHpoll(out)) Reschedule(now, now, out);
  return out;
}

void Association::RefineTransmitTime(NtpTimestamp cookie, UnixTime t1) {
  if (outstanding_ && cookie == cookie_) t1_ = t1.ToNtp();
}

void Association::OnClockStep(NtpDuration step) {
  if (outstanding_) t1_ = t1_ + step;
  // The peer takes rec as its T2: keep it on the clock's new time scale.
  if (!peer_rec_.IsZero()) peer_rec_ = peer_rec_ + step;
}

AssocReject Association::ClassifyUnexpectedOrigin(NtpTimestamp origin) const {
  if (!origin.IsZero() && origin == answered_cookie_) return AssocReject::kAlreadyAnswered;
  if (!origin.IsZero() && origin == superseded_cookie_) return AssocReject::kStale;
  return AssocReject::kBogusOrigin;
}

void Association::RejectUnverified(AssocReject reason) {
  stats_.Count(reason);
  switch (reason) {
    case AssocReject::kBogusOrigin: unverified_refusal_ = Refusal::kBogusOrigin; break;
    case AssocReject::kAuthFailed:
    case AssocReject::kCryptoNak: unverified_refusal_ = Refusal::kAuthFailed; break;
    // Malformed, another mode, or a symmetric packet with a zero origin (the peer has not heard
    // us, which anyone can claim): noise, not something the server says. Only a reply that
    // answers our request says test 3 (Conclude), and only that may take its samples out.
    default: break;
  }
}

AssocActions Association::OnPacket(std::span<const uint8_t> bytes, UnixTime t4_local_rx, MonoTime now,
                                   AuthVerdict auth) {
  AssocActions out;
  if (demobilized_) return out;
  ++stats_.received;
  if (symmetric()) {
    // Test 5 for a keyed peer as for a server: only authentic packets touch the pair's state.
    if (config_.key_id && auth != AuthVerdict::kOk) {
      RejectUnverified(auth == AuthVerdict::kCryptoNak ? AssocReject::kCryptoNak : AssocReject::kAuthFailed);
      return out;
    }
    OnSymmetricPacket(bytes, t4_local_rx, now, out);
    return out;
  }
  const auto decoded = Decode(bytes);
  if (!decoded) {
    RejectUnverified(AssocReject::kMalformed);
    return out;
  }
  const Header& h = decoded->header;
  if (h.mode != Mode::kServer) {
    RejectUnverified(AssocReject::kWrongMode);
    return out;
  }
  // Test 5 (RFC 5905 §8): with a key, only an authentic reply may touch any state, so that a
  // forged packet can neither consume the cookie nor count for reach.
  if (config_.key_id && auth != AuthVerdict::kOk) {
    RejectUnverified(auth == AuthVerdict::kCryptoNak ? AssocReject::kCryptoNak : AssocReject::kAuthFailed);
    return out;
  }
  // Test 1: a copy of the last reply taken.
  if (!last_rx_transmit_.IsZero() && h.transmit_time == last_rx_transmit_) {
    stats_.Count(AssocReject::kDuplicate);
    return out;
  }
  // Test 2, and one reply per request: the origin must be the cookie still outstanding.
  if (!outstanding_ || h.origin_time != cookie_) {
    RejectUnverified(ClassifyUnexpectedOrigin(h.origin_time));
    return out;
  }
  Conclude(ProcessReply(bytes, cookie_, t1_, t4_local_rx.ToNtp(), precision_log2_), h, now, out);
  return out;
}

// The outcome of a reply (or symmetric packet) that passed the origin check: a measurement, a
// kiss, or an answer without usable time.
void Association::Conclude(const Result<Measurement, ReplyRejection>& result, const Header& h, MonoTime now,
                           AssocActions& out) {
  const PollExp poll_before = hpoll_;
  if (result) {
    refusal_ = Refusal::kNone;
    ConsumeCookie(h);
    MarkAnswered(now, out);
    TakeMeasurement(*result, now, out);
    if (hpoll_ != poll_before) Reschedule(now, now, out);
    return;
  }
  switch (result.error().error) {
    case ReplyError::kKissOfDeath: HandleKiss(result.error().kiss, h, now, out); return;
    case ReplyError::kUnsynchronized:
    case ReplyError::kBadRootDistance:
      // The server answered (reach), it just has no usable time (ntpd counts these for reach too).
      ConsumeCookie(h);
      MarkAnswered(now, out);
      if (hpoll_ != poll_before) Reschedule(now, now, out);
      if (result.error().error == ReplyError::kBadRootDistance) {
        stats_.Count(AssocReject::kBadRootDistance);
        refusal_ = Refusal::kServerDistance;
      } else if (h.stratum >= kMaxStratum) {
        stats_.Count(AssocReject::kBadStratum);
        refusal_ = Refusal::kBadStratum;
      } else {
        stats_.Count(AssocReject::kUnsynchronized);
        refusal_ = Refusal::kUnsynchronized;
      }
      return;
    case ReplyError::kZeroTimestamps:
      stats_.Count(AssocReject::kZeroTimestamps);
      refusal_ = Refusal::kZeroTimestamps;
      return;
    case ReplyError::kMalformed:
    case ReplyError::kNotServerMode:
    case ReplyError::kBogusOrigin: break;  // checked above already
  }
  stats_.Count(AssocReject::kMalformed);
}

void Association::ConsumeCookie(const Header& reply) {
  outstanding_ = false;
  reply_deadline_.reset();
  unanswered_run_ = 0;
  answered_cookie_ = cookie_;
  last_rx_transmit_ = reply.transmit_time;
  ppoll_ = PollExp(reply.poll);
}

void Association::MarkAnswered(MonoTime now, AssocActions& out) {
  last_received_ = now;
  symmetric_quiet_ = false;
  poll_answered_ = true;
  missed_polls_ = 0;
  const bool was_reachable = reach_ != 0;
  // A reply before the first poll cannot pass test 2, so a poll is open and bit 0 is its bit.
  reach_ |= 1;
  if (was_reachable) return;
  out.Push(BecameReachable{});
  own_poll_ = floor_.log2();  // the backoff is over (ntpd resets hpoll when reachable)
  advisor_.Restart();
  UpdateHpoll(out);
}

void Association::TakeMeasurement(const Measurement& m, MonoTime now, AssocActions& out) {
  ++stats_.accepted;
  last_measurement_ = m;
  const bool vote = !voted_this_poll_;
  voted_this_poll_ = true;
  switch (advisor_.AddSample(m.offset, m.delay, vote)) {
    case PollAdvisor::Advice::kUp: own_poll_ = std::min(hpoll_.log2() + 1, config_.maxpoll.log2()); break;
    case PollAdvisor::Advice::kDown: own_poll_ = std::max(hpoll_.log2() - 1, floor_.log2()); break;
    case PollAdvisor::Advice::kKeep: break;
  }
  UpdateHpoll(out);
  out.Push(NewMeasurement{m, now});
}

// RFC 5905 §7.4: RATE asks us to poll less, DENY and RSTR to stop; other codes are ignored.
void Association::HandleKiss(KissCode code, const Header& reply, MonoTime now, AssocActions& out) {
  switch (code) {
    case KissCode::kRate: {
      stats_.Count(AssocReject::kKissRate);
      refusal_ = Refusal::kKissRate;
      ConsumeCookie(reply);
      rate_limited_ = true;
      burst_left_ = 0;
      const int raised = std::max({hpoll_.log2() + 1, static_cast<int>(reply.poll), floor_.log2()});
      floor_ = PollExp(std::min(raised, config_.maxpoll.log2()));
      own_poll_ = std::max(own_poll_, floor_.log2());
      UpdateHpoll(out);
      Reschedule(now, now + hpoll_.Interval(), out);
      return;
    }
    case KissCode::kDeny:
    case KissCode::kRstr:
      stats_.Count(code == KissCode::kDeny ? AssocReject::kKissDeny : AssocReject::kKissRstr);
      refusal_ = code == KissCode::kDeny ? Refusal::kKissDeny : Refusal::kKissRstr;
      Retire(code, out);
      return;
    case KissCode::kNone:
    case KissCode::kNtsNak:
    case KissCode::kOther: {
      // No protocol meaning (§7.4), but the server did answer this request: an unsynchronized
      // server sends stratum 0 with INIT or STEP (MAXSTRAT goes out as 0), and ntpd reads that as
      // stratum 16, which fails test 6 yet counts for reach.
      const PollExp poll_before = hpoll_;
      ConsumeCookie(reply);
      MarkAnswered(now, out);
      if (hpoll_ != poll_before) Reschedule(now, now, out);
      const bool unsynchronized = reply.leap == Leap::kUnsynchronized;
      stats_.Count(unsynchronized ? AssocReject::kUnsynchronized : AssocReject::kKissOther);
      refusal_ = unsynchronized ? Refusal::kUnsynchronized : Refusal::kBadStratum;  // stratum 0
      return;
    }
  }
}

void Association::Retire(KissCode reason, AssocActions& out) {
  demobilized_ = true;
  demobilize_reason_ = reason;
  outstanding_ = false;
  burst_left_ = 0;
  next_poll_.reset();
  reply_deadline_.reset();
  out.Push(core::assoc::Demobilize{reason});
}

AssociationSnapshot Association::Snapshot() const {
  AssociationSnapshot s;
  s.config = config_;
  s.reach = reach_;
  s.reachable = reach_ != 0;
  s.hpoll = hpoll_;
  s.ppoll = ppoll_;
  s.poll_floor = floor_;
  s.missed_polls = missed_polls_;
  s.in_burst = burst_left_ > 0;
  s.rate_limited = rate_limited_;
  s.demobilized = demobilized_;
  s.demobilize_reason = demobilize_reason_;
  s.last_received = last_received_;
  s.next_poll = next_poll_;
  s.last_measurement = last_measurement_;
  s.jitter_s = advisor_.jitter_s();
  s.refusal = refusal_;
  s.stats = stats_;
  return s;
}

}  // namespace tempus::core::assoc

// Association: the client side of one NTP server, as a pure state machine (RFC 5905 §9 peer
// process, §13 poll process, §8 on-wire checks), shaped like ntpd-rs's NtpSource.
//
// The host feeds it timer expiries (OnTimer) and datagrams from the server's address (OnPacket),
// with the times read from its clocks, and carries out the returned actions (actions.h): send a
// request, re-arm the one timer, pass a measurement to the clock filter, report reachability,
// demobilize. Randomness (transmit cookies, poll jitter) comes from the injected Random. Nothing
// here reads a clock or touches the network, so the simulator runs thousands of these.
//
// Poll process, per poll: the 8-bit reach register shifts left; a reply taken during the poll sets
// bit 0; eight polls without a reply empty it (BecameUnreachable). With `iburst`, a poll that
// starts with the register empty (the first poll, or after unreachability) sends a burst of 8
// requests 2 s apart instead of one; with `burst`, so does every poll while reachable. A burst is
// one poll for the reach register. The poll exponent hpoll stays in [floor, maxpoll], floor being
// minpoll or more after a KoD RATE:
//   - reachable: min(own, system) where `own` is moved by PollAdvisor (up after steady samples,
//     down after jumps; one vote per poll) and `system` is the discipline's advice (SetSystemPoll;
//     none means no limit);
//   - unreachable: each poll after one with an empty register raises it by one (backing off to
//     maxpoll, as ntpd does); when a reply returns, `own` restarts at the floor.
// Polls are spaced 2^hpoll s plus a random fraction of it (at most 1/8), from the last request.
// Replies: test 1 (duplicate), test 2 (origin = the cookie of the request outstanding), one reply
// per request, then ProcessReply (tests 3, 6, 7, KoD). A reply from an unsynchronized server
// (tests 6, 7) consumes the cookie and counts for reach but yields no measurement. KoD RATE raises
// the floor to at least hpoll + 1 (and the server's poll), delays the next request by a full new
// interval and turns bursts off for good; DENY and RSTR demobilize; other codes (INIT, STEP from
// an unsynchronized server, which sends stratum 16 as 0) give no measurement but count for reach.
//
// Symmetric mode (RFC 5905 §8, §9.2, §A.5.1; association_symmetric.cc): a `peer` association
// (symmetric active) sends mode 1, a passive one (mobilized by the host when a peer's mode 1
// arrives) mode 2; both accept the other side's packets whenever it sends them. A packet carries
// the system variables (SetSystemSnapshot), org = the transmit timestamp of the peer's last
// packet, rec = when it arrived, and xmt = the local time now (not a cookie: the peer uses it as
// its T3), fuzzed below the clock precision. A peer packet is a sample when its origin is our
// latest transmit (test 2) and that transmit has not given one yet; org and rec are updated from
// every packet that passes test 1 (duplicate) and whose origin is zero (the peer has not heard
// from us yet) or one of our recent transmits (packets that crossed on the wire); any other
// origin is bogus and changes nothing, so a blind spoofer cannot desynchronize the pair. Polls
// go out every 2^min(hpoll, ppoll) s (the faster side's rate, once the peer is reachable), ppoll
// counting down to the startup poll, below minpoll (PollDeadline). A
// passive association demobilizes (Demobilize, reason kNone) when it becomes unreachable or has
// not become reachable within kEphemeralProbationPolls polls.
// Authentication (`key N`): the host appends key id + MAC to each SendRequest and checks each reply's
// MAC, passing OnPacket its verdict; a keyed association takes only kOk replies (RFC 5905 test 5).
// Refusal (refusal.h): why the server's replies are not used now. A reply that passed the origin
// check sets it at once (tests 3, 6, 7, kiss codes; a measurement clears it): it answers our
// cookie, so only the server can send it, at most once per request. Rejections anyone can send
// (bad origin, MAC, mode, format) set it only for a poll that got no usable reply, at the start of
// the next one, so a spoofer cannot flip it while the server answers. Unreachability clears it.
// Not thread-safe: one thread drives an association.
#ifndef TEMPUS_CORE_ASSOC_ASSOCIATION_H_
#define TEMPUS_CORE_ASSOC_ASSOCIATION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "base/random.h"
#include "core/assoc/actions.h"
#include "core/assoc/association_config.h"
#include "core/assoc/association_snapshot.h"
#include "core/assoc/poll_advisor.h"
#include "core/system/snapshot.h"
#include "core/time/mono_time.h"
#include "core/time/poll_exp.h"
#include "core/time/unix_time.h"
#include "core/wire/auth.h"
#include "core/wire/exchange.h"

namespace tempus::core::assoc {

class Association {
 public:
  static constexpr int kBurstCount = 8;  // requests per burst (ntpd's iburst/burst)
  static constexpr NtpDuration kBurstSpacing = NtpDuration::FromWholeSeconds(2);
  static constexpr double kPollJitterFraction = 0.125;  // a poll waits 2^hpoll × [1, 1.125]
  // Polls a passive (ephemeral) association may take to become reachable before it goes.
  static constexpr uint64_t kEphemeralProbationPolls = 4;
  // Own transmits remembered for the origin check of symmetric packets that crossed ours.
  static constexpr size_t kRecentTransmits = 4;
  // A request not answered this long after it was sent is counted as lost.
  static constexpr NtpDuration kReplyTimeout = NtpDuration::FromWholeSeconds(4);
  static constexpr int kStartupPollShift = 2;  // SetStartup: minpoll − 2 ...
  static constexpr int kStartupPollMin = 4;    // ... but not below 16 s

  // REQUIRES: `config` came out of ValidateAssociationConfig. `random` outlives
  // this. `local_precision_log2` is the local clock's precision (sys.precision, log2 s).
  Association(const AssociationConfig& config, Random& random, int local_precision_log2);
  Association(const Association&) = delete;
  Association& operator=(const Association&) = delete;

  // The association's timer fired (or the host starts it: the first call always polls). Sends the
  // next request when `now` has reached the deadline; an early call only re-arms the timer.
  // `local_now` is the local clock (T1 of the request).
  [[nodiscard]] AssocActions OnTimer(MonoTime now, UnixTime local_now);

  // A datagram from the association's address, received at `t4_local_rx` by the local clock
  // (the kernel timestamp) and at `now` by the monotonic clock. `auth` is the host's verdict on its
  // MAC for the association's key (ignored when the association has no key): anything but kOk is
  // counted (kAuthFailed, kCryptoNak) and changes nothing else.
  [[nodiscard]] AssocActions OnPacket(std::span<const uint8_t> bytes, UnixTime t4_local_rx, MonoTime now,
                                      AuthVerdict auth = AuthVerdict::kNone);

  // The discipline's poll advice (RFC 5905 §A.5.5.6 sys.poll); limits hpoll while reachable.
  [[nodiscard]] AssocActions SetSystemPoll(PollExp poll, MonoTime now);

  // The system variables a symmetric association's packets carry (stratum, refid, root delay and
  // dispersion, leap, reference time); the host passes each new snapshot. Unused in client mode.
  void SetSystemSnapshot(const system::SystemSnapshot& system) { system_ = system; }

  // While the host's clock is settling (not synchronized, or its frequency still uncertain:
  // System::Settling), a reachable source is polled at 2^(minpoll − 2) (at least 16 s; not after
  // a KoD RATE) instead of 2^minpoll: the clock runs off at its frequency error meanwhile, and the
  // samples that measure it come four times as fast. A few extra requests per source at start.
  [[nodiscard]] AssocActions SetStartup(bool startup, MonoTime now);

  // The host's better T1 for the request sent with `cookie` (e.g. a kernel transmit timestamp).
  // Ignored when that request is no longer outstanding.
  void RefineTransmitTime(NtpTimestamp cookie, UnixTime t1);

  // The local clock was stepped by `step`: the request in flight keeps its T1 on the new time
  // scale, so its reply still measures correctly (otherwise its offset would be off by half the
  // step and the filter, just reset, would take it).
  void OnClockStep(NtpDuration step);

  AssociationSnapshot Snapshot() const;
  const AssociationConfig& config() const { return config_; }
  // Symmetric active or passive (modes 1/2), as opposed to client.
  bool symmetric() const { return config_.mode != Mode::kClient; }
  PollExp hpoll() const { return hpoll_; }
  uint8_t reach() const { return reach_; }
  // The last two requests went unanswered (each for kReplyTimeout, or until the next was sent):
  // the source has probably gone, and selection should stop relying on it now rather than after
  // a third poll (RFC 5905's reach & 0x07 rule) or eight (unreachable).
  // A symmetric peer answers on its own poll instead: it is quiet when nothing valid came from it
  // for two of the longer of the two poll intervals (checked at each poll).
  bool quiet() const { return symmetric() ? symmetric_quiet_ : unanswered_run_ >= 2; }
  bool demobilized() const { return demobilized_; }
  // The armed deadline; empty before the first OnTimer and after demobilization.
  std::optional<MonoTime> next_poll() const { return next_poll_; }
  // When OnTimer must run next (the next poll or a reply deadline): what the latest SetTimer
  // said, even when the host carries an earlier one later (see engine::Node::Carry).
  std::optional<MonoTime> NextWake() const {
    return next_poll_ || reply_deadline_ ? std::optional<MonoTime>(Wake()) : std::nullopt;
  }
  const AssociationStats& stats() const { return stats_; }
  // Why the server's replies are not used now (see the file comment); kNone when they are.
  system::Refusal refusal() const { return refusal_; }

 private:
  void StartPoll(AssocActions& out);
  void Transmit(MonoTime now, UnixTime local_now, AssocActions& out);
  void ScheduleAfterSend(MonoTime now);
  void CountUnanswered();
  // The next time OnTimer must run: the next poll, or a pending request's reply deadline.
  MonoTime Wake() const;
  MonoTime PollDeadline() const;
  // The poll SetStartup uses: 2^(floor − kStartupPollShift), at least 2^kStartupPollMin.
  PollExp StartupFloor() const;
  void Reschedule(MonoTime now, MonoTime earliest, AssocActions& out);
  bool UpdateHpoll(AssocActions& out);
  void ConsumeCookie(const Header& reply);
  void MarkAnswered(MonoTime now, AssocActions& out);
  void TakeMeasurement(const Measurement& m, MonoTime now, AssocActions& out);
  void Conclude(const Result<Measurement, ReplyRejection>& result, const Header& h, MonoTime now, AssocActions& out);
  // Symmetric mode (association_symmetric.cc).
  void TransmitSymmetric(UnixTime local_now, SendRequest& send);
  void OnSymmetricPacket(std::span<const uint8_t> bytes, UnixTime t4_local_rx, MonoTime now, AssocActions& out);
  bool RecentTransmit(NtpTimestamp origin) const;
  void UpdateSymmetricQuiet(MonoTime now);
  void Retire(KissCode reason, AssocActions& out);
  void HandleKiss(KissCode code, const Header& reply, MonoTime now, AssocActions& out);
  AssocReject ClassifyUnexpectedOrigin(NtpTimestamp origin) const;
  // Counts a rejection anyone could have sent; it explains the poll if nothing usable came.
  void RejectUnverified(AssocReject reason);
  NtpTimestamp NewCookie();

  const AssociationConfig config_;
  Random& random_;
  const int precision_log2_;

  // Poll process (§13).
  uint8_t reach_ = 0;
  uint64_t polls_ = 0;
  bool poll_answered_ = false;
  bool voted_this_poll_ = false;
  int missed_polls_ = 0;
  static constexpr int kUnreachPolls = 10;  // ntpd's NTP_UNREACH: silent polls before backing off
  int burst_left_ = 0;
  int own_poll_;
  std::optional<PollExp> system_poll_;
  bool startup_ = false;
  PollExp floor_;
  PollExp hpoll_;
  PollExp ppoll_;
  std::optional<MonoTime> next_poll_;
  MonoTime last_send_;
  double poll_jitter_ = 0;  // the random fraction of the current poll interval
  PollAdvisor advisor_;

  // The exchange in flight (§8): the cookie is the request's transmit timestamp.
  NtpTimestamp cookie_;
  NtpTimestamp t1_;
  bool outstanding_ = false;
  std::optional<MonoTime> reply_deadline_;  // of the outstanding request, until counted
  bool unanswered_counted_ = false;         // the outstanding request was counted as unanswered
  int unanswered_run_ = 0;                  // consecutive unanswered requests
  NtpTimestamp answered_cookie_;            // consumed by a reply: a second reply is refused
  NtpTimestamp superseded_cookie_;          // replaced by a newer request before any reply
  NtpTimestamp last_rx_transmit_;           // the transmit timestamp of the last reply taken (test 1)

  // Symmetric mode (§9.1 peer variables): org is the peer's last transmit timestamp, rec when it
  // arrived by our clock; both are echoed in our next packet.
  system::SystemSnapshot system_;
  NtpTimestamp peer_org_;
  NtpTimestamp peer_rec_;
  bool ppoll_heard_ = false;  // ppoll_ came from the peer
  bool symmetric_quiet_ = false;
  std::array<NtpTimestamp, kRecentTransmits> recent_xmt_{};
  size_t recent_next_ = 0;

  system::Refusal refusal_ = system::Refusal::kNone;
  system::Refusal unverified_refusal_ = system::Refusal::kNone;  // the last RejectUnverified of this poll
  bool rate_limited_ = false;
  bool demobilized_ = false;
  KissCode demobilize_reason_ = KissCode::kNone;
  std::optional<MonoTime> last_received_;
  std::optional<Measurement> last_measurement_;
  AssociationStats stats_;
};

}  // namespace tempus::core::assoc

#endif  // TEMPUS_CORE_ASSOC_ASSOCIATION_H_

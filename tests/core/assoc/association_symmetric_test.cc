// Symmetric mode (RFC 5905 §8, §9.2, §A.5.1): two Associations talk to each other through their
// bytes, each on its own deterministic clock, polling on their own schedules; and the on-wire
// tests 1-3 against replayed, forged and crossed packets.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "base/random.h"
#include "core/assoc/association.h"
#include "core/wire/codec.h"

namespace tempus::core::assoc {

using system::SystemSnapshot;

namespace {

constexpr MonoTime kMono0 = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(1000));
const UnixTime kTrue0 = UnixTime::FromParts(1795000000, 0);

AssociationConfig PeerConfig(Mode mode, int minpoll, int maxpoll, uint8_t last_octet) {
  AssociationConfig c;
  c.address = NetAddress::IPv4({10, 0, 0, last_octet}, 123);
  c.mode = mode;
  c.minpoll = PollExp(minpoll);
  c.maxpoll = PollExp(maxpoll);
  auto v = ValidateAssociationConfig(c);
  EXPECT_TRUE(v);
  return *v;
}

SystemSnapshot Synced(uint8_t stratum, uint32_t refid) {
  SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = stratum;
  s.root_delay = NtpDuration::FromMillis(4);
  s.root_dispersion = NtpDuration::FromMillis(2);
  s.refid = RefId::FromRaw(refid);
  return s;
}

// One side: an association, its clock (true time + offset) and what it was told to do.
struct Side {
  Side(const AssociationConfig& c, uint64_t seed, NtpDuration clock_offset)
      : random(seed), assoc(c, random, -20), offset(clock_offset) {}
  SeededRandom random;
  Association assoc;
  NtpDuration offset;  // this clock minus true time
  std::optional<MonoTime> timer;
  std::vector<Measurement> samples;
  std::vector<std::vector<uint8_t>> sent;
  int reachable = 0;
  int unreachable = 0;
  std::optional<Demobilize> demobilized;
};

// Two sides joined by a network with a fixed one-way delay, run by one event loop.
class Pair {
 public:
  Pair(const AssociationConfig& a, const AssociationConfig& b, NtpDuration b_ahead)
      : a_(a, 11, NtpDuration::Zero()), b_(b, 22, b_ahead) {
    a_.assoc.SetSystemSnapshot(Synced(2, 0x0a000063));
    b_.assoc.SetSystemSnapshot(Synced(3, 0x0a000064));
  }

  Side& a() { return a_; }
  Side& b() { return b_; }
  MonoTime now() const { return now_; }
  UnixTime Local(const Side& s) const { return kTrue0 + (now_ - kMono0) + s.offset; }
  NtpDuration one_way = NtpDuration::FromMillis(5);
  bool link_up = true;

  // Starts a side (its first OnTimer polls at once).
  void Start(Side& s) { Apply(s, s.assoc.OnTimer(now_, Local(s))); }
  // Delivers `bytes` to `s` now, as if from its peer.
  void DeliverNow(Side& s, const std::vector<uint8_t>& bytes) { Apply(s, s.assoc.OnPacket(bytes, Local(s), now_)); }

  // Runs the event loop until `seconds` have passed: timers and deliveries in time order.
  void Run(double seconds) {
    const MonoTime end = now_ + NtpDuration::FromSeconds(seconds);
    for (int guard = 0; guard < 100000; ++guard) {
      MonoTime next = end;
      if (a_.timer) next = std::min(next, *a_.timer);
      if (b_.timer) next = std::min(next, *b_.timer);
      if (!wire_.empty()) next = std::min(next, wire_.front().at);
      if (next >= end) break;
      now_ = next;
      if (!wire_.empty() && wire_.front().at == now_) {
        InFlight f = std::move(wire_.front());
        wire_.pop_front();
        DeliverNow(f.to_b ? b_ : a_, f.bytes);
      } else if (a_.timer && *a_.timer == now_) {
        a_.timer.reset();
        Apply(a_, a_.assoc.OnTimer(now_, Local(a_)));
      } else if (b_.timer && *b_.timer == now_) {
        b_.timer.reset();
        Apply(b_, b_.assoc.OnTimer(now_, Local(b_)));
      }
    }
    now_ = end;
  }

 private:
  struct InFlight {
    MonoTime at;
    bool to_b;
    std::vector<uint8_t> bytes;
  };

  void Apply(Side& s, const AssocActions& actions) {
    for (const AssocAction& action : actions) {
      if (const auto* send = std::get_if<SendRequest>(&action)) {
        s.sent.emplace_back(send->bytes.begin(), send->bytes.end());
        if (link_up) {
          InFlight f{now_ + one_way, &s == &a_, s.sent.back()};
          auto at = std::upper_bound(wire_.begin(), wire_.end(), f.at,
                                     [](MonoTime t, const InFlight& x) { return t < x.at; });
          wire_.insert(at, std::move(f));
        }
      } else if (const auto* t = std::get_if<SetTimer>(&action)) {
        s.timer = t->deadline;
      } else if (const auto* m = std::get_if<NewMeasurement>(&action)) {
        s.samples.push_back(m->measurement);
      } else if (std::holds_alternative<BecameReachable>(action)) {
        ++s.reachable;
      } else if (std::holds_alternative<BecameUnreachable>(action)) {
        ++s.unreachable;
      } else if (const auto* d = std::get_if<Demobilize>(&action)) {
        s.demobilized = *d;
        s.timer.reset();
      }
    }
  }

  Side a_;
  Side b_;
  MonoTime now_ = kMono0;
  std::deque<InFlight> wire_;
};

Header Parse(const std::vector<uint8_t>& bytes) {
  auto d = Decode(bytes);
  EXPECT_TRUE(d);
  return d ? d->header : Header{};
}

const NtpDuration k250ms = NtpDuration::FromMillis(250);

TEST(SymmetricMode, BothActiveSidesMeasureEachOtherOnTheirOwnPolls) {
  // A polls every 16 s, B every 64 s; B's clock is 250 ms ahead.
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 6, 6, 1), k250ms);
  p.Start(p.a());
  p.Run(3.0);
  p.Start(p.b());
  p.Run(600);
  // One sample per transmit of the side measuring, at most one per packet of the other: here
  // about one per 64 s each way.
  ASSERT_GE(p.a().samples.size(), 8u);
  ASSERT_GE(p.b().samples.size(), 8u);
  for (const Measurement& m : p.a().samples) {
    EXPECT_NEAR(m.offset.Seconds(), 0.250, 1e-5);  // θ: the peer is ahead
    EXPECT_NEAR(m.delay.Seconds(), 0.010, 1e-5);   // δ: the two one-way trips, not the peer's wait
    EXPECT_EQ(m.server.stratum, 3);
    EXPECT_EQ(m.server.mode, Mode::kSymmetricActive);
  }
  for (const Measurement& m : p.b().samples) {
    EXPECT_NEAR(m.offset.Seconds(), -0.250, 1e-5);
    EXPECT_NEAR(m.delay.Seconds(), 0.010, 1e-5);
    EXPECT_EQ(m.server.stratum, 2);
  }
  EXPECT_EQ(p.a().reachable, 1);
  EXPECT_EQ(p.b().reachable, 1);
  EXPECT_EQ(p.b().assoc.Snapshot().ppoll.log2(), 4);
  EXPECT_EQ(p.b().assoc.stats().Rejected(AssocReject::kAlreadyAnswered) + p.b().samples.size() + 1,
            p.b().assoc.stats().received);  // every packet of A used or refused as surplus (the first: org 0)
  EXPECT_EQ(p.a().assoc.stats().Rejected(AssocReject::kBogusOrigin), 0u);
  EXPECT_EQ(p.b().assoc.stats().Rejected(AssocReject::kBogusOrigin), 0u);
}

TEST(SymmetricMode, TransmitsAtThePeersFasterPollAboveItsOwnMinpoll) {
  // A fixed at 16 s; B may go up to 256 s (its advisor raises hpoll on steady samples), but
  // once A answers it transmits every 2^min(hpoll, ppoll) s = 16 s (RFC 5905 §A.5.5.7).
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 8, 1), k250ms);
  p.Start(p.a());
  p.Start(p.b());
  p.Run(3000);
  EXPECT_GT(p.b().assoc.hpoll().log2(), 4);
  EXPECT_EQ(p.b().assoc.Snapshot().ppoll.log2(), 4);
  EXPECT_GE(p.b().assoc.stats().sent + 5, p.a().assoc.stats().sent);
  EXPECT_GT(p.b().samples.size(), 100u);
}

// Both sides minpoll 6; B's clock settles (System::Settling), so B polls every 16 s once A
// answers (SetStartup). A must follow B's poll below its own minpoll: a packet of B is a sample
// only when one of A's came between, so A polling at 64 s left three of B's four exchanges
// unanswered (seen on loopback: one side at 16 s, the other at 64 s) and B settling at a
// quarter of the speed.
TEST(SymmetricMode, FollowsAPeerWhoseClockSettlesBelowItsOwnMinpoll) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 6, 10, 2), PeerConfig(Mode::kSymmetricActive, 6, 10, 1), k250ms);
  (void)p.b().assoc.SetStartup(true, p.now());
  p.Start(p.a());
  p.Start(p.b());
  p.Run(200);  // the first exchanges, at the 64 s polls
  const size_t b_sent = p.b().assoc.stats().sent, b_samples = p.b().samples.size();
  p.Run(960);
  EXPECT_EQ(p.b().assoc.hpoll().log2(), 4);
  EXPECT_EQ(p.a().assoc.Snapshot().ppoll.log2(), 4);
  const size_t sent = p.b().assoc.stats().sent - b_sent, samples = p.b().samples.size() - b_samples;
  EXPECT_GE(sent, 50u);          // 960 s at 16-18 s
  EXPECT_GE(samples + 3, sent);  // nearly every exchange of B gives it a sample
  EXPECT_GE(p.a().samples.size(), 50u);
}

TEST(SymmetricMode, QuietOnlyAfterTwoOfTheLongerPollsWithoutPackets) {
  // A polls every 16 s, B every 64 s: most of A's transmits see no packet of B before the next,
  // yet B is not quiet (a client's "two unanswered requests" rule would say it is).
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 6, 6, 1), k250ms);
  p.Start(p.a());
  p.Start(p.b());
  for (int i = 0; i < 40; ++i) {
    p.Run(15);
    ASSERT_FALSE(p.a().assoc.quiet()) << "at " << i * 15 << " s";
  }
  p.link_up = false;
  p.Run(100);
  EXPECT_FALSE(p.a().assoc.quiet());  // 100 s < 2 × 64 s
  p.Run(80);
  EXPECT_TRUE(p.a().assoc.quiet() || p.a().assoc.reach() == 0);

  // Equal polls of 16 s: quiet after about two of them, long before unreachable (eight).
  Pair q(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  q.Start(q.a());
  q.Start(q.b());
  q.Run(300);
  ASSERT_FALSE(q.a().assoc.quiet());
  q.link_up = false;
  q.Run(60);
  EXPECT_TRUE(q.a().assoc.quiet());
  EXPECT_NE(q.a().assoc.reach(), 0);
}

TEST(SymmetricMode, PacketsCarryTheSystemVariablesAndOrgRecXmt) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  p.Start(p.a());
  const Header first = Parse(p.a().sent.at(0));
  EXPECT_EQ(first.mode, Mode::kSymmetricActive);
  EXPECT_EQ(first.stratum, 2);
  EXPECT_EQ(first.refid.raw(), 0x0a000063u);
  EXPECT_EQ(first.poll, 4);
  EXPECT_NEAR(first.root_delay.ToDuration().Seconds(), 0.004, 1e-4);
  EXPECT_TRUE(first.origin_time.IsZero());  // nothing heard yet
  EXPECT_TRUE(first.receive_time.IsZero());
  // xmt is the local clock (the peer's T3), its fuzz below the 2^-20 s precision.
  EXPECT_LT((first.transmit_time - p.Local(p.a()).ToNtp()).Abs(), NtpDuration::FromMicros(1));
  p.Run(1.0);  // B has the packet
  p.Start(p.b());
  const Header reply = Parse(p.b().sent.at(0));
  EXPECT_EQ(reply.origin_time, first.transmit_time);  // org: A's xmt
  // rec: when it reached B by B's clock (one way later, 250 ms ahead).
  EXPECT_NEAR((reply.receive_time - first.transmit_time).Seconds(), 0.255, 1e-6);
  // An unsynchronized system is sent as stratum 0 with leap 3.
  p.a().assoc.SetSystemSnapshot(SystemSnapshot{});
  p.Run(20);
  const Header unsynced = Parse(p.a().sent.back());
  EXPECT_EQ(unsynced.stratum, 0);
  EXPECT_EQ(unsynced.leap, Leap::kUnsynchronized);
}

TEST(SymmetricMode, PassiveAnswersAtOnceAndTheActiveSideHasASample) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 6, 6, 2), PeerConfig(Mode::kSymmetricPassive, 6, 10, 1), k250ms);
  p.Start(p.a());
  p.Run(0.006);  // the mode 1 packet reached B: the host mobilizes B, hands it the packet...
  ASSERT_EQ(p.b().assoc.stats().received, 1u);
  p.Start(p.b());  // ...and starts it: the first poll answers
  const Header reply = Parse(p.b().sent.at(0));
  EXPECT_EQ(reply.mode, Mode::kSymmetricPassive);
  EXPECT_EQ(reply.origin_time, Parse(p.a().sent.at(0)).transmit_time);
  p.Run(0.006);
  ASSERT_EQ(p.a().samples.size(), 1u);  // one round trip after its first packet
  EXPECT_NEAR(p.a().samples[0].offset.Seconds(), 0.250, 1e-5);
  p.Run(600);
  EXPECT_GE(p.a().samples.size(), 5u);
  EXPECT_GE(p.b().samples.size(), 5u);
  EXPECT_FALSE(p.b().demobilized);
}

TEST(SymmetricMode, Test1DuplicateIsDroppedAndChangesNothing) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  p.Start(p.a());
  p.Start(p.b());
  p.Run(40);
  const size_t samples = p.a().samples.size();
  ASSERT_GT(samples, 0u);
  const std::vector<uint8_t> last_from_b = p.b().sent.back();
  p.DeliverNow(p.a(), last_from_b);
  EXPECT_EQ(p.a().assoc.stats().Rejected(AssocReject::kDuplicate), 1u);
  EXPECT_EQ(p.a().samples.size(), samples);
  p.Run(60);
  EXPECT_GT(p.a().samples.size(), samples);  // the exchange goes on
}

TEST(SymmetricMode, Test2ForgedOriginIsBogusAndCannotDesynchronizeThePair) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  p.Start(p.a());
  p.Start(p.b());
  p.Run(40);
  // A forged mode 1 "from B": plausible times, an origin A never sent.
  Header forged = Parse(p.b().sent.back());
  forged.origin_time = NtpTimestamp::FromRaw(forged.origin_time.raw() ^ 0x5a5a5a5a);
  forged.transmit_time = p.Local(p.b()).ToNtp();
  forged.receive_time = forged.transmit_time;
  std::vector<uint8_t> bytes(kHeaderSize);
  EncodeHeader(forged, bytes);
  const size_t samples = p.a().samples.size();
  p.DeliverNow(p.a(), bytes);
  EXPECT_EQ(p.a().assoc.stats().Rejected(AssocReject::kBogusOrigin), 1u);
  EXPECT_EQ(p.a().samples.size(), samples);
  // A's next packet still echoes B's real transmit time, so B keeps measuring.
  const size_t b_samples = p.b().samples.size();
  p.Run(60);
  EXPECT_GT(p.a().samples.size(), samples);
  EXPECT_GT(p.b().samples.size(), b_samples);
  for (const Measurement& m : p.b().samples) EXPECT_NEAR(m.offset.Seconds(), -0.250, 1e-5);
}

TEST(SymmetricMode, Test3ZeroTransmitOrReceiveGivesNoSample) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  p.Start(p.a());
  p.Run(0.01);
  p.Start(p.b());  // B answers A's first packet
  Header h = Parse(p.b().sent.back());
  ASSERT_FALSE(h.origin_time.IsZero());
  std::vector<uint8_t> bytes(kHeaderSize);
  Header no_xmt = h;
  no_xmt.transmit_time = NtpTimestamp();
  EncodeHeader(no_xmt, bytes);
  p.DeliverNow(p.a(), bytes);
  Header no_rec = h;
  no_rec.receive_time = NtpTimestamp();
  EncodeHeader(no_rec, bytes);
  p.DeliverNow(p.a(), bytes);
  EXPECT_EQ(p.a().assoc.stats().Rejected(AssocReject::kZeroTimestamps), 2u);
  EXPECT_TRUE(p.a().samples.empty());
  EXPECT_EQ(p.a().assoc.reach(), 0);
}

TEST(SymmetricMode, ZeroOriginIsRecordedSoTheNextPacketEchoesIt) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  p.link_up = false;  // both first packets are lost; B's is handed over by hand
  p.Start(p.a());
  p.Start(p.b());
  const Header b_first = Parse(p.b().sent.at(0));
  p.Run(0.005);
  p.DeliverNow(p.a(), p.b().sent.at(0));
  EXPECT_EQ(p.a().assoc.stats().Rejected(AssocReject::kZeroTimestamps), 1u);  // B had not heard from A
  EXPECT_TRUE(p.a().samples.empty());
  p.Run(20);  // A's next poll
  const Header a_next = Parse(p.a().sent.back());
  EXPECT_EQ(a_next.origin_time, b_first.transmit_time);
  EXPECT_FALSE(a_next.receive_time.IsZero());
}

TEST(SymmetricMode, CrossedPacketsDoNotDeadlockThePair) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  p.Start(p.a());
  p.Start(p.b());
  p.Run(100);
  // Both transmit at the same instant: each packet's origin is the other's previous transmit.
  p.Start(p.a());
  p.Start(p.b());
  p.Run(0.01);
  const uint64_t stale =
      p.a().assoc.stats().Rejected(AssocReject::kStale) + p.a().assoc.stats().Rejected(AssocReject::kAlreadyAnswered);
  EXPECT_GE(stale, 1u);
  EXPECT_EQ(p.a().assoc.stats().Rejected(AssocReject::kBogusOrigin), 0u);
  const size_t a_samples = p.a().samples.size();
  const size_t b_samples = p.b().samples.size();
  p.Run(60);
  EXPECT_GT(p.a().samples.size(), a_samples);
  EXPECT_GT(p.b().samples.size(), b_samples);
}

TEST(SymmetricMode, UnsynchronizedPeerIsReachableButGivesNoSample) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricActive, 4, 4, 1), k250ms);
  p.b().assoc.SetSystemSnapshot(SystemSnapshot{});  // stratum 16 (sent as 0, INIT), leap 3
  p.Start(p.a());
  p.Start(p.b());
  p.Run(120);
  EXPECT_TRUE(p.a().samples.empty());
  EXPECT_NE(p.a().assoc.reach(), 0);
  EXPECT_GT(p.a().assoc.stats().Rejected(AssocReject::kUnsynchronized), 0u);
  EXPECT_FALSE(p.b().samples.empty());  // A is synchronized: B measures it
}

TEST(SymmetricMode, ClientAssociationRefusesSymmetricPacketsAndPassiveRefusesMode2) {
  Pair p(PeerConfig(Mode::kSymmetricPassive, 4, 4, 2), PeerConfig(Mode::kSymmetricPassive, 4, 4, 1), k250ms);
  p.Start(p.a());
  p.Start(p.b());
  p.Run(60);
  EXPECT_TRUE(p.a().samples.empty());
  EXPECT_GT(p.a().assoc.stats().Rejected(AssocReject::kWrongMode), 0u);

  SeededRandom random(3);
  Association client(PeerConfig(Mode::kClient, 4, 4, 9), random, -20);
  (void)client.OnTimer(kMono0, kTrue0);
  (void)client.OnPacket(p.a().sent.at(0), kTrue0, kMono0);
  EXPECT_EQ(client.stats().Rejected(AssocReject::kWrongMode), 1u);
}

TEST(SymmetricMode, PassiveNeverReachableDemobilizesAfterProbation) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricPassive, 4, 10, 1), k250ms);
  p.link_up = false;  // a spoofed mobilization: nobody answers the passive side
  p.Start(p.b());
  p.Run(16.0 * 3.5);
  EXPECT_FALSE(p.b().demobilized);
  p.Run(16.0 * 3);
  ASSERT_TRUE(p.b().demobilized);
  EXPECT_EQ(p.b().demobilized->reason, KissCode::kNone);
  EXPECT_EQ(p.b().assoc.stats().sent, Association::kEphemeralProbationPolls);
  EXPECT_FALSE(p.b().timer);
}

TEST(SymmetricMode, PassiveDemobilizesWhenItsPeerGoesAway) {
  Pair p(PeerConfig(Mode::kSymmetricActive, 4, 4, 2), PeerConfig(Mode::kSymmetricPassive, 4, 10, 1), k250ms);
  p.Start(p.a());
  p.Run(0.006);
  p.Start(p.b());
  p.Run(200);
  ASSERT_NE(p.b().assoc.reach(), 0);
  ASSERT_FALSE(p.b().demobilized);
  p.link_up = false;
  p.Run(16.0 * 10);
  EXPECT_EQ(p.b().unreachable, 1);
  ASSERT_TRUE(p.b().demobilized);
  EXPECT_EQ(p.b().demobilized->reason, KissCode::kNone);
  // The active side only becomes unreachable; a configured peer stays.
  EXPECT_EQ(p.a().unreachable, 1);
  EXPECT_FALSE(p.a().demobilized);
}

}  // namespace
}  // namespace tempus::core::assoc

// Replies to an Association (RFC 5905 §8 tests 1-3, 6, 7, one reply per request, kiss-o'-death
// §7.4) and the requests it sends.
#include <gtest/gtest.h>

#include "core/assoc/association.h"
#include "tests/core/assoc/assoc_harness.h"

namespace tempus::core::assoc {

using filter::Sample;

namespace {

using testing::Bench;
using testing::FakeRandom;
using testing::TestConfig;

SendRequest FirstRequest(Bench& b) {
  auto sent = b.Fire();
  EXPECT_EQ(sent.size(), 1u);
  return sent.empty() ? SendRequest{} : sent[0];
}

TEST(AssocRequest, CarriesTheRandomCookieAndNothingElse) {
  FakeRandom random(0x1111222233334444, 0x0101010101010101);
  AssociationConfig c = TestConfig();
  c.version = 3;
  Bench b(c, &random);
  const SendRequest r = FirstRequest(b);
  EXPECT_EQ(r.cookie.raw(), 0x1111222233334444u);  // the first draw
  auto d = Decode(r.bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header.mode, Mode::kClient);
  EXPECT_EQ(d->header.version, 3);
  EXPECT_EQ(d->header.poll, 6);
  EXPECT_EQ(d->header.transmit_time, r.cookie);
  EXPECT_TRUE(d->header.origin_time.IsZero());
  EXPECT_TRUE(d->header.receive_time.IsZero());
  EXPECT_TRUE(d->header.reference_time.IsZero());
  // The cookie is not the local clock.
  EXPECT_GT((r.cookie - b.local_now().ToNtp()).Abs(), NtpDuration::FromWholeSeconds(3600));
  b.Poll(false);
  EXPECT_NE(b.sent[1].cookie, b.sent[0].cookie);
  EXPECT_EQ(b.assoc().stats().sent, 2u);
}

TEST(AssocReply, GoodReplyGivesTheMeasurement) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  b.Deliver(b.Reply(r));
  ASSERT_EQ(b.measurements.size(), 1u);
  const Measurement& m = b.measurements[0].measurement;
  // Server 250 ms ahead; 5 ms each way; 20 µs in the server.
  EXPECT_NEAR(m.offset.Seconds(), 0.250, 1e-6);
  EXPECT_NEAR(m.delay.Seconds(), 0.010, 1e-6);
  EXPECT_EQ(m.server.stratum, 2);
  EXPECT_EQ(b.measurements[0].received, b.now());
  const Sample sample = b.measurements[0].ToSample();  // what the clock filter takes
  EXPECT_EQ(sample.offset, m.offset);
  EXPECT_EQ(sample.delay, m.delay);
  EXPECT_EQ(sample.dispersion, m.dispersion);
  EXPECT_EQ(sample.when, b.now());
  EXPECT_EQ(b.reachable_events, 1);
  const auto s = b.assoc().Snapshot();
  EXPECT_EQ(s.last_received, b.now());
  ASSERT_TRUE(s.last_measurement.has_value());
  EXPECT_EQ(s.last_measurement->offset, m.offset);
  EXPECT_EQ(s.stats.accepted, 1u);
  EXPECT_EQ(s.stats.received, 1u);
  EXPECT_EQ(s.ppoll.log2(), 6);  // the server echoes our poll
}

TEST(AssocReply, RefinedTransmitTimeIsUsedAsT1) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  // The request really left 2 ms after OnTimer read the clock: θ grows by 1 ms, δ shrinks by 2 ms.
  b.assoc().RefineTransmitTime(r.cookie, b.local_now() + NtpDuration::FromMillis(2));
  b.assoc().RefineTransmitTime(NtpTimestamp::FromRaw(1), b.local_now());  // not ours: ignored
  b.Deliver(b.Reply(r));
  ASSERT_EQ(b.measurements.size(), 1u);
  EXPECT_NEAR(b.measurements[0].measurement.offset.Seconds(), 0.249, 1e-6);
  EXPECT_NEAR(b.measurements[0].measurement.delay.Seconds(), 0.008, 1e-6);
}

TEST(AssocReply, Test1RejectsADuplicate) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  const auto reply = b.Reply(r);
  b.Deliver(reply);
  b.Deliver(reply);
  EXPECT_EQ(b.measurements.size(), 1u);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kDuplicate), 1u);
  // Still a duplicate after the next request went out.
  b.Fire();
  b.DeliverNow(reply);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kDuplicate), 2u);
}

TEST(AssocReply, Test2RejectsBogusOrigin) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  Header h = b.ReplyHeader(r);
  h.origin_time = NtpTimestamp::FromRaw(r.cookie.raw() ^ 1);
  b.DeliverNow(Bench::Encode(h));
  h.origin_time = NtpTimestamp();  // a zero origin
  b.DeliverNow(Bench::Encode(h));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kBogusOrigin), 2u);
  EXPECT_TRUE(b.measurements.empty());
  EXPECT_EQ(b.assoc().reach(), 0);
  // The genuine reply is still taken: a forgery does not consume the cookie.
  b.Deliver(b.Reply(r));
  EXPECT_EQ(b.measurements.size(), 1u);
}

TEST(AssocReply, ReplyBeforeAnyRequestIsBogus) {
  Bench b(TestConfig());
  SendRequest fake;
  fake.cookie = NtpTimestamp::FromRaw(0x1234);
  BuildClientRequest(fake.cookie, 6, fake.bytes);
  b.DeliverNow(b.Reply(fake));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kBogusOrigin), 1u);
  EXPECT_EQ(b.reachable_events, 0);
}

TEST(AssocReply, OnlyOneReplyPerRequest) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  b.Deliver(b.Reply(r));
  // A second, different reply to the same request (another transmit time): refused.
  b.Deliver(b.Reply(r, NtpDuration::FromMillis(1)));
  EXPECT_EQ(b.measurements.size(), 1u);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kAlreadyAnswered), 1u);
}

TEST(AssocReply, ReplyToASupersededRequestIsStale) {
  Bench b(TestConfig());
  const SendRequest first = FirstRequest(b);
  const auto late = b.Reply(first);
  b.Fire();  // the next poll replaces the unanswered request
  b.DeliverNow(late);
  EXPECT_TRUE(b.measurements.empty());
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kStale), 1u);
  b.Deliver(b.Reply(b.sent.back()));
  EXPECT_EQ(b.measurements.size(), 1u);
}

TEST(AssocReply, Test3RejectsZeroTimestampsWithoutConsumingTheCookie) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  Header h = b.ReplyHeader(r);
  h.receive_time = NtpTimestamp();
  b.DeliverNow(Bench::Encode(h));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kZeroTimestamps), 1u);
  EXPECT_EQ(b.assoc().reach(), 0);
  b.Deliver(b.Reply(r));
  EXPECT_EQ(b.measurements.size(), 1u);
}

TEST(AssocReply, Test6RejectsUnsynchronizedServerButCountsReach) {
  Bench b(TestConfig());
  // What core::server sends when unsynchronized: LI = 3, stratum 16 sent as 0, refid INIT.
  b.server.leap = Leap::kUnsynchronized;
  b.server.refid = RefId::FromCode("INIT");
  b.Poll(true);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kUnsynchronized), 1u);
  // Other servers send LI = 3 with a stratum, or a plain stratum 16.
  const SendRequest r = b.Fire()[0];
  Header h = b.ReplyHeader(r);
  h.leap = Leap::kUnsynchronized;
  h.stratum = 3;
  b.Deliver(Bench::Encode(h));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kUnsynchronized), 2u);
  const SendRequest r2 = b.Fire()[0];
  h = b.ReplyHeader(r2);
  h.leap = Leap::kNoWarning;
  h.stratum = 16;
  b.Deliver(Bench::Encode(h));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kBadStratum), 1u);
  EXPECT_TRUE(b.measurements.empty());
  // The server answers, so it is reachable (ntpq shows reach for an unsynchronized server too).
  EXPECT_EQ(b.assoc().reach(), 0x07);
  EXPECT_EQ(b.reachable_events, 1);
}

TEST(AssocReply, Test7RejectsExcessiveRootDistance) {
  Bench b(TestConfig());
  b.server.root_dispersion = NtpDuration::FromWholeSeconds(2);
  b.Poll(true);
  EXPECT_TRUE(b.measurements.empty());
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kBadRootDistance), 1u);
}

TEST(AssocReply, MalformedAndWrongModeAreCounted) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  b.DeliverNow(std::vector<uint8_t>(20, 0x24));
  Header h = b.ReplyHeader(r);
  h.mode = Mode::kSymmetricPassive;
  b.DeliverNow(Bench::Encode(h));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kMalformed), 1u);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kWrongMode), 1u);
  EXPECT_EQ(b.assoc().stats().received, 2u);
}

TEST(AssocKiss, RateCancelsTheBurstAndDoublesThePoll) {
  Bench b(TestConfig(/*iburst=*/true));
  const SendRequest r = FirstRequest(b);
  ASSERT_TRUE(b.assoc().Snapshot().in_burst);
  b.Deliver(b.Kiss(r, "RATE"));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kKissRate), 1u);
  EXPECT_EQ(b.assoc().hpoll().log2(), 7);
  EXPECT_EQ(b.assoc().Snapshot().poll_floor.log2(), 7);
  EXPECT_FALSE(b.assoc().Snapshot().in_burst);  // the burst is cancelled
  EXPECT_TRUE(b.assoc().Snapshot().rate_limited);
  EXPECT_GE((*b.timer() - b.now()).Seconds(), 128.0);  // not 2 s: the next request waits
  EXPECT_EQ(b.reachable_events, 0);                    // a kiss is not an answer with time
  EXPECT_EQ(b.poll_changes.size(), 1u);
}

TEST(AssocKiss, EachRateDoublesThePollUpToMaxpoll) {
  AssociationConfig c = TestConfig();
  c.burst = true;
  Bench b(c);
  b.Poll(true);  // reachable
  // Each RATE doubles the poll, up to maxpoll; bursts stay off afterwards.
  for (int expected : {7, 8, 9, 10, 10}) {
    const MonoTime sent_at = *b.assoc().next_poll();  // the timer may wake first at a reply deadline
    const auto sent = b.Fire();
    ASSERT_EQ(sent.size(), 1u);  // no burst any more
    EXPECT_EQ(b.now(), sent_at);
    b.Deliver(b.Kiss(sent[0], "RATE"));
    EXPECT_EQ(b.assoc().hpoll().log2(), expected);
    EXPECT_GE((*b.timer() - b.now()).Seconds(), double(int64_t{1} << expected));
  }
}

TEST(AssocKiss, RateRespectsTheServersPoll) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  Header h = b.ReplyHeader(r);
  h.stratum = 0;
  h.refid = RefId::FromCode("RATE");
  h.poll = 9;  // the server asks for 512 s
  b.Deliver(Bench::Encode(h));
  EXPECT_EQ(b.assoc().hpoll().log2(), 9);
}

TEST(AssocKiss, DenyDemobilizes) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  b.Deliver(b.Kiss(r, "DENY"));
  ASSERT_TRUE(b.demobilized.has_value());
  EXPECT_EQ(b.demobilized->reason, KissCode::kDeny);
  EXPECT_TRUE(b.assoc().demobilized());
  EXPECT_FALSE(b.assoc().next_poll().has_value());
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kKissDeny), 1u);
  // Silent from now on.
  EXPECT_TRUE(b.assoc().OnTimer(b.now() + NtpDuration::FromWholeSeconds(4096), b.local_now()).empty());
  EXPECT_TRUE(b.assoc().SetSystemPoll(PollExp(4), b.now()).empty());
}

TEST(AssocKiss, RstrDemobilizes) {
  Bench b(TestConfig());
  b.Poll(true);
  const SendRequest r = b.Fire()[0];
  b.Deliver(b.Kiss(r, "RSTR"));
  ASSERT_TRUE(b.demobilized.has_value());
  EXPECT_EQ(b.demobilized->reason, KissCode::kRstr);
  EXPECT_EQ(b.assoc().Snapshot().demobilize_reason, KissCode::kRstr);
}

TEST(AssocKiss, ForgedDenyIsIgnored) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  Header h = Decode(b.Kiss(r, "DENY"))->header;
  h.origin_time = NtpTimestamp::FromRaw(0xdeadbeef);
  b.DeliverNow(Bench::Encode(h));
  EXPECT_FALSE(b.demobilized.has_value());
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kBogusOrigin), 1u);
}

TEST(AssocKiss, OtherCodesGiveNoMeasurementButCountForReach) {
  Bench b(TestConfig());
  const SendRequest r = FirstRequest(b);
  Header h = Decode(b.Kiss(r, "ACST"))->header;
  h.leap = Leap::kNoWarning;
  b.Deliver(Bench::Encode(h));
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kKissOther), 1u);
  EXPECT_FALSE(b.demobilized.has_value());
  EXPECT_EQ(b.assoc().hpoll().log2(), 6);
  EXPECT_TRUE(b.measurements.empty());
  EXPECT_EQ(b.assoc().reach(), 1);
  EXPECT_FALSE(b.assoc().Snapshot().rate_limited);
}

TEST(AssocConfig, ClampsThePollRangeAndChecksTheRest) {
  AssociationConfig c = TestConfig();
  c.minpoll = PollExp(1);
  c.maxpoll = PollExp(30);
  auto v = ValidateAssociationConfig(c);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->minpoll.log2(), 3);
  EXPECT_EQ(v->maxpoll.log2(), 17);
  c.minpoll = PollExp(12);
  c.maxpoll = PollExp(8);
  v = ValidateAssociationConfig(c);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->maxpoll.log2(), 12);

  AssociationConfig bad = TestConfig();
  bad.version = 5;
  EXPECT_EQ(ValidateAssociationConfig(bad).error(), AssociationConfigError::kBadVersion);
  bad.version = 0;
  EXPECT_EQ(ValidateAssociationConfig(bad).error(), AssociationConfigError::kBadVersion);
  AssociationConfig peer = TestConfig(/*iburst=*/true);
  peer.mode = Mode::kSymmetricActive;
  peer.burst = true;
  auto p = ValidateAssociationConfig(peer);
  ASSERT_TRUE(p);  // `peer` runs in symmetric mode; bursts are for client mode only
  EXPECT_FALSE(p->iburst);
  EXPECT_FALSE(p->burst);
  peer.mode = Mode::kSymmetricPassive;
  EXPECT_TRUE(ValidateAssociationConfig(peer));
  bad = TestConfig();
  bad.mode = Mode::kBroadcast;
  EXPECT_EQ(ValidateAssociationConfig(bad).error(), AssociationConfigError::kBadMode);
  bad = TestConfig();
  bad.address = NetAddress();
  EXPECT_EQ(ValidateAssociationConfig(bad).error(), AssociationConfigError::kNoAddress);
  bad = TestConfig();
  bad.address = bad.address.WithPort(0);
  EXPECT_EQ(ValidateAssociationConfig(bad).error(), AssociationConfigError::kNoPort);
}

TEST(AssocConfig, DefaultsAreNtpds) {
  const AssociationConfig c;
  EXPECT_EQ(c.minpoll.log2(), 6);
  EXPECT_EQ(c.maxpoll.log2(), 10);
  EXPECT_EQ(c.version, 4);
  EXPECT_EQ(c.mode, Mode::kClient);
}

TEST(AssocReject, EveryReasonHasADistinctName) {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < kAssocRejectCount; ++i) {
    const auto n = AssocRejectName(static_cast<AssocReject>(i));
    EXPECT_NE(n, "unknown") << i;
    EXPECT_EQ(std::count(names.begin(), names.end(), n), 0) << n;
    names.push_back(n);
  }
}

}  // namespace
}  // namespace tempus::core::assoc

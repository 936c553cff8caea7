// Association::refusal(): why the server's replies are not used, set by the packet tests and
// kiss codes of a reply that answers our request, cleared by a measurement; rejections anyone can
// send count only for a poll that got no usable reply (refusal.h, association.h).
#include <set>
#include <string_view>

#include <gtest/gtest.h>

#include "core/assoc/association.h"
#include "tests/core/assoc/assoc_harness.h"

namespace tempus::core::assoc {

using system::kRefusalCount;
using system::Refusal;
using system::RefusalFlash;
using system::RefusalName;

namespace {

using testing::Bench;
using testing::TestConfig;

// Answers the next poll with `h` changed by `edit` (origin kept: the server's own reply).
template <typename Edit>
void AnswerWith(Bench& b, Edit edit) {
  const SendRequest r = b.Fire()[0];
  Header h = b.ReplyHeader(r);
  edit(h);
  b.Deliver(Bench::Encode(h));
}

TEST(AssocRefusal, EachPacketTestOfTheServerSaysWhy) {
  Bench b(TestConfig());
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);
  AnswerWith(b, [](Header& h) {
    h.leap = Leap::kUnsynchronized;
    h.stratum = 3;
  });
  EXPECT_EQ(b.assoc().refusal(), Refusal::kUnsynchronized);
  EXPECT_EQ(b.assoc().Snapshot().refusal, Refusal::kUnsynchronized);
  AnswerWith(b, [](Header& h) { h.stratum = 16; });
  EXPECT_EQ(b.assoc().refusal(), Refusal::kBadStratum);
  AnswerWith(b, [](Header& h) { h.root_dispersion = NtpShort::FromDuration(NtpDuration::FromWholeSeconds(2)); });
  EXPECT_EQ(b.assoc().refusal(), Refusal::kServerDistance);
  AnswerWith(b, [](Header& h) { h.receive_time = NtpTimestamp(); });
  EXPECT_EQ(b.assoc().refusal(), Refusal::kZeroTimestamps);
  // An unsynchronized server's INIT (stratum 0, LI = 3) and a stratum 0 with an unknown code.
  AnswerWith(b, [](Header& h) {
    h.stratum = 0;
    h.leap = Leap::kUnsynchronized;
    h.refid = RefId::FromCode("INIT");
  });
  EXPECT_EQ(b.assoc().refusal(), Refusal::kUnsynchronized);
  AnswerWith(b, [](Header& h) {
    h.stratum = 0;
    h.refid = RefId::FromCode("XYZ");
  });
  EXPECT_EQ(b.assoc().refusal(), Refusal::kBadStratum);
  EXPECT_TRUE(b.measurements.empty());
  // A good reply clears it.
  b.Deliver(b.Reply(b.Fire()[0]));
  EXPECT_EQ(b.measurements.size(), 1u);
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);
}

TEST(AssocRefusal, KissCodesSayWhy) {
  Bench rate(TestConfig());
  rate.Deliver(rate.Kiss(rate.Fire()[0], "RATE"));
  EXPECT_EQ(rate.assoc().refusal(), Refusal::kKissRate);
  Bench deny(TestConfig());
  deny.Deliver(deny.Kiss(deny.Fire()[0], "DENY"));
  EXPECT_EQ(deny.assoc().refusal(), Refusal::kKissDeny);
  EXPECT_EQ(deny.assoc().Snapshot().refusal, Refusal::kKissDeny);
  Bench rstr(TestConfig());
  rstr.Deliver(rstr.Kiss(rstr.Fire()[0], "RSTR"));
  EXPECT_EQ(rstr.assoc().refusal(), Refusal::kKissRstr);
}

// A spoofer's packets (bad origin, bad MAC) change nothing while the server answers: they are
// only the explanation of a poll that got no usable reply, told at the start of the next poll.
TEST(AssocRefusal, UnverifiedRejectionsExplainOnlyAnUnansweredPoll) {
  Bench b(TestConfig());
  SendRequest r = b.Fire()[0];
  Header forged = b.ReplyHeader(r);
  forged.origin_time = NtpTimestamp::FromRaw(r.cookie.raw() ^ 1);
  b.DeliverNow(Bench::Encode(forged));
  b.Deliver(b.Reply(r));  // the genuine reply in the same poll
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);
  b.Fire();
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);

  // A poll answered only by replies that do not match our request.
  r = b.sent.back();
  forged = b.ReplyHeader(r);
  forged.origin_time = NtpTimestamp::FromRaw(r.cookie.raw() ^ 1);
  b.DeliverNow(Bench::Encode(forged));
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);  // not yet: the poll is still open
  b.Fire();
  EXPECT_EQ(b.assoc().refusal(), Refusal::kBogusOrigin);
  b.Deliver(b.Reply(b.sent.back()));
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);
}

// Anyone can send a peer's mode 1 with a zero origin ("not heard from you yet"): counted, but no
// reason, so a spoofer cannot take a symmetric peer's samples out of selection with it.
TEST(AssocRefusal, ASymmetricPacketWithAZeroOriginIsNoReason) {
  AssociationConfig c = TestConfig();
  c.mode = Mode::kSymmetricActive;
  Bench b(*ValidateAssociationConfig(c));
  b.Fire();
  Header h;
  h.leap = Leap::kNoWarning;
  h.mode = Mode::kSymmetricActive;
  h.stratum = 2;
  h.receive_time = NtpTimestamp::FromParts(0xeeb62e9b, 0);
  h.transmit_time = NtpTimestamp::FromParts(0xeeb62e9c, 0);
  b.DeliverNow(Bench::Encode(h));
  b.Fire();
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kZeroTimestamps), 1u);
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);
}

TEST(AssocRefusal, FailedAuthenticationExplainsAnUnansweredPoll) {
  AssociationConfig c = TestConfig();
  c.key_id = 7;
  Bench b(c);
  const SendRequest r = b.Fire()[0];
  b.DeliverNow(b.Reply(r), AuthVerdict::kBad);
  b.Fire();
  EXPECT_EQ(b.assoc().refusal(), Refusal::kAuthFailed);
  EXPECT_EQ(b.assoc().reach(), 0);
}

// Once the server is unreachable, what it last said is no longer why it is not used.
TEST(AssocRefusal, UnreachabilityClearsTheLastVerdict) {
  Bench b(TestConfig());
  AnswerWith(b, [](Header& h) {
    h.leap = Leap::kUnsynchronized;
    h.stratum = 3;
  });
  ASSERT_EQ(b.assoc().refusal(), Refusal::kUnsynchronized);
  for (int i = 0; i < 8 && b.unreachable_events == 0; ++i) b.Poll(false);
  ASSERT_EQ(b.unreachable_events, 1);
  EXPECT_EQ(b.assoc().refusal(), Refusal::kNone);
}

TEST(Refusal, EveryValueHasADistinctNameAndNtpdsFlashWhereItHasOne) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kRefusalCount; ++i) names.insert(RefusalName(static_cast<Refusal>(i)));
  EXPECT_EQ(names.size(), kRefusalCount);
  EXPECT_EQ(names.count("unknown"), 0u);
  EXPECT_EQ(RefusalFlash(Refusal::kNone), 0);
  EXPECT_EQ(RefusalFlash(Refusal::kBogusOrigin), 0x0002);     // pkt_bogus
  EXPECT_EQ(RefusalFlash(Refusal::kKissRate), 0x0008);        // pkt_denied ("rate quench")
  EXPECT_EQ(RefusalFlash(Refusal::kUnsynchronized), 0x0020);  // pkt_stratum
  EXPECT_EQ(RefusalFlash(Refusal::kServerDistance), 0x0040);  // pkt_header
  EXPECT_EQ(RefusalFlash(Refusal::kDistance), 0x0400);        // peer_dist
  EXPECT_EQ(RefusalFlash(Refusal::kLoop), 0x0800);            // peer_loop
  EXPECT_EQ(RefusalFlash(Refusal::kUnreachable), 0x1000);     // peer_unreach
  EXPECT_EQ(RefusalFlash(Refusal::kPanic), 0);
}

}  // namespace
}  // namespace tempus::core::assoc

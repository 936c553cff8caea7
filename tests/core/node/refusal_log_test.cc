// RefusalLog: one line when a refusal appears or changes and holds, at once for kiss codes and
// panic, never one per packet, a flapping source at most a line per state an hour.
#include "core/node/refusal_log.h"

#include <gtest/gtest.h>

namespace tempus::core::node {
namespace {

using system::Refusal;

MonoTime At(double s) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(s)); }

TEST(RefusalLog, ANewReasonIsToldOnceItHolds) {
  RefusalLog log;
  EXPECT_FALSE(log.Changed(1, Refusal::kNone, At(0)));
  EXPECT_FALSE(log.Changed(1, Refusal::kFalseticker, At(8)));  // settling
  EXPECT_FALSE(log.Changed(1, Refusal::kFalseticker, At(40)));
  EXPECT_TRUE(log.Changed(1, Refusal::kFalseticker, At(70)));                                     // held for a minute
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(log.Changed(1, Refusal::kFalseticker, At(70 + i)));  // once
  EXPECT_FALSE(log.Changed(1, Refusal::kNone, At(200)));
  EXPECT_TRUE(log.Changed(1, Refusal::kNone, At(260)));  // "usable again"
}

TEST(RefusalLog, ATransientReasonIsNotTold) {
  RefusalLog log;
  EXPECT_FALSE(log.Changed(1, Refusal::kUnsynchronized, At(0)));  // a peer at start
  EXPECT_FALSE(log.Changed(1, Refusal::kNone, At(10)));
  EXPECT_FALSE(log.Changed(1, Refusal::kNone, At(100)));
}

TEST(RefusalLog, KissCodesAndPanicAreToldAtOnce) {
  RefusalLog log;
  EXPECT_TRUE(log.Changed(1, Refusal::kKissRate, At(3)));
  EXPECT_TRUE(log.Changed(RefusalLog::kSystemKey, Refusal::kPanic, At(3)));
  EXPECT_FALSE(log.Changed(RefusalLog::kSystemKey, Refusal::kPanic, At(4)));
  // The system back to following a source: recorded silently ("system peer X" says it).
  EXPECT_FALSE(log.Changed(RefusalLog::kSystemKey, Refusal::kNone, At(5)));
}

TEST(RefusalLog, WhatOtherLinesTellIsLeftToThem) {
  RefusalLog log;
  EXPECT_FALSE(log.Changed(1, Refusal::kUnreachable, At(0)));
  EXPECT_FALSE(log.Changed(1, Refusal::kUnreachable, At(100)));
  EXPECT_FALSE(log.Changed(1, Refusal::kKissDeny, At(100)));
  EXPECT_FALSE(log.Changed(1, Refusal::kPanic, At(100)));          // the system's line
  EXPECT_FALSE(log.Changed(1, Refusal::kTooFewSources, At(300)));  // the system's line
}

TEST(RefusalLog, AFlappingSourceCostsALinePerStateAnHour) {
  RefusalLog log;
  int lines = 0;
  // Falseticker for two minutes, usable for two minutes, for five hours.
  for (int t = 0; t < 5 * 3600; t += 8) {
    const Refusal r = (t / 120) % 2 == 0 ? Refusal::kFalseticker : Refusal::kNone;
    lines += log.Changed(1, r, At(t)) ? 1 : 0;
  }
  EXPECT_LE(lines, 2 * 5 + 2);
  EXPECT_GE(lines, 5);
  log.Forget(1);
  EXPECT_FALSE(log.Changed(1, Refusal::kNone, At(5 * 3600)));
}

// What a pass held back says when the next pass is worth making (the node arms its tick for it
// then, and not before: issue 12 item 5).
TEST(RefusalLog, SaysWhenWhatItHoldsBackMayBeTold) {
  RefusalLog log;
  log.BeginPass();
  EXPECT_FALSE(log.Changed(1, Refusal::kFalseticker, At(8)));
  EXPECT_EQ(log.next_due(), At(68));  // settled after kSettle
  log.BeginPass();
  EXPECT_TRUE(log.Changed(1, Refusal::kFalseticker, At(68)));
  EXPECT_FALSE(log.next_due().has_value());  // nothing held back
  log.BeginPass();
  EXPECT_FALSE(log.Changed(1, Refusal::kNone, At(100)));
  log.BeginPass();
  EXPECT_TRUE(log.Changed(1, Refusal::kNone, At(160)));
  log.BeginPass();
  EXPECT_FALSE(log.Changed(1, Refusal::kFalseticker, At(200)));
  EXPECT_EQ(log.next_due(), At(68 + 3600));  // flapping: the hour since its last line
}

}  // namespace
}  // namespace tempus::core::node

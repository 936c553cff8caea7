// ntpq sysstats from the node's, the server's and the control server's counters (SysStats):
// every server drop reason lands in ntpd's category, each number counted once.
#include "core/report/counters.h"

#include <vector>

#include <gtest/gtest.h>

namespace tempus::core::report {
namespace {

using server::DropReason;

TEST(Counters, CountsEachDatagramByVersionAndMode) {
  Counters r;
  for (uint8_t first : {0x23, 0x1b, 0x0b, 0x08, 0x09, 0x0c, 0x16, 0x3b}) r.CountDatagram(std::vector<uint8_t>{first});
  EXPECT_EQ(r.received, 8u);
  EXPECT_EQ(r.this_version, 1u);        // 0x23: v4 mode 3
  EXPECT_EQ(r.old_version, 6u);         // v3, v1 x4, v2
  EXPECT_EQ(r.version1, 4u);            // 0x0b, 0x08, 0x09, 0x0c
  EXPECT_EQ(r.version1_client, 1u);     // 0x0b
  EXPECT_EQ(r.version1_zero, 1u);       // 0x08
  EXPECT_EQ(r.version1_symmetric, 1u);  // 0x09
}

TEST(SysStats, EachServerDropReasonLandsInNtpdsCategory) {
  struct Want {
    DropReason reason;
    uint64_t Counters::*field;  // null: in no sysstats category
  };
  const std::vector<Want> wants = {
      {DropReason::kTooShort, &Counters::bad_format},
      {DropReason::kBadVersion, &Counters::bad_format},
      {DropReason::kBadExtensionLength, &Counters::bad_format},
      {DropReason::kBadTrailer, &Counters::bad_format},
      {DropReason::kServerMode, nullptr},
      {DropReason::kBroadcastMode, &Counters::declined},
      {DropReason::kSymmetricMode, &Counters::declined},
      {DropReason::kControlMode, nullptr},
      {DropReason::kPrivateMode, &Counters::declined},
      {DropReason::kReservedMode, &Counters::declined},
      {DropReason::kReplyBufferTooSmall, nullptr},
      {DropReason::kRestricted, &Counters::restricted},
      {DropReason::kRateLimited, &Counters::limited},
      {DropReason::kKodSent, &Counters::limited},
      {DropReason::kPeerLimit, nullptr},
      {DropReason::kCryptoNakSent, &Counters::bad_auth},
      {DropReason::kNotAuthenticated, &Counters::restricted},
      {DropReason::kUnauthenticatedPeer, &Counters::declined},
      {DropReason::kNtsDisabled, &Counters::declined},
      {DropReason::kNtsMalformed, &Counters::bad_format},
      {DropReason::kNtsBadAuth, &Counters::bad_auth},
      {DropReason::kNtsNakSent, &Counters::bad_auth},
  };
  ASSERT_EQ(wants.size(), server::kDropReasonCount);
  for (const Want& w : wants) {
    server::ServerStats st;
    for (int i = 0; i < 3; ++i) st.CountDrop(w.reason);
    const Counters c = SysStats({}, st, {}, 0);
    const std::vector<uint64_t Counters::*> fields = {&Counters::bad_format, &Counters::declined, &Counters::restricted,
                                                      &Counters::limited, &Counters::bad_auth};
    for (auto f : fields) EXPECT_EQ(c.*f, f == w.field ? 3u : 0u) << server::DropReasonName(w.reason);
    EXPECT_EQ(c.kod_sent, w.reason == DropReason::kKodSent ? 3u : 0u) << server::DropReasonName(w.reason);
  }
}

TEST(SysStats, AddsTheControlServersDropsAndTheNodesOwnCounts) {
  Counters r;
  r.CountDatagram(std::vector<uint8_t>{0x16});
  r.bad_auth = 4;
  // tempusd's workers' own counts (SetHostCounters adds them).
  Counters workers;
  workers.CountDatagram(std::vector<uint8_t>{0x23});  // VN 4, mode 3
  workers.forward_drops = 2;
  r.Add(workers);
  server::ServerStats st;
  st.received = 20;
  st.replied = 11;
  st.CountDrop(DropReason::kRestricted);
  st.CountDrop(DropReason::kCryptoNakSent);
  ControlStats ctl;
  ctl.requests = 9;
  ctl.dropped[static_cast<size_t>(ControlDrop::kRestricted)] = 2;
  ctl.dropped[static_cast<size_t>(ControlDrop::kClientRate)] = 3;
  ctl.dropped[static_cast<size_t>(ControlDrop::kGlobalRate)] = 1;
  ctl.dropped[static_cast<size_t>(ControlDrop::kMalformed)] = 5;
  const Counters c = SysStats(r, st, ctl, /*accepted=*/6);
  EXPECT_EQ(c.received, 2u);
  EXPECT_EQ(c.this_version, 1u);
  EXPECT_EQ(c.old_version, 1u);
  EXPECT_EQ(c.forward_drops, 2u);  // the workers' drops, as they counted them
  EXPECT_EQ(c.control_requests, 9u);
  EXPECT_EQ(c.restricted, 3u);
  EXPECT_EQ(c.limited, 4u);
  EXPECT_EQ(c.bad_format, 5u);
  EXPECT_EQ(c.bad_auth, 5u);
  EXPECT_EQ(c.processed, 17u);  // replies served and replies taken
  EXPECT_EQ(c.kod_sent, 0u);
}

}  // namespace
}  // namespace tempus::core::report

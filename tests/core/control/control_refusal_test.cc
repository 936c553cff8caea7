// Mode 6 says why: the system's and each peer's `reason`, a peer's ntpd `flash` bits, and the
// refused offset while the panic refusal lasts.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/control/control.h"
#include "tests/core/control/read_vars.h"

namespace tempus::core::control {

using system::Refusal;

namespace {

// A node refusing a 1500 s offset from its one source (association 1, reachable), with a second
// source (association 2) demobilized by a kiss DENY and one (3) never heard from.
report::NodeSnapshot PanicView() {
  report::NodeSnapshot v;
  v.discipline.offset = NtpDuration::FromMicros(-42);
  v.refusal = Refusal::kPanic;
  v.panic_offset = NtpDuration::FromSeconds(1500.25);
  report::SourceSnapshot p;
  p.association_id = 1;
  p.association.config.address = NetAddress::IPv4({127, 0, 0, 2}, 123);
  p.association.reach = 0xff;
  system::SourceView s;
  s.id = 1;
  s.reachable = true;
  s.tally = select::Tally::kCandidate;
  s.refusal = Refusal::kPanic;
  p.source = s;
  v.sources.push_back(p);
  report::SourceSnapshot deny;
  deny.association_id = 2;
  deny.association.config.address = NetAddress::IPv4({127, 0, 0, 3}, 123);
  deny.association.demobilized = true;
  deny.association.refusal = Refusal::kKissDeny;
  v.sources.push_back(deny);
  report::SourceSnapshot silent;
  silent.association_id = 3;
  silent.association.config.address = NetAddress::IPv4({127, 0, 0, 4}, 123);
  system::SourceView ss;
  ss.id = 3;
  ss.refusal = Refusal::kUnreachable;
  silent.source = ss;
  v.sources.push_back(silent);
  return v;
}

TEST(ControlRefusal, SystemReasonAndTheRefusedOffsetInTheDefaultSet) {
  const auto vars = ReadVars(PanicView(), 0);
  EXPECT_EQ(vars.at("reason"), "panic");
  EXPECT_EQ(vars.at("offset"), "1500250.000000") << "the refused offset, not the stale estimate";
  report::NodeSnapshot fine = PanicView();
  fine.refusal = Refusal::kNone;
  fine.panic_offset.reset();
  const auto ok = ReadVars(fine, 0);
  EXPECT_EQ(ok.at("reason"), "none");
  EXPECT_EQ(ok.at("offset"), "-0.042000");
  EXPECT_EQ(ReadVars(fine, 0, "reason").at("reason"), "none");
}

TEST(ControlRefusal, PeerReasonAndNtpdFlashBits) {
  const report::NodeSnapshot v = PanicView();
  const auto panic = ReadVars(v, 1);
  EXPECT_EQ(panic.at("reason"), "panic");
  EXPECT_EQ(panic.at("flash"), "0x0");  // ntpd has no bit for it (it exits)
  const auto deny = ReadVars(v, 2);
  EXPECT_EQ(deny.at("reason"), "kiss_deny");
  EXPECT_EQ(deny.at("flash"), "0x1008");  // pkt_denied, peer_unreach
  const auto silent = ReadVars(v, 3);
  EXPECT_EQ(silent.at("reason"), "unreachable");
  EXPECT_EQ(silent.at("flash"), "0x1000");  // peer_unreach
  EXPECT_EQ(RefusalOf(v.sources[1]), Refusal::kKissDeny);
}

}  // namespace
}  // namespace tempus::core::control

// Mode 6 shows an NTS association's state (`ntpq -c "rv &N"`): NTPsec's ntscookies (-1 for a
// source without NTS, as NTPsec sends it) and tempus's ntske_* and nts_* (nts_variables.h), with
// the status word's authenable and authentic bits.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/control/control.h"
#include "core/control/nts_variables.h"
#include "tests/core/control/read_vars.h"

namespace tempus::core::control {
namespace {

MonoTime At(int64_t s) { return MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(s)); }

// Association 1: NTS, reachable, 7 cookies, NTS-KE 40 s ago after two failures; association 2:
// plain NTP.
report::NodeSnapshot NtsView() {
  report::NodeSnapshot v;
  v.now = At(200);
  v.clock_now = NtpTimestamp::FromParts(0xeeb62ea0, 0);
  report::SourceSnapshot p;
  p.association_id = 1;
  p.association.config.address = NetAddress::IPv4({127, 0, 0, 2}, 123);
  p.association.config.nts = true;
  p.association.reach = 0x3;
  report::NtsSourceState nts;
  nts.cookies = 7;
  nts.ke_server = "ntp.example.org:4460";
  nts.last_ke = At(160);
  nts.ke_ok = 1;
  nts.ke_failed = 2;
  nts.requests = 5;
  nts.accepted = 4;
  nts.dropped = 1;
  p.nts = nts;
  v.sources.push_back(p);
  report::SourceSnapshot plain;
  plain.association_id = 2;
  plain.association.config.address = NetAddress::IPv4({127, 0, 0, 3}, 123);
  plain.association.reach = 0x3;
  v.sources.push_back(plain);
  return v;
}

TEST(ControlNts, DefaultPeerVariablesShowTheNtsState) {
  const report::NodeSnapshot v = NtsView();
  const auto vars = ReadVars(v, 1);
  EXPECT_EQ(vars.at("ntscookies"), "7");
  EXPECT_EQ(vars.at("ntske_server"), "ntp.example.org:4460");  // quotes stripped by the parser
  EXPECT_EQ(vars.at("ntske_time"), "0xeeb62e78.00000000");     // 40 s before clock_now
  EXPECT_EQ(vars.at("ntske_ok"), "1");
  EXPECT_EQ(vars.at("ntske_fail"), "2");
  EXPECT_EQ(vars.at("ntske_reason"), "none");
  EXPECT_EQ(vars.at("nts_sent"), "5");
  EXPECT_EQ(vars.at("nts_recv_good"), "4");
  EXPECT_EQ(vars.at("nts_recv_bad"), "1");
  // The status word: authenable (0x4000) and, reachable, authentic (0x2000), as ntpd's for NTS.
  EXPECT_EQ(PeerStatusWord(v.sources[0], false) & 0x6000, 0x6000);
}

TEST(ControlNts, AFailingNtsKeShowsItsReasonAndNoTimeBeforeOne) {
  report::NodeSnapshot v = NtsView();
  v.sources[0].nts->cookies = 0;
  v.sources[0].nts->last_ke.reset();
  v.sources[0].nts->ke_ok = 0;
  v.sources[0].nts->last_failure = "certificate";
  v.sources[0].association.reach = 0;
  const auto vars = ReadVars(v, 1, "ntscookies,ntske_time,ntske_reason,ntske_fail");
  EXPECT_EQ(vars.at("ntscookies"), "0");
  EXPECT_EQ(vars.at("ntske_time"), "0x00000000.00000000");
  EXPECT_EQ(vars.at("ntske_reason"), "certificate");
  EXPECT_EQ(vars.at("ntske_fail"), "2");
  EXPECT_EQ(PeerStatusWord(v.sources[0], false) & 0x6000, 0x4000);  // authenable, not authentic
}

// An NTS source whose NTS-KE never succeeded (tempusd shows it while it fails, sending nothing):
// refid NTS (ntpq -p: the refid column) until one has, INIT after it until the first reply.
TEST(ControlNts, ASourceBeforeItsFirstNtsKeShowsRefidNts) {
  report::NodeSnapshot v = NtsView();
  report::SourceSnapshot& s = v.sources[0];
  s.association.reach = 0;
  s.association.last_measurement.reset();
  s.source.reset();
  s.nts->cookies = 0;
  s.nts->last_ke.reset();
  s.nts->ke_ok = 0;
  s.nts->last_failure = "certificate";
  auto vars = ReadVars(v, 1, "refid,reach,ntske_reason,ntscookies");
  EXPECT_EQ(vars.at("refid"), "NTS");
  EXPECT_EQ(vars.at("reach"), "0x0");
  EXPECT_EQ(vars.at("ntske_reason"), "certificate");
  EXPECT_EQ(vars.at("ntscookies"), "0");
  s.nts->last_ke = At(190);  // NTS-KE done, no reply yet
  EXPECT_EQ(ReadVars(v, 1, "refid").at("refid"), "INIT");
  EXPECT_EQ(ReadVars(v, 2, "refid").at("refid"), "INIT");  // a plain source without replies
}

TEST(ControlNts, APlainSourceSendsNtscookiesMinusOneAndNoNtsState) {
  const report::NodeSnapshot v = NtsView();
  const auto vars = ReadVars(v, 2);
  EXPECT_EQ(vars.at("ntscookies"), "-1");  // as NTPsec for a source without NTS
  for (std::string_view name : kNtsPeerVariables) {
    if (name != "ntscookies") {
      EXPECT_EQ(vars.count(std::string(name)), 0u) << name;
    }
  }
  // Named, they are known (no error), just not sent.
  auto answer = HandleControl(mode6::EncodeRequest(mode6::Opcode::kReadVariables, 7, 2, "ntske_server,ntske_fail"), v);
  ASSERT_TRUE(answer.has_value());
  auto m = mode6::Decode(answer->front());
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->header.error);
  EXPECT_EQ(PeerStatusWord(v.sources[1], false) & 0x6000, 0);
}

// `ntpq -c ntsinfo` asks for NTPsec's 17 system variables at once: the client's are the NTS
// sources' sums, the server's the Server's NTS outcomes and the host's NTS-KE and cookie counts.
TEST(ControlNts, NtsinfoSystemVariablesSumTheSourcesAndShowTheServer) {
  report::NodeSnapshot v = NtsView();
  report::SourceSnapshot second = v.sources[0];  // a second NTS source
  second.association_id = 3;
  second.nts->requests = 10;
  second.nts->accepted = 9;
  second.nts->dropped = 0;
  second.nts->ke_ok = 3;
  second.nts->ke_failed = 0;
  v.sources.push_back(second);
  server::ServerStats& st = v.counters.server;
  st.nts_answered = 20;
  st.dropped[static_cast<size_t>(server::DropReason::kNtsNakSent)] = 2;
  st.dropped[static_cast<size_t>(server::DropReason::kNtsBadAuth)] = 3;
  st.dropped[static_cast<size_t>(server::DropReason::kNtsMalformed)] = 4;
  st.dropped[static_cast<size_t>(server::DropReason::kNtsDisabled)] = 0;
  report::NtsServerCounts& s = v.counters.nts_server;
  s.ke_answered = 6;
  s.ke_failed = 1;
  s.cookies_made = 68;
  s.cookies_current = 21;
  s.cookies_previous = 1;
  s.cookies_unknown_key = 2;
  s.cookies_bad = 3;
  std::string names;
  for (std::string_view name : kNtsSystemVariables) names += std::string(names.empty() ? "" : ",") + std::string(name);
  auto answer = HandleControl(mode6::EncodeRequest(mode6::Opcode::kReadVariables, 7, 0, names), v);
  ASSERT_TRUE(answer.has_value());
  auto m = mode6::Decode(answer->front());
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->header.error);  // all known: ntpq need not ask one at a time
  const auto vars = ReadVars(v, 0, names);
  const std::map<std::string, std::string> want = {{"nts_client_send", "15"},        {"nts_client_recv_good", "13"},
                                                   {"nts_client_recv_bad", "1"},     {"nts_server_recv_good", "20"},
                                                   {"nts_server_recv_bad", "9"},     {"nts_server_send", "22"},
                                                   {"nts_cookie_make", "68"},        {"nts_cookie_decode", "21"},
                                                   {"nts_cookie_decode_old", "1"},   {"nts_cookie_decode_old2", "0"},
                                                   {"nts_cookie_decode_older", "0"}, {"nts_cookie_decode_too_old", "2"},
                                                   {"nts_cookie_decode_error", "3"}, {"nts_ke_probes_good", "4"},
                                                   {"nts_ke_probes_bad", "2"},       {"nts_ke_serves_good", "6"},
                                                   {"nts_ke_serves_bad", "1"}};
  EXPECT_EQ(vars, want);
  // Not in the default `rv` set (as NTPsec).
  EXPECT_EQ(ReadVars(v, 0).count("nts_client_send"), 0u);
}

TEST(ControlNts, NtsinfoOfANodeWithoutNtsIsZero) {
  report::NodeSnapshot v;
  const auto vars = ReadVars(v, 0, "nts_client_send,nts_ke_serves_good,nts_cookie_decode_error");
  EXPECT_EQ(vars.at("nts_client_send"), "0");
  EXPECT_EQ(vars.at("nts_ke_serves_good"), "0");
  EXPECT_EQ(vars.at("nts_cookie_decode_error"), "0");
  EXPECT_FALSE(NtsSystemVariable("nts_unknown", v).has_value());
}

}  // namespace
}  // namespace tempus::core::control

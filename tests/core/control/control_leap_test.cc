// Mode 6's leap table variables (ntpd's tai=, leapsec=, expire=).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/control/control.h"
#include "tests/core/control/read_vars.h"

namespace tempus::core::control {
namespace {

using mode6::Opcode;

report::NodeSnapshot View() {
  report::NodeSnapshot v;
  v.system.leap = Leap::kNoWarning;
  v.system.stratum = 2;
  v.clock_now = NtpTimestamp::FromParts(3692174400u, 0);  // 2016-12-31 12:00 UTC
  return v;
}

TEST(ControlLeap, DefaultReadvarShowsTaiLeapsecAndExpireAsNtpdDoes) {
  report::NodeSnapshot v = View();
  v.leap_table = report::LeapView{36, 3692217600, 3707596800};
  const auto vars = ReadVars(v);
  EXPECT_EQ(vars.at("tai"), "36");
  EXPECT_EQ(vars.at("leapsec"), "201701010000");
  EXPECT_EQ(vars.at("expire"), "201706280000");
}

TEST(ControlLeap, OmittedWithoutALeapTableButStillKnownByName) {
  const report::NodeSnapshot v = View();
  const auto vars = ReadVars(v);
  EXPECT_EQ(vars.count("tai"), 0u);
  EXPECT_EQ(vars.count("leapsec"), 0u);
  EXPECT_EQ(vars.count("expire"), 0u);
  EXPECT_EQ(vars.count("mintc"), 1u);
  // Asking by name is not an "unknown variable" error: the answer just lacks them.
  auto answer = HandleControl(mode6::EncodeRequest(Opcode::kReadVariables, 8, 0, "tai,expire,stratum"), v);
  ASSERT_TRUE(answer.has_value());
  auto m = mode6::Decode(answer->front());
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->header.error);
}

TEST(ControlLeap, NamedRequestReturnsThem) {
  report::NodeSnapshot v = View();
  v.leap_table = report::LeapView{37, 3692217600, 3991593600};
  const auto vars = ReadVars(v, 0, "expire,tai");
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars.at("tai"), "37");
  EXPECT_EQ(vars.at("expire"), "202606280000");
}

}  // namespace
}  // namespace tempus::core::control

#include "ntp_load/options.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tempus::bench {
namespace {

Result<LoadOptions, ParseStop> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ntp_load");
  return ParseLoadOptions(args);
}

// The option is refused with exit code 2 and a message that names `word`.
void ExpectRefused(std::vector<std::string> args, const std::string& word) {
  auto r = Parse(args);
  ASSERT_FALSE(r) << "accepted: " << args.back();
  EXPECT_EQ(r.error().exit_code, 2);
  EXPECT_NE(r.error().message.find(word), std::string::npos) << r.error().message;
}

TEST(LoadOptions, DefaultsAreAClosedLoopOfABoundedRun) {
  auto o = Parse({"127.0.0.1"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->target.port(), 123);
  EXPECT_EQ(o->outstanding, 128u);
  EXPECT_EQ(o->rate_per_s, 0.0);
  EXPECT_EQ(o->clients, 1000u);
  EXPECT_EQ(o->first_client, 0x7f010001u);
  EXPECT_GT(o->duration_s, 0.0);
}

TEST(LoadOptions, RateMakesAnOpenLoop) {
  auto o = Parse({"127.0.0.1:11123", "--rate", "5000", "--poisson"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->outstanding, 0u);
  EXPECT_EQ(o->rate_per_s, 5000.0);
  EXPECT_TRUE(o->poisson);
  EXPECT_EQ(o->target.port(), 11123);
}

TEST(LoadOptions, RefusesNonFiniteAndNegativeNumbers) {
  for (const char* bad : {"nan", "NaN", "-nan", "inf", "-inf", "1e400", "-1", "0x10", "5s", ""}) {
    ExpectRefused({"127.0.0.1", "--duration", bad}, "--duration");
    ExpectRefused({"127.0.0.1", "--rate", bad}, "--rate");
    ExpectRefused({"127.0.0.1", "--timeout", bad}, "--timeout");
    ExpectRefused({"127.0.0.1", "--warmup", bad}, "--warmup");
  }
  for (const char* bad : {"-1", "-5", "1.5", "nan", "0", "18446744073709551616"}) {
    ExpectRefused({"127.0.0.1", "--count", bad}, "--count");
    ExpectRefused({"127.0.0.1", "--outstanding", bad}, "--outstanding");
    ExpectRefused({"127.0.0.1", "--clients", bad}, "--clients");
  }
}

TEST(LoadOptions, RefusesBoundsTooLarge) {
  ExpectRefused({"127.0.0.1", "--duration", "3601"}, "--duration");
  ExpectRefused({"127.0.0.1", "--batch", "1025"}, "--batch");
  ExpectRefused({"127.0.0.1", "--rate", "1e7", "--timeout", "1"}, "--rate");
}

TEST(LoadOptions, RefusesTargetsOffLoopback) {
  ExpectRefused({"192.0.2.1"}, "loopback");
  ExpectRefused({"[::1]:123"}, "IPv4");
  ExpectRefused({"localhost"}, "ADDRESS");
  ExpectRefused({"127.0.0.1:0"}, "port");
  ExpectRefused({"127.0.0.1", "--first-client", "10.0.0.1"}, "--first-client");
}

TEST(LoadOptions, RefusesClientsPastTheLoopbackRange) {
  // .250 to .254 are five addresses; a sixth would be the broadcast address.
  ExpectRefused({"127.0.0.1", "--first-client", "127.255.255.250", "--clients", "6"}, "--clients");
  EXPECT_TRUE(Parse({"127.0.0.1", "--first-client", "127.255.255.250", "--clients", "5"}));
}

TEST(LoadOptions, ClosedAndOpenLoopExcludeEachOther) {
  ExpectRefused({"127.0.0.1", "--rate", "100", "--outstanding", "4"}, "excludes");
}

TEST(LoadOptions, NtsNeedsALoopbackKeServerAndACa) {
  auto o = Parse({"127.0.0.1", "--nts-ke", "127.0.0.1:14460", "--nts-ca", "/tmp/ca.pem", "--nts-placeholders", "7"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(o->nts);
  EXPECT_EQ(o->nts_options.ke_server.port(), 14460);
  EXPECT_EQ(o->nts_options.host, "localhost");
  EXPECT_EQ(o->nts_options.placeholders, 7u);
  o = Parse({"127.0.0.1", "--nts-ke", "127.0.0.2", "--nts-ca", "/tmp/ca.pem"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->nts_options.ke_server.port(), 4460);
  EXPECT_FALSE(Parse({"127.0.0.1"})->nts);
  ExpectRefused({"127.0.0.1", "--nts-ke", "127.0.0.1"}, "--nts-ca");
  ExpectRefused({"127.0.0.1", "--nts-ke", "192.0.2.1", "--nts-ca", "/tmp/ca.pem"}, "--nts-ke");
  ExpectRefused({"127.0.0.1", "--nts-ke", "127.0.0.1", "--nts-ca", "c", "--nts-placeholders", "8"}, "placeholders");
  ExpectRefused({"127.0.0.1", "--nts-ca", "/tmp/ca.pem"}, "--nts-ke");
}

TEST(LoadOptions, NtsSessionsAreBoundedAndNeedAsManyClients) {
  auto o = Parse({"127.0.0.1", "--nts-ke", "127.0.0.1", "--nts-ca", "c"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->nts_options.sessions, 1u);
  o = Parse({"127.0.0.1", "--nts-ke", "127.0.0.1", "--nts-ca", "c", "--nts-sessions", "64"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->nts_options.sessions, 64u);
  o = Parse({"127.0.0.1", "--nts-ke", "127.0.0.1", "--nts-ca", "c", "--nts-sessions", "4096", "--clients", "4096"});
  ASSERT_TRUE(o) << o.error().message;
  for (const char* bad : {"0", "-1", "4097", "1e3", "nan", ""}) {
    ExpectRefused({"127.0.0.1", "--nts-ke", "127.0.0.1", "--nts-ca", "c", "--clients", "10000", "--nts-sessions", bad},
                  "--nts-sessions");
  }
  // Each session speaks from addresses of its own: no more sessions than addresses.
  ExpectRefused({"127.0.0.1", "--nts-ke", "127.0.0.1", "--nts-ca", "c", "--nts-sessions", "65", "--clients", "64"},
                "--clients");
  ExpectRefused({"127.0.0.1", "--nts-sessions", "4"}, "--nts-ke");
}

TEST(LoadOptions, HelpStopsWithExitCodeZero) {
  auto r = Parse({"--help"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().exit_code, 0);
  EXPECT_NE(r.error().message.find("--outstanding"), std::string::npos);
}

}  // namespace
}  // namespace tempus::bench

// Error reporting as a whole: every error in one pass, unknown directives with suggestions,
// diagnostics order, and includefile (relative paths, directories, depth and loops).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

using testing::ExpectOneErrors;
using testing::FileErrors;
using testing::MustFail;
using testing::OneError;

TEST(ParseErrors, UnknownDirectiveSuggestsTheNearestName) {
  ExpectOneErrors({
      {"sever 10.0.0.1\n", "ntp.conf:1:1: expected a directive, got 'sever' (did you mean 'server'?)"},
      {"  driftfle /x\n", "ntp.conf:1:3: expected a directive, got 'driftfle' (did you mean 'driftfile'?)"},
      {"restirct default\n", "ntp.conf:1:1: expected a directive, got 'restirct' (did you mean 'restrict'?)"},
      {"frobnicate 1\n", "ntp.conf:1:1: expected a directive, got 'frobnicate'"},
  });
}

TEST(ParseErrors, AllErrorsInOnePassInFileOrder) {
  const auto lines = MustFail(
      "sever a\n"
      "server b minpoll fast\n"
      "driftfile /var/lib/ntp/drift\n"
      "broadcastclient\n"
      "restrict default nomodfy\n"
      "tos orphan 99\n");
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "ntp.conf:1:1: expected a directive, got 'sever' (did you mean 'server'?)");
  EXPECT_EQ(lines[1], "ntp.conf:2:18: expected poll exponent 3..17 after 'minpoll', got 'fast'");
  EXPECT_EQ(lines[2],
            "ntp.conf:4:1: warning: 'broadcastclient': broadcast client mode was dropped by modern NTP daemons; line "
            "ignored");
  EXPECT_EQ(lines[3], "ntp.conf:5:18: expected a restrict flag, got 'nomodfy' (did you mean 'nomodify'?)");
  EXPECT_EQ(lines[4], "ntp.conf:6:12: expected a stratum 1..16 after 'orphan', got '99'");
}

TEST(ParseErrors, LexerAndParserErrorsTogether) {
  using namespace std::string_literals;
  const auto lines = MustFail("server a\0\nsever b\n"s);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "ntp.conf:1:9: expected text, got a NUL byte");
  EXPECT_EQ(lines[1], "ntp.conf:2:1: expected a directive, got 'sever' (did you mean 'server'?)");
}

TEST(ParseErrors, EmptyAndCommentOnlyFilesAreValid) {
  EXPECT_TRUE(ParseText("").has_value());
  EXPECT_TRUE(ParseText("# nothing\n\n   # here\n").has_value());
}

TEST(ParseErrors, KnownDirectivesAreSortedAndIncludeTheContract) {
  const auto names = KnownDirectives();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  for (const char* n : {"server",
                        "pool",
                        "peer",
                        "restrict",
                        "driftfile",
                        "leapfile",
                        "logfile",
                        "statsdir",
                        "statistics",
                        "filegen",
                        "keys",
                        "trustedkey",
                        "controlkey",
                        "requestkey",
                        "includefile",
                        "interface",
                        "nic",
                        "tos",
                        "tinker",
                        "discard",
                        "enable",
                        "disable",
                        "leapsmearinterval",
                        "broadcast",
                        "broadcastclient",
                        "manycastserver",
                        "manycastclient",
                        "multicastclient",
                        "autokey",
                        "crypto",
                        "fudge",
                        "clock",
                        "listen",
                        "control",
                        "metrics",
                        "local",
                        "makestep",
                        "pidfile",
                        "workers"}) {
    EXPECT_TRUE(std::binary_search(names.begin(), names.end(), std::string_view(n))) << n;
  }
}

TEST(ParseFile, MissingMainFile) {
  MemoryFileSystem fs;
  EXPECT_EQ(FileErrors(fs, "/etc/ntp.conf"),
            (std::vector<std::string>{"/etc/ntp.conf: expected a readable configuration file, got No such file or "
                                      "directory"}));
}

TEST(ParseInclude, RelativeToTheIncludingFile) {
  MemoryFileSystem fs;
  fs.Add("/etc/ntp.conf", "driftfile /d\nincludefile ntp.d/servers.conf\nrestrict default kod\n");
  fs.Add("/etc/ntp.d/servers.conf", "server a.example iburst\nincludefile ../more.conf\n");
  fs.Add("/etc/more.conf", "server b.example\n");
  const auto r = ParseFile(fs, "/etc/ntp.conf");
  ASSERT_TRUE(r.has_value()) << testing::Joined(r.error());
  ASSERT_EQ(r->config.servers.size(), 2u);
  EXPECT_EQ(r->config.servers[0].host, "a.example");
  EXPECT_EQ(r->config.servers[0].where, (Location{"/etc/ntp.d/servers.conf", 1, 8}));
  EXPECT_EQ(r->config.servers[1].where, (Location{"/etc/more.conf", 1, 8}));
  EXPECT_EQ(r->config.restricts.size(), 1u);
}

TEST(ParseInclude, DirectoryReadsConfFilesInNameOrder) {
  MemoryFileSystem fs;
  fs.Add("/etc/ntp.conf", "includefile /etc/ntp.d\n");
  fs.Add("/etc/ntp.d/20-b.conf", "server b\n");
  fs.Add("/etc/ntp.d/10-a.conf", "server a\n");
  fs.Add("/etc/ntp.d/README", "not a config\n");
  const auto r = ParseFile(fs, "/etc/ntp.conf");
  ASSERT_TRUE(r.has_value()) << testing::Joined(r.error());
  ASSERT_EQ(r->config.servers.size(), 2u);
  EXPECT_EQ(r->config.servers[0].host, "a");
  EXPECT_EQ(r->config.servers[1].host, "b");
}

TEST(ParseInclude, ErrorsInIncludedFilesNameThatFile) {
  MemoryFileSystem fs;
  fs.Add("/etc/ntp.conf", "includefile inc.conf\n");
  fs.Add("/etc/inc.conf", "\nserver a minpoll 99\n");
  EXPECT_EQ(FileErrors(fs, "/etc/ntp.conf"),
            (std::vector<std::string>{"/etc/inc.conf:2:18: expected poll exponent 3..17 after 'minpoll', got '99'"}));
}

// As ntpd: a missing include is logged and skipped (the stock CentOS 7 file includes
// /etc/ntp/crypto/pw, which only the ntp package creates).
TEST(ParseInclude, AMissingIncludeIsAWarning) {
  MemoryFileSystem fs;
  fs.Add("/etc/ntp.conf", "includefile missing.conf\nserver a\n");
  auto r = ParseFile(fs, "/etc/ntp.conf");
  ASSERT_TRUE(r) << testing::Joined(r.error());
  EXPECT_EQ(testing::Lines(r->warnings),
            (std::vector<std::string>{
                "/etc/ntp.conf:1:13: warning: includefile '/etc/missing.conf': no such file; skipped (as ntpd)"}));
  EXPECT_EQ(r->config.servers.size(), 1u);
}

TEST(ParseInclude, LoopIsAnError) {
  MemoryFileSystem fs;
  fs.Add("/etc/ntp.conf", "includefile a.conf\nserver x\n");
  fs.Add("/etc/a.conf", "includefile b.conf\n");
  fs.Add("/etc/b.conf", "includefile ./a.conf\n");
  EXPECT_EQ(FileErrors(fs, "/etc/ntp.conf"),
            (std::vector<std::string>{"/etc/b.conf:1:13: expected a file not already being read, got './a.conf' "
                                      "(include loop: /etc/a.conf -> /etc/b.conf -> /etc/a.conf)"}));
  // A file including itself.
  MemoryFileSystem self;
  self.Add("/n.conf", "includefile /n.conf\n");
  EXPECT_EQ(FileErrors(self, "/n.conf"),
            (std::vector<std::string>{"/n.conf:1:13: expected a file not already being read, got '/n.conf' (include "
                                      "loop: /n.conf -> /n.conf)"}));
}

TEST(ParseInclude, DepthLimit) {
  MemoryFileSystem fs;
  // /0.conf includes /1.conf ... includes /7.conf: only 5 levels of nesting are allowed.
  for (int i = 0; i < 7; ++i) {
    fs.Add("/" + std::to_string(i) + ".conf", "includefile " + std::to_string(i + 1) + ".conf\n");
  }
  fs.Add("/7.conf", "server deep\n");
  EXPECT_EQ(FileErrors(fs, "/0.conf"),
            (std::vector<std::string>{
                "/5.conf:1:13: expected includes nested at most 5 deep, got '6.conf' at depth 6"}));
  // Exactly five levels are fine.
  MemoryFileSystem ok;
  for (int i = 0; i < 5; ++i)
    ok.Add("/" + std::to_string(i) + ".conf", "includefile " + std::to_string(i + 1) + ".conf\n");
  ok.Add("/5.conf", "server deep\n");
  const auto good = ParseFile(ok, "/0.conf");
  ASSERT_TRUE(good.has_value()) << testing::Joined(good.error());
  EXPECT_EQ(good->config.servers.at(0).host, "deep");
}

TEST(ParseInclude, TotalIncludedFilesAreBounded) {
  // Each level includes the next one 20 times: 20^5 reads without a bound.
  MemoryFileSystem fs;
  for (int i = 0; i < 5; ++i) {
    std::string text;
    for (int k = 0; k < 20; ++k) text += "includefile " + std::to_string(i + 1) + ".conf\n";
    fs.Add("/" + std::to_string(i) + ".conf", text);
  }
  fs.Add("/5.conf", "server a\n");
  const auto lines = FileErrors(fs, "/0.conf");
  ASSERT_FALSE(lines.empty());
  EXPECT_LT(lines.size(), 400u);
  EXPECT_EQ(lines[0], "/4.conf:1:13: expected at most 256 included files in all, got '5.conf' beyond that");
}

TEST(ParseInclude, ParseTextHasNoFiles) {
  EXPECT_EQ(OneError("includefile extra.conf\n"),
            "ntp.conf:1:13: expected a readable file after 'includefile', got 'extra.conf' (No such file or "
            "directory)");
}

// NaN, infinities and numbers beyond double or the directive's range are errors naming the place
// (never a silent 0 or a clamp).
TEST(ParseErrors, NonFiniteAndOutOfRangeNumbersAreErrors) {
  const std::vector<std::string> values = {"nan", "-nan", "NaN", "inf", "-inf", "infinity", "1e400", "-1e400", "1e300"};
  const std::vector<std::string> lines = {"tinker panic {}",
                                          "tinker step {}",
                                          "tinker stepout {}",
                                          "tos mindist {}",
                                          "tos maxdist {}",
                                          "tos orphanwait {}",
                                          "tos orphan {}",
                                          "tos minsane {}",
                                          "server 192.0.2.1 minpoll {}",
                                          "server 192.0.2.1 key {}",
                                          "fudge 127.127.1.0 time1 {}",
                                          "fudge 127.127.1.0 stratum {}",
                                          "clock virtual offset {}",
                                          "clock virtual freq {}",
                                          "makestep {} 3",
                                          "makestep 1 {}",
                                          "leapsmearinterval {}",
                                          "local stratum {}",
                                          "discard average {}",
                                          "trustedkey {}",
                                          "controlkey {}"};
  for (const std::string& form : lines) {
    for (const std::string& v : values) {
      std::string text = form;
      text.replace(text.find("{}"), 2, v);
      const auto errors = MustFail(text);
      ASSERT_FALSE(errors.empty()) << text;
      EXPECT_TRUE(errors.front().starts_with("ntp.conf:1:")) << text << " -> " << errors.front();
      EXPECT_NE(errors.front().find("got '" + v + "'"), std::string::npos) << text << " -> " << errors.front();
    }
  }
}

// A hostile token is quoted cut and escaped, not echoed whole (a line may hold 4096 bytes).
TEST(ParseErrors, LongTokensAreCutInMessages) {
  const std::string word(4000, 'x');
  EXPECT_EQ(OneError("server 192.0.2.1 minpoll " + word),
            "ntp.conf:1:26: expected poll exponent 3..17 after 'minpoll', got '" + std::string(80, 'x') + "...'");
}

}  // namespace
}  // namespace tempus::config

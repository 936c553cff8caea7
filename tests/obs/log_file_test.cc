// LogFile: a logfile that cannot be written sends its lines to the fallback with one notice, and
// takes them back with one notice when it works again. The file's failures are injected (a
// writer that fails while `full` is set), plus one real /dev/full.
#include "obs/log_file.h"

#include <cerrno>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tempus::obs {
namespace {

struct Sinks {
  bool full = false;
  std::vector<std::string> file;      // lines the file took
  std::vector<std::string> fallback;  // messages sent to the fallback

  LogFile Make() {
    return LogFile([](std::string_view m) { return "T " + std::string(m) + "\n"; },
                   [this](std::string_view m) { fallback.emplace_back(m); }, "stderr",
                   [this](int, std::string_view bytes) {
                     if (full) return ENOSPC;
                     file.emplace_back(bytes);
                     return 0;
                   });
  }
};

TEST(LogFile, WritesToTheFileWhileItWorks) {
  Sinks s;
  LogFile log = s.Make();
  ASSERT_TRUE(log.Open("/dev/null").has_value());
  log.Log("one");
  log.Log("two");
  EXPECT_EQ(s.file, (std::vector<std::string>{"T one\n", "T two\n"}));
  EXPECT_TRUE(s.fallback.empty());
}

TEST(LogFile, AFullDiskSendsLinesToTheFallbackWithOneNoticeEachWay) {
  Sinks s;
  LogFile log = s.Make();
  ASSERT_TRUE(log.Open("/dev/null").has_value());
  log.Log("before");
  s.full = true;
  log.Log("lost 1");
  log.Log("lost 2");
  log.Log("lost 3");
  EXPECT_TRUE(log.failing());
  s.full = false;
  log.Log("after");
  log.Log("after 2");
  EXPECT_FALSE(log.failing());
  EXPECT_EQ(s.fallback, (std::vector<std::string>{
                            "logfile /dev/null: cannot write (No space left on device); logging to stderr until it "
                            "works again",
                            "lost 1", "lost 2", "lost 3",
                            "logfile /dev/null: writable again; 3 line(s) went to stderr meanwhile"}));
  EXPECT_EQ(s.file,
            (std::vector<std::string>{"T before\n",
                                      "T logfile /dev/null: writable again; 3 line(s) went to stderr meanwhile\n",
                                      "T after\n", "T after 2\n"}));
}

TEST(LogFile, FailsAgainAfterRecoveringAndSaysSoAgain) {
  Sinks s;
  LogFile log = s.Make();
  ASSERT_TRUE(log.Open("/dev/null").has_value());
  for (int round = 0; round < 2; ++round) {
    s.full = true;
    log.Log("x");
    s.full = false;
    log.Log("y");
  }
  ASSERT_EQ(s.fallback.size(), 6u);  // per round: the notice, "x", the recovery notice
  EXPECT_EQ(s.fallback[3].rfind("logfile /dev/null: cannot write", 0), 0u);
  EXPECT_EQ(s.fallback[5], "logfile /dev/null: writable again; 1 line(s) went to stderr meanwhile");
}

TEST(LogFile, DevFullGoesToTheFallback) {
  std::vector<std::string> fallback;
  LogFile log([](std::string_view m) { return std::string(m) + "\n"; },
              [&](std::string_view m) { fallback.emplace_back(m); }, "syslog");
  ASSERT_TRUE(log.Open("/dev/full").has_value());
  log.Log("a line");
  log.Log("another");
  EXPECT_EQ(fallback, (std::vector<std::string>{
                          "logfile /dev/full: cannot write (No space left on device); logging to syslog until it works "
                          "again",
                          "a line", "another"}));
}

TEST(LogFile, AFileThatCannotBeOpenedKeepsTheOldOne) {
  Sinks s;
  LogFile log = s.Make();
  ASSERT_TRUE(log.Open("/dev/null").has_value());
  auto bad = log.Open("/nonexistent/dir/tempusd.log");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "logfile /nonexistent/dir/tempusd.log: No such file or directory");
  log.Log("still here");
  EXPECT_EQ(s.file, (std::vector<std::string>{"T still here\n"}));
}

}  // namespace
}  // namespace tempus::obs

#include "ntp_load/proc_stats.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace tempus::bench {
namespace {

TEST(ProcStats, ParsesSchedstat) {
  auto s = ParseSchedstat("123456789 2000 42\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->run_ns, 123456789u);
  EXPECT_EQ(s->wait_ns, 2000u);
  EXPECT_FALSE(ParseSchedstat("garbage"));
  EXPECT_FALSE(ParseSchedstat("12"));
}

TEST(ProcStats, ParsesUtimePlusStimeAfterACommandWithParentheses) {
  // Fields 14 and 15 (utime 700, stime 55); the command name holds ") (" and spaces.
  const char* line = "4242 (evil) (name x) S 1 4242 4242 0 -1 4194560 100 0 0 0 700 55 0 0 20 0 1 0 99 0 0\n";
  EXPECT_EQ(ParseStatTicks(line), std::optional<uint64_t>(755));
  EXPECT_FALSE(ParseStatTicks("4242 (short) S 1 2"));
  EXPECT_FALSE(ParseStatTicks("no parenthesis"));
}

TEST(ProcStats, ParsesMemoryFromStatus) {
  const char* status = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    7300 kB\nVmRSS:\t    7168 kB\nThreads:\t2\n";
  EXPECT_EQ(ParseStatusKb(status, "VmRSS"), std::optional<uint64_t>(7168));
  EXPECT_EQ(ParseStatusKb(status, "VmHWM"), std::optional<uint64_t>(7300));
  EXPECT_EQ(ParseStatusKb(status, "VmSwap"), std::nullopt);
  EXPECT_EQ(ParseStatusKb("VmRSSX:\t1 kB\n", "VmRSS"), std::nullopt);
}

TEST(ProcStats, ReadsItsOwnProcess) {
  auto s = ReadProcSample(static_cast<int>(::getpid()));
  ASSERT_TRUE(s);
  EXPECT_GT(s->run_ns, 0u);
  EXPECT_GT(s->ticks_per_s, 0u);
  EXPECT_GT(s->rss_kb, 0u);
  EXPECT_GE(s->peak_rss_kb, s->rss_kb);
  EXPECT_FALSE(ReadProcSample(0x3fffffff));  // above pid_max: no such process
}

TEST(ProcStats, SumsTheDropsOfTheSocketsOnOneAddressAndPort) {
  const char* table =
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
      "  100: 0100007F:007B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 7\n"
      "  101: 0100007F:007B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2 2 0000000000000000 5 \n"
      "  102: 00000000:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 9\n";
  EXPECT_EQ(ParseUdpDrops(table, htonl(0x7f000001), 123), std::optional<uint64_t>(12));
  EXPECT_EQ(ParseUdpDrops(table, htonl(0), 40000), std::optional<uint64_t>(9));
  EXPECT_EQ(ParseUdpDrops(table, htonl(0x7f000002), 123), std::nullopt);
}

TEST(ProcStats, SumsTheReceiveQueuesOfTheSocketsOnOneAddressAndPort) {
  const char* table =
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
      "  100: 0100007F:007B 00000000:0000 07 00000000:00040100 00:00000000 00000000     0        0 1 2 0000000000000000 7\n"
      "  101: 0100007F:007B 00000000:0000 07 00000010:00000300 00:00000000 00000000     0        0 2 2 0000000000000000 5\n"
      "  102: 00000000:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 9\n";
  EXPECT_EQ(ParseUdpRxQueue(table, htonl(0x7f000001), 123), std::optional<uint64_t>(0x40100 + 0x300));
  EXPECT_EQ(ParseUdpRxQueue(table, htonl(0), 40000), std::optional<uint64_t>(0));
  EXPECT_EQ(ParseUdpRxQueue(table, htonl(0x7f000002), 123), std::nullopt);
  EXPECT_EQ(ParseUdpRxQueue("  100: 0100007F:007B 00000000:0000 07 garbage\n", htonl(0x7f000001), 123), std::nullopt);
}

}  // namespace
}  // namespace tempus::bench

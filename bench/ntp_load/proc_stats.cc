#include "ntp_load/proc_stats.h"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>

#include "config/file_system.h"

namespace tempus::bench {
namespace {

// Parses the unsigned decimal number at `text[*pos]` after any spaces; advances *pos past it.
std::optional<uint64_t> NextNumber(std::string_view text, size_t* pos) {
  while (*pos < text.size() && text[*pos] == ' ') ++*pos;
  uint64_t v = 0;
  const char* begin = text.data() + *pos;
  auto [p, ec] = std::from_chars(begin, text.data() + text.size(), v);
  if (ec != std::errc() || p == begin) return std::nullopt;
  *pos = static_cast<size_t>(p - text.data());
  return v;
}

// The line of `text` that starts at *start, without its newline; moves *start to the next one.
std::string_view NextLine(std::string_view text, size_t* start) {
  size_t end = text.find('\n', *start);
  if (end == std::string_view::npos) end = text.size();
  const std::string_view line = text.substr(*start, end - *start);
  *start = end + 1;
  return line;
}

// Sums what `field` finds in each line of a /proc/net/udp table whose local address is
// address_be:port (the kernel prints it as the %08X of its network-order 32-bit value read
// natively); `field` gets the line and the position just past that address. Nothing when no line
// matched or none gave a value.
template <typename Field>
std::optional<uint64_t> SumOverSocket(std::string_view table, uint32_t address_be, uint16_t port, Field field) {
  uint32_t native = 0;
  std::memcpy(&native, &address_be, sizeof native);
  char key[16];
  std::snprintf(key, sizeof key, "%08X:%04X", native, static_cast<unsigned>(port));
  const size_t key_size = std::strlen(key);
  std::optional<uint64_t> total;
  size_t start = 0;
  while (start < table.size()) {
    const std::string_view line = NextLine(table, &start);
    // "  sl: local_address rem_address st tx_queue:rx_queue tr:when retrnsmt uid timeout inode ref pointer drops"
    const size_t colon = line.find(": ");
    if (colon == std::string_view::npos || line.compare(colon + 2, key_size, key) != 0) continue;
    if (auto value = field(line, colon + 2 + key_size)) total = total.value_or(0) + *value;
  }
  return total;
}

}  // namespace

std::optional<ProcSample> ParseSchedstat(std::string_view text) {
  size_t pos = 0;
  auto run = NextNumber(text, &pos);
  auto wait = NextNumber(text, &pos);
  if (!run || !wait) return std::nullopt;
  ProcSample s;
  s.run_ns = *run;
  s.wait_ns = *wait;
  return s;
}

std::optional<uint64_t> ParseStatTicks(std::string_view text) {
  // "PID (COMM) STATE PPID ..." where COMM may itself contain ") ": fields count from the last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  size_t pos = close + 1;
  // Field 3 (state) is a letter; fields 4..13 are numbers; 14 is utime and 15 stime.
  while (pos < text.size() && text[pos] == ' ') ++pos;
  if (pos >= text.size()) return std::nullopt;
  ++pos;  // the state letter
  for (int field = 4; field <= 13; ++field) {
    // Some of these (e.g. tty_nr) are printed as signed numbers; skip the sign.
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos < text.size() && text[pos] == '-') ++pos;
    if (!NextNumber(text, &pos)) return std::nullopt;
  }
  auto utime = NextNumber(text, &pos);
  auto stime = NextNumber(text, &pos);
  if (!utime || !stime) return std::nullopt;
  return *utime + *stime;
}

std::optional<uint64_t> ParseStatusKb(std::string_view status, std::string_view key) {
  size_t start = 0;
  while (start < status.size()) {
    const std::string_view line = NextLine(status, &start);
    // "VmRSS:\t    7168 kB"
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      size_t pos = key.size() + 1;
      while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
      return NextNumber(line, &pos);
    }
  }
  return std::nullopt;
}

std::optional<ProcSample> ReadProcSample(int pid) {
  config::RealFileSystem fs;
  const std::string dir = "/proc/" + std::to_string(pid);
  auto stat = fs.ReadFile(dir + "/stat");
  if (!stat) return std::nullopt;
  auto ticks = ParseStatTicks(*stat);
  auto tasks = fs.ListDirectory(dir + "/task");
  if (!ticks || !tasks) return std::nullopt;
  ProcSample total;
  total.stat_ticks = *ticks;
  if (auto status = fs.ReadFile(dir + "/status")) {
    total.rss_kb = ParseStatusKb(*status, "VmRSS").value_or(0);
    total.peak_rss_kb = ParseStatusKb(*status, "VmHWM").value_or(0);
  }
  const long hz = ::sysconf(_SC_CLK_TCK);
  total.ticks_per_s = hz > 0 ? static_cast<uint64_t>(hz) : 100;
  for (const std::string& tid : *tasks) {
    auto line = fs.ReadFile(dir + "/task/" + tid + "/schedstat");
    if (!line) continue;  // the thread exited between the listing and the read
    if (auto s = ParseSchedstat(*line)) {
      total.run_ns += s->run_ns;
      total.wait_ns += s->wait_ns;
    }
  }
  return total;
}

std::optional<uint64_t> ParseUdpDrops(std::string_view table, uint32_t address_be, uint16_t port) {
  return SumOverSocket(table, address_be, port, [](std::string_view line, size_t) -> std::optional<uint64_t> {
    const size_t last_space = line.find_last_of(' ', line.find_last_not_of(' '));  // drops: the last field
    if (last_space == std::string_view::npos) return std::nullopt;
    size_t pos = last_space + 1;
    return NextNumber(line, &pos);
  });
}

std::optional<uint64_t> ReadUdpDrops(uint32_t address_be, uint16_t port) {
  config::RealFileSystem fs;
  auto table = fs.ReadFile("/proc/net/udp");
  if (!table) return std::nullopt;
  return ParseUdpDrops(*table, address_be, port);
}

std::optional<uint64_t> ParseUdpRxQueue(std::string_view table, uint32_t address_be, uint16_t port) {
  return SumOverSocket(table, address_be, port, [](std::string_view line, size_t pos) -> std::optional<uint64_t> {
    for (int field = 0; field < 2; ++field) {  // rem_address, st
      while (pos < line.size() && line[pos] == ' ') ++pos;
      while (pos < line.size() && line[pos] != ' ') ++pos;
    }
    const size_t queues = line.find(':', pos);  // tx_queue:rx_queue, in hexadecimal
    if (queues == std::string_view::npos) return std::nullopt;
    uint64_t rx = 0;
    const char* begin = line.data() + queues + 1;
    auto [p, ec] = std::from_chars(begin, line.data() + line.size(), rx, 16);
    if (ec != std::errc() || p == begin) return std::nullopt;
    return rx;
  });
}

std::optional<uint64_t> ReadUdpRxQueue(uint32_t address_be, uint16_t port) {
  config::RealFileSystem fs;
  auto table = fs.ReadFile("/proc/net/udp");
  if (!table) return std::nullopt;
  return ParseUdpRxQueue(*table, address_be, port);
}

}  // namespace tempus::bench

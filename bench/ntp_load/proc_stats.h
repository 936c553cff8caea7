// What the load generator reads from /proc: the CPU time and memory the server has used so far,
// for "CPU per response", and the datagrams the kernel dropped on full UDP receive queues.
//
// Two readings that should agree: the scheduler's nanosecond run time summed over every live
// thread (/proc/PID/task/TID/schedstat, first field; its second field is time spent waiting for a
// CPU, which shows another program competing for the server's core), and utime + stime of the
// whole process in clock ticks (/proc/PID/stat, fields 14 and 15), which also counts threads that
// have exited. Both include the kernel work done in the process's context (for loopback UDP that
// is most of the network stack). Memory: VmRSS and VmHWM (peak) of /proc/PID/status.
// Drops: the last column of /proc/net/udp, per socket, for the sockets bound to one local
// address and port (several with SO_REUSEPORT). A server's drops are requests its receive queue
// had no room for; the generator's are replies lost by the generator itself, which would make
// its loss figure wrong. Pure parsing functions plus readers; thread-compatible.
#ifndef TEMPUS_BENCH_NTP_LOAD_PROC_STATS_H_
#define TEMPUS_BENCH_NTP_LOAD_PROC_STATS_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace tempus::bench {

struct ProcSample {
  uint64_t run_ns = 0;      // schedstat: on a CPU, all live threads
  uint64_t wait_ns = 0;     // schedstat: runnable but waiting for a CPU, all live threads
  uint64_t stat_ticks = 0;  // utime + stime, whole process
  uint64_t ticks_per_s = 100;
  uint64_t rss_kb = 0;       // resident memory now
  uint64_t peak_rss_kb = 0;  // and at its highest
};

// The first two numbers of a schedstat line ("run_ns wait_ns timeslices").
std::optional<ProcSample> ParseSchedstat(std::string_view text);
// utime + stime from a /proc/PID/stat line; the command name (field 2) may hold spaces and ')'.
std::optional<uint64_t> ParseStatTicks(std::string_view text);

// The value in kB of `key` ("VmRSS") in a /proc/PID/status text; nullopt when absent.
std::optional<uint64_t> ParseStatusKb(std::string_view status, std::string_view key);

// Reads all of it for `pid`; nullopt once the process is gone or unreadable.
std::optional<ProcSample> ReadProcSample(int pid);

// The drops of the IPv4 UDP sockets bound to `address_be` (network byte order; 0 for the
// wildcard) and `port` in a /proc/net/udp text, summed; nullopt when no such socket is listed.
std::optional<uint64_t> ParseUdpDrops(std::string_view table, uint32_t address_be, uint16_t port);
// The same, read from this network namespace's /proc/net/udp.
std::optional<uint64_t> ReadUdpDrops(uint32_t address_be, uint16_t port);
// The bytes waiting in the receive queues of those sockets (the rx_queue column: the kernel's
// sk_rmem_alloc, each datagram charged its buffer's true size), summed; nullopt when none is
// listed.
std::optional<uint64_t> ParseUdpRxQueue(std::string_view table, uint32_t address_be, uint16_t port);
std::optional<uint64_t> ReadUdpRxQueue(uint32_t address_be, uint16_t port);

}  // namespace tempus::bench

#endif  // TEMPUS_BENCH_NTP_LOAD_PROC_STATS_H_

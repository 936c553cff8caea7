// tempusd: the NTP daemon. main() only turns flags into options and wires the edge (clock,
// sockets, poll loop) to the engine; the logic lives in src/.
#include <poll.h>
#include <signal.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "clock/make_clock.h"
#include "engine/server_path.h"
#include "io/poll_loop.h"
#include "io/resolver.h"
#include "io/udp_socket.h"

namespace tempus::daemon {
namespace {

struct Flags {
  std::string clock = "observe";
  double virtual_offset_s = 0.0;
  double virtual_freq_ppm = 0.0;
  std::vector<std::string> listen;
  int stratum = 0;  // 0: no local reference
  double duration_s = 0.0;
};

// The snapshot of a daemon that serves its own clock as a reference at `stratum` (like chrony's
// `local stratum N` or ntpd's LOCAL driver, refid 127.127.1.1).
core::SystemSnapshot LocalReference(int stratum, engine::Clock& clock) {
  core::SystemSnapshot s;
  s.leap = core::Leap::kNoWarning;
  s.stratum = static_cast<uint8_t>(stratum);
  s.precision = static_cast<int8_t>(clock.PrecisionLog2());
  s.refid = core::RefId::FromRaw(0x7f7f0101);
  s.reference_time = clock.Now().ToNtp();
  return s;
}

int Run(const Flags& flags) {
  clock::ClockOptions clock_options;
  clock_options.virtual_clock.initial_offset = core::NtpDuration::FromSeconds(flags.virtual_offset_s);
  clock_options.virtual_clock.freq_error_ppm = flags.virtual_freq_ppm;
  auto clock = clock::MakeClock(flags.clock, clock_options);
  if (!clock) {
    fmt::print(stderr, "tempusd: {}\n", clock.error());
    return 1;
  }
  engine::ServerPath server(**clock);
  if (flags.stratum > 0) server.Publish(LocalReference(flags.stratum, **clock));

  io::Resolver resolver;
  std::vector<io::UdpSocket> sockets;
  const std::vector<std::string> listen =
      flags.listen.empty() ? std::vector<std::string>{"0.0.0.0:123"} : flags.listen;
  for (const auto& l : listen) {
    auto addresses = resolver.Resolve(l, 123);
    if (!addresses || addresses->empty()) {
      fmt::print(stderr, "tempusd: --listen {}: {}\n", l, addresses ? "no address" : addresses.error());
      return 1;
    }
    auto socket = io::UdpSocket::Open(addresses->front());
    if (!socket) {
      fmt::print(stderr, "tempusd: cannot listen on {}: {}\n", l, socket.error().ToString());
      return 1;
    }
    sockets.push_back(std::move(*socket));
  }

  io::PollLoop loop;
  std::array<uint8_t, 2048> buffer{};
  for (auto& socket : sockets) {
    loop.Watch(socket.fd(), POLLIN, [&](short) {
      for (int i = 0; i < 64; ++i) {  // bounded: let timers and other sockets run
        auto got = socket.Receive(buffer);
        if (!got || !got->has_value()) return;
        const io::Datagram& dg = **got;
        if (dg.truncated) continue;
        auto reply = server.Handle(std::span(buffer).first(dg.size), dg.rx_realtime);
        if (reply) (void)socket.SendTo(*reply, dg.from, dg.local);
      }
    });
  }
  // A local reference keeps its reference time fresh, as chrony's `local` does.
  std::function<void()> refresh = [&] {
    if (flags.stratum > 0) server.Publish(LocalReference(flags.stratum, **clock));
    loop.AddTimer(loop.Now() + core::NtpDuration::FromSeconds(16), refresh);
  };
  refresh();
  auto signals = loop.HandleSignals({SIGINT, SIGTERM, SIGHUP}, [&](int sig) {
    if (sig == SIGHUP) {
      fmt::print(stderr, "tempusd: SIGHUP: nothing to reload (no configuration file)\n");
      return;
    }
    loop.Stop();
  });
  if (!signals) {
    fmt::print(stderr, "tempusd: {}\n", signals.error().ToString());
    return 1;
  }

  std::string where;
  for (const auto& s : sockets) where += (where.empty() ? "" : ", ") + s.local_address().ToStringWithPort();
  fmt::print(stderr, "tempusd: serving on {} (clock {}{}), {}\n", where, (*clock)->Kind(),
             flags.clock == "virtual" ? fmt::format(", virtual offset {:+.6f} s", flags.virtual_offset_s) : "",
             flags.stratum > 0 ? fmt::format("local reference at stratum {}", flags.stratum)
                               : std::string("unsynchronized"));
  std::optional<core::MonoTime> until;
  if (flags.duration_s > 0) until = loop.Now() + core::NtpDuration::FromSeconds(flags.duration_s);
  if (auto r = loop.Run(until); !r) {
    fmt::print(stderr, "tempusd: {}\n", r.error().ToString());
    return 1;
  }
  const auto& st = server.stats();
  fmt::print(stderr, "tempusd: exiting: {} requests, {} replies, {} dropped\n", st.received, st.replied,
             st.TotalDropped());
  return 0;
}

}  // namespace
}  // namespace tempus::daemon

int main(int argc, char** argv) {
  tempus::daemon::Flags flags;
  CLI::App app{"tempusd: NTP daemon (RFC 5905) for server clusters"};
  app.add_option("--clock", flags.clock,
                 "observe (read the system clock, never change it), virtual (software clock for tests and "
                 "demos) or system (steer the system clock; needs CAP_SYS_TIME)")
      ->check(CLI::IsMember({"observe", "virtual", "system"}))
      ->capture_default_str();
  app.add_option("--virtual-offset", flags.virtual_offset_s, "Virtual clock: initial offset from real time, s");
  app.add_option("--virtual-freq", flags.virtual_freq_ppm, "Virtual clock: frequency error, ppm")
      ->check(CLI::Range(-100000.0, 100000.0));
  app.add_option("--listen", flags.listen, "ADDRESS[:PORT] to serve on (repeatable; default 0.0.0.0:123)");
  app.add_option("--stratum", flags.stratum, "Serve the local clock as a reference at this stratum (1..15)")
      ->check(CLI::Range(1, 15));
  app.add_option("--duration", flags.duration_s, "Exit after this many seconds (0: run until SIGTERM)")
      ->check(CLI::Range(0.0, 1e9));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tempusd: %s\n", e.what());
    return 1;
  }
  return tempus::daemon::Run(flags);
}

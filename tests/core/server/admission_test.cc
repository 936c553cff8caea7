// The server gate: each restrict flag's effect on each kind of packet, then the rate limit.
#include "core/server/admission.h"

#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"

namespace tempus::core::server {
namespace {

constexpr uint32_t F(Restrict f) { return static_cast<uint32_t>(f); }
using Action = Admission::Action;

std::vector<uint8_t> Packet(Mode mode, uint8_t version) {
  std::vector<uint8_t> p(kHeaderSize, 0);
  p[0] = static_cast<uint8_t>((version << 3) | static_cast<uint8_t>(mode));
  return p;
}

struct FlagCase {
  const char* name;
  uint32_t flags;
  Mode mode;
  uint8_t version;
  Action want;
  DropReason reason;
};

TEST(Admit, EachFlag) {
  const std::vector<FlagCase> cases = {
      {"no flags: client served", 0, Mode::kClient, 4, Action::kServe, {}},
      {"ignore drops a client", F(Restrict::kIgnore), Mode::kClient, 4, Action::kDrop, DropReason::kRestricted},
      {"ignore drops mode 6 too", F(Restrict::kIgnore), Mode::kControl, 2, Action::kDrop, DropReason::kRestricted},
      {"noserve drops a client", F(Restrict::kNoServe), Mode::kClient, 4, Action::kDrop, DropReason::kRestricted},
      {"noserve drops an NTPv1 request", F(Restrict::kNoServe), Mode::kReserved, 1, Action::kDrop,
       DropReason::kRestricted},
      {"noserve leaves mode 6 to the control handler", F(Restrict::kNoServe), Mode::kControl, 2, Action::kDrop,
       DropReason::kControlMode},
      {"noquery does not stop time service", F(Restrict::kNoQuery), Mode::kClient, 4, Action::kServe, {}},
      {"nomodify does not stop time service", F(Restrict::kNoModify), Mode::kClient, 4, Action::kServe, {}},
      {"notrap does not stop time service", F(Restrict::kNoTrap), Mode::kClient, 4, Action::kServe, {}},
      {"nopeer drops symmetric active", F(Restrict::kNoPeer), Mode::kSymmetricActive, 4, Action::kDrop,
       DropReason::kRestricted},
      {"nopeer drops symmetric passive", F(Restrict::kNoPeer), Mode::kSymmetricPassive, 4, Action::kDrop,
       DropReason::kRestricted},
      {"nopeer serves clients", F(Restrict::kNoPeer), Mode::kClient, 4, Action::kServe, {}},
      {"notrust drops the unauthenticated", F(Restrict::kNoTrust), Mode::kClient, 4, Action::kDrop,
       DropReason::kNotAuthenticated},
      {"version drops NTPv3", F(Restrict::kVersion), Mode::kClient, 3, Action::kDrop, DropReason::kRestricted},
      {"version serves NTPv4", F(Restrict::kVersion), Mode::kClient, 4, Action::kServe, {}},
      {"limited: first packet served", F(Restrict::kLimited), Mode::kClient, 4, Action::kServe, {}},
      {"kod alone limits nothing", F(Restrict::kKod), Mode::kClient, 4, Action::kServe, {}},
  };
  for (const auto& c : cases) {
    RateLimiter limiter;
    const auto a = Admit(Packet(c.mode, c.version), AccessFlags{c.flags}, false, limiter,
                         NetAddress::IPv4(0xc0000201), MonoTime());
    EXPECT_EQ(a.action, c.want) << c.name;
    if (c.want == Action::kDrop) {
      EXPECT_EQ(a.reason, c.reason) << c.name;
    }
  }
}

TEST(Admit, NotrustServesTheAuthenticated) {
  RateLimiter limiter;
  EXPECT_EQ(Admit(Packet(Mode::kClient, 4), AccessFlags{F(Restrict::kNoTrust)}, true, limiter, NetAddress::IPv4(1),
                  MonoTime())
                .action,
            Action::kServe);
}

TEST(Admit, EmptyDatagramIsTooShort) {
  RateLimiter limiter;
  EXPECT_EQ(Admit({}, AccessFlags{}, false, limiter, NetAddress::IPv4(1), MonoTime()).reason, DropReason::kTooShort);
}

// A flood from one source: with `limited` it is dropped; with `limited kod` one RATE KoD goes out,
// then none until 2^average s have passed.
TEST(Admit, LimitedFloodDroppedAndKodThrottled) {
  for (const bool kod : {false, true}) {
    RateLimiter limiter;  // ntpd defaults: average 3 (8 s), minimum 2 s
    const uint32_t flags = F(Restrict::kLimited) | (kod ? F(Restrict::kKod) : 0);
    const auto src = NetAddress::IPv4(0x0a000001);
    int served = 0, limited = 0, kods = 0;
    MonoTime t;
    for (int i = 0; i < 1000; ++i, t += NtpDuration::FromMillis(1)) {  // 1000 packets in 1 s
      const auto a = Admit(Packet(Mode::kClient, 4), AccessFlags{flags}, false, limiter, src, t);
      if (a.action == Action::kServe) ++served;
      if (a.action == Action::kDrop && a.reason == DropReason::kRateLimited) ++limited;
      if (a.action == Action::kKissOfDeath) ++kods;
    }
    EXPECT_EQ(served, 1) << kod;
    EXPECT_EQ(kods, kod ? 1 : 0);
    EXPECT_EQ(limited, 999 - kods);
  }
}

}  // namespace
}  // namespace tempus::core::server

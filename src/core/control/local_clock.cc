#include "core/control/local_clock.h"

#include <algorithm>

namespace tempus::core::control {

using assoc::AssociationSnapshot;

namespace {

constexpr int kPoll = 6;                              // ntpd's LOCAL driver polls every 64 s
constexpr uint32_t kLocalDriverAddress = 0x7f7f0100;  // 127.127.1.0

}  // namespace

report::SourceSnapshot LocalClockSnapshot(const LocalClockInput& in) {
  report::SourceSnapshot p;
  p.association_id = in.association_id;
  p.clock_name = "LOCAL(" + std::to_string(in.unit) + ")";
  AssociationSnapshot& a = p.association;
  a.config.address = NetAddress::IPv4(kLocalDriverAddress | in.unit, 123);
  a.config.mode = Mode::kClient;
  a.config.minpoll = PollExp(kPoll);
  a.config.maxpoll = PollExp(kPoll);
  a.hpoll = PollExp(kPoll);
  a.ppoll = PollExp(kPoll);
  a.poll_floor = PollExp(kPoll);
  // The driver's polls since start: one at start, then every 64 s; each one is answered.
  const NtpDuration interval = PollExp(kPoll).Interval();
  const NtpDuration up = in.now > in.start ? in.now - in.start : NtpDuration();
  const auto polls = static_cast<int64_t>(up.Seconds() / interval.Seconds());
  a.reach = static_cast<uint8_t>((1u << std::min<int64_t>(polls + 1, 8)) - 1);
  a.reachable = true;
  a.last_received = in.start + interval.Scaled(static_cast<double>(polls));
  a.stats.received = static_cast<uint64_t>(polls + 1);
  a.stats.accepted = a.stats.received;

  system::SourceView s;
  s.id = in.association_id;
  s.address_id = RefId::FromRaw(kLocalDriverAddress | in.unit);
  s.reachable = true;
  s.tally = in.system_peer ? select::Tally::kSystemPeer : select::Tally::kReject;
  s.filtered = filter::FilterOutput{};  // offset, delay, dispersion and jitter 0: it is our clock
  Header h;
  h.leap = Leap::kNoWarning;
  h.mode = Mode::kReserved;
  h.stratum = static_cast<uint8_t>(std::max(in.served_stratum - 1, 0));
  h.precision = in.precision;
  h.refid = RefId::FromCode("LOCL");
  s.last_header = h;
  p.source = s;
  return p;
}

}  // namespace tempus::core::control

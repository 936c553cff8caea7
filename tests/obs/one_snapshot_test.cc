// One route to the numbers: mode 6 (core::control::HandleControl, what ntpq reads) and the
// Prometheus text (obs::RenderPrometheus) rendered from the same core::report::NodeSnapshot, built
// here from plain values (no node, no socket, no clock), show the same stratum, leap, jitter,
// frequency, root delay, the source's offset, delay, reach and stratum, and the same counters.
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "obs/prometheus.h"
#include "tests/core/control/read_vars.h"

namespace tempus::obs {
namespace {

using core::NtpDuration;
using core::report::NodeSnapshot;
using core::server::DropReason;

NodeSnapshot MakeSnapshot() {
  NodeSnapshot v;
  v.system.leap = core::Leap::kNoWarning;
  v.system.stratum = 3;
  v.system.precision = -23;
  v.system.root_delay = NtpDuration::FromMicros(1500);
  v.system.root_dispersion = NtpDuration::FromMicros(250);
  v.discipline.offset = NtpDuration::FromMicros(-42);
  v.discipline.frequency_ppm = 12.5;
  v.system_offset = NtpDuration::FromMicros(-40);
  v.system_jitter = NtpDuration::FromMicros(7);
  v.system_peer = 4;
  core::report::SourceSnapshot p;
  p.association_id = 4;
  p.association.config.address = core::NetAddress::IPv4({192, 0, 2, 1}, 123);
  p.association.reach = 0x7f;
  p.association.reachable = true;
  p.association.hpoll = core::PollExp(6);
  p.association.stats.sent = 30;
  p.association.stats.accepted = 21;
  core::system::SourceView s;
  s.id = 4;
  s.reachable = true;
  s.tally = core::select::Tally::kSystemPeer;
  s.filtered = core::filter::FilterOutput{};
  s.filtered->offset = NtpDuration::FromMicros(-375);
  s.filtered->delay = NtpDuration::FromMicros(2250);
  s.filtered->jitter = NtpDuration::FromMicros(125);
  core::Header h;
  h.stratum = 2;
  s.last_header = h;
  p.source = s;
  v.sources.push_back(p);
  v.counters.node.received = 1000;
  v.counters.node.forward_drops = 3;
  v.counters.server.received = 900;
  v.counters.server.replied = 850;
  v.counters.server.dropped[static_cast<size_t>(DropReason::kKodSent)] = 7;
  v.counters.server.dropped[static_cast<size_t>(DropReason::kRateLimited)] = 11;
  v.counters.control.requests = 5;
  v.counters.control.dropped[static_cast<size_t>(core::report::ControlDrop::kClientRate)] = 2;
  return v;
}

// name{labels} -> value of every sample.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double Number(const std::map<std::string, std::string>& vars, const std::string& name) {
  auto it = vars.find(name);
  EXPECT_NE(it, vars.end()) << name;
  return it == vars.end() ? NAN : std::stod(it->second);
}

// Both renderings of one snapshot: mode 6's `names` of `association` (0: the system), and every
// Prometheus sample.
struct Both {
  std::map<std::string, std::string> mode6;
  std::map<std::string, double> prometheus;
};
Both Render(uint16_t association, std::string_view names) {
  const NodeSnapshot v = MakeSnapshot();
  return {core::control::ReadVars(v, association, names), Samples(RenderPrometheus(v, "test"))};
}

TEST(OneSnapshot, ModeSixAndPrometheusShowTheSameSystem) {
  const auto [sys, m] = Render(0, "leap,stratum,rootdelay,sys_jitter,frequency,peer");
  EXPECT_EQ(Number(sys, "stratum"), m.at("tempus_system_stratum"));
  EXPECT_EQ(Number(sys, "leap"), m.at("tempus_system_leap"));
  EXPECT_NEAR(Number(sys, "rootdelay") / 1e3, m.at("tempus_system_root_delay_seconds"), 1e-9);
  EXPECT_NEAR(Number(sys, "sys_jitter") / 1e3, m.at("tempus_system_jitter_seconds"), 1e-9);
  EXPECT_NEAR(Number(sys, "frequency") * 1e-6, m.at("tempus_system_frequency_ratio"), 1e-12);
  // The system peer (rv peer=4) is the source Prometheus marks system_peer.
  EXPECT_EQ(Number(sys, "peer"), 4);
  EXPECT_EQ(m.at("tempus_source_selection{source=\"192.0.2.1:123\",state=\"system_peer\"}"), 1);
}

TEST(OneSnapshot, ModeSixAndPrometheusShowTheSameSource) {
  const auto [peer, m] = Render(4, "offset,delay,jitter,stratum,reach");
  const std::string source = "{source=\"192.0.2.1:123\"}";
  EXPECT_NEAR(Number(peer, "offset") / 1e3, m.at("tempus_source_offset_seconds" + source), 1e-9);
  EXPECT_NEAR(Number(peer, "delay") / 1e3, m.at("tempus_source_delay_seconds" + source), 1e-9);
  EXPECT_NEAR(Number(peer, "jitter") / 1e3, m.at("tempus_source_jitter_seconds" + source), 1e-9);
  EXPECT_EQ(Number(peer, "stratum"), m.at("tempus_source_stratum" + source));
  EXPECT_EQ(std::stoi(peer.at("reach"), nullptr, 16), m.at("tempus_source_reach" + source));  // mode 6: hex
}

// sysstats folds the same counters Prometheus shows by reason (counters.h SysStats).
TEST(OneSnapshot, ModeSixAndPrometheusCountTheSame) {
  const auto [ss, m] = Render(0, "ss_numctlreq,ss_kodsent,ss_limited,ss_processed");
  EXPECT_EQ(Number(ss, "ss_numctlreq"), m.at("tempus_control_requests_total"));
  EXPECT_EQ(Number(ss, "ss_kodsent"), m.at("tempus_server_drops_total{reason=\"kod_sent\"}"));
  EXPECT_EQ(Number(ss, "ss_limited"), m.at("tempus_server_drops_total{reason=\"kod_sent\"}") +
                                          m.at("tempus_server_drops_total{reason=\"rate_limited\"}") +
                                          m.at("tempus_control_drops_total{reason=\"client_rate\"}") +
                                          m.at("tempus_control_drops_total{reason=\"global_rate\"}"));
  // What the workers dropped with their queue to the timing thread full (tempus's own ss_ name).
  const auto [fwd, m2] = Render(0, "ss_fwddrop");
  EXPECT_EQ(Number(fwd, "ss_fwddrop"), 3);
  EXPECT_EQ(m2.at("tempus_worker_forward_drops_total"), 3);
  // Requests served plus the replies the sources took.
  EXPECT_EQ(Number(ss, "ss_processed"),
            m.at("tempus_server_replies_total") + m.at("tempus_source_replies_total{source=\"192.0.2.1:123\"}"));
}

}  // namespace
}  // namespace tempus::obs

#include "core/control/control.h"
#include "core/control/local_clock.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/filter/clock_filter.h"

#include "testdata/hex.h"
#include "testdata/mode6_vectors.h"

namespace tempus::core::control {

using filter::Sample;

namespace {

using mode6::ErrorCode;
using mode6::Opcode;
using testdata::FromHex;

// A node synchronized to association 3 (127.0.0.2:123), with association 4 a candidate and
// association 5 never heard from.
report::NodeSnapshot MakeView() {
  report::NodeSnapshot v;
  v.system.leap = Leap::kNoWarning;
  v.system.stratum = 4;
  v.system.precision = -23;
  v.system.root_delay = NtpDuration::FromMicros(1500);
  v.system.root_dispersion = NtpDuration::FromMicros(250);
  v.system.refid = RefId::FromRaw(0x7f000002);
  v.system.reference_time = NtpTimestamp::FromParts(0xeeb62e9c, 0x80000000);
  v.discipline.offset = NtpDuration::FromMicros(-42);
  v.discipline.frequency_ppm = 12.5;
  v.discipline.poll = PollExp(6);
  v.system_jitter = NtpDuration::FromMicros(7);
  v.system_peer = 3;
  v.start = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(100));
  v.now = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(175));
  v.clock_now = NtpTimestamp::FromParts(0xeeb62ea0, 0);
  v.counters.node.received = 25;
  v.counters.control.requests = 3;
  for (uint16_t id : {3, 4, 5}) {
    report::SourceSnapshot p;
    p.association_id = id;
    p.association.config.address = NetAddress::IPv4({127, 0, 0, static_cast<uint8_t>(id - 1)}, 123);
    p.association.hpoll = PollExp(6);
    p.association.ppoll = PollExp(6);
    if (id != 5) {
      p.association.reach = 0xff;
      p.association.reachable = true;
      p.association.stats.received = 9;
      p.association.last_received = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(170));
      system::SourceView s;
      s.id = id;
      s.reachable = true;
      s.tally = id == 3 ? select::Tally::kSystemPeer : select::Tally::kCandidate;
      s.filtered = filter::FilterOutput{NtpDuration::FromMicros(1234),
                                        NtpDuration::FromMicros(250),
                                        NtpDuration::FromMicros(3000),
                                        NtpDuration::FromMicros(20),
                                        {}};
      Header h;
      h.mode = Mode::kServer;
      h.stratum = 3;
      h.precision = -20;
      h.refid = RefId::FromCode("GPS");
      h.root_delay = NtpShort::FromDuration(NtpDuration::FromMillis(1));
      h.transmit_time = NtpTimestamp::FromParts(0xeeb62e9b, 0);
      s.last_header = h;
      p.source = s;
    }
    v.sources.push_back(p);
  }
  return v;
}

// Sends one request and collects the reassembled answer; fails the test on an error response.
struct Answer {
  uint16_t status = 0;
  uint16_t association_id = 0;
  std::vector<uint8_t> data;
  size_t fragments = 0;
  std::optional<ErrorCode> error;
  std::map<std::string, std::string> vars;
  std::vector<std::string> order;
};

Answer Ask(const report::NodeSnapshot& v, Opcode op, uint16_t assoc, std::string_view text = {}, uint16_t seq = 11) {
  Answer a;
  auto out = HandleControl(mode6::EncodeRequest(op, seq, assoc, text), v);
  EXPECT_TRUE(out.has_value());
  if (!out) return a;
  a.fragments = out->size();
  mode6::Reassembler r(seq, op);
  for (const auto& d : *out) {
    EXPECT_EQ(d.size() % 4, 0u);
    EXPECT_LE(d.size(), mode6::kHeaderSize + mode6::kMaxFragmentData);
    auto m = mode6::Decode(d);
    EXPECT_TRUE(m.has_value());
    if (!m) return a;
    EXPECT_EQ(m->header.version, 2);
    auto s = r.Add(*m);
    if (!s) {
      a.error = r.error_code();
      return a;
    }
  }
  a.status = r.status();
  a.association_id = r.association_id();
  a.data = r.data();
  for (auto& [k, val] : mode6::ParseVariables(a.data)) {
    a.order.push_back(k);
    a.vars[k] = val;
  }
  return a;
}

TEST(Control, ReadStatListsAssociationsWithTallyAndReach) {
  const report::NodeSnapshot v = MakeView();
  const Answer a = Ask(v, Opcode::kReadStatus, 0);
  ASSERT_FALSE(a.error);
  auto list = mode6::ParseStatusList(a.data);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].association_id, 3);
  // 3: conf + reach, sys.peer, 1 event sys_peer.
  EXPECT_EQ((*list)[0].status, 0x961a);
  EXPECT_EQ(mode6::TallyChar(mode6::PeerSelect((*list)[0].status)), '*');
  // 4: conf + reach, candidate, 1 event reachable.
  EXPECT_EQ((*list)[1].status, 0x9414);
  EXPECT_EQ(mode6::TallyChar(mode6::PeerSelect((*list)[1].status)), '+');
  // 5: conf only, reject, 1 event mobilize.
  EXPECT_EQ((*list)[2].status, 0x8011);
  // System status: leap 0, source NTP, 1 event clock_sync.
  EXPECT_EQ(a.status, 0x0615);
}

TEST(Control, EveryTallyMapsToNtpqsCharacter) {
  report::NodeSnapshot v = MakeView();
  v.system_peer.reset();
  const std::map<select::Tally, char> want = {{select::Tally::kReject, ' '},     {select::Tally::kFalseticker, 'x'},
                                              {select::Tally::kExcess, '.'},     {select::Tally::kOutlier, '-'},
                                              {select::Tally::kCandidate, '+'},  {select::Tally::kBackup, '#'},
                                              {select::Tally::kSystemPeer, '*'}, {select::Tally::kPpsPeer, 'o'}};
  for (const auto& [tally, c] : want) {
    v.sources[0].source->tally = tally;
    EXPECT_EQ(mode6::TallyChar(mode6::PeerSelect(PeerStatusWord(v.sources[0], false))), c);
    EXPECT_EQ(static_cast<char>(tally), c);
  }
}

TEST(Control, SystemDefaultVariablesInNtpqUnits) {
  const Answer a = Ask(MakeView(), Opcode::kReadVariables, 0);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.fragments, 1u);
  EXPECT_EQ(a.order.front(), "leap");
  EXPECT_EQ(a.vars.at("leap"), "0");
  EXPECT_EQ(a.vars.at("stratum"), "4");
  EXPECT_EQ(a.vars.at("precision"), "-23");
  EXPECT_EQ(a.vars.at("rootdelay"), "1.500");
  EXPECT_EQ(a.vars.at("refid"), "127.0.0.2");
  EXPECT_EQ(a.vars.at("reftime"), "0xeeb62e9c.80000000");
  EXPECT_EQ(a.vars.at("tc"), "6");
  EXPECT_EQ(a.vars.at("peer"), "3");
  EXPECT_EQ(a.vars.at("offset"), "-0.042000");
  EXPECT_EQ(a.vars.at("frequency"), "12.500000");
  EXPECT_EQ(a.vars.at("sys_jitter"), "0.007000");
  EXPECT_EQ(a.vars.at("clock"), "0xeeb62ea0.00000000");
  EXPECT_EQ(a.vars.at("version"), "tempusd");
  EXPECT_EQ(a.vars.count("processor"), 0u);  // not set: omitted
  // rootdisp grows at 15 ppm from reftime (3.5 s before clock): 0.250 + 0.0525 ms.
  EXPECT_EQ(a.vars.at("rootdisp"), "0.303");
  // Lines are broken before 72 columns and the text ends with CRLF.
  const std::string text(a.data.begin(), a.data.end());
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
  size_t start = 0;
  for (size_t end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2) {
    EXPECT_LE(end - start, 72u) << text.substr(start, end - start);
  }
}

// clock observe: how far the uncorrected system clock is behind the time served, in ms; a tempus
// variable that only observe nodes send (ntpq rv prints it like any other).
TEST(Control, SysclkOffsetOnlyWithClockObserve) {
  report::NodeSnapshot v = MakeView();
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 0).vars.count("sysclk_offset"), 0u);
  const Answer named = Ask(v, Opcode::kReadVariables, 0, "sysclk_offset");
  EXPECT_FALSE(named.error);  // known, just not set
  EXPECT_TRUE(named.vars.empty());
  v.system_clock_offset = NtpDuration::FromSeconds(0.5008);
  const Answer a = Ask(v, Opcode::kReadVariables, 0);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.vars.at("sysclk_offset"), "500.800000");
  // After ntpd's own defaults (mintc is their last), before tempus's `reason`.
  const auto at = [&](const char* name) { return std::find(a.order.begin(), a.order.end(), name) - a.order.begin(); };
  EXPECT_GT(at("sysclk_offset"), at("mintc"));
  EXPECT_EQ(a.order.back(), "reason");
}

TEST(Control, UnsynchronizedSystemShowsInitAndNoPeer) {
  report::NodeSnapshot v;
  const Answer a = Ask(v, Opcode::kReadVariables, 0, "leap,stratum,refid,peer");
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.vars.at("leap"), "3");
  EXPECT_EQ(a.vars.at("stratum"), "16");
  EXPECT_EQ(a.vars.at("refid"), "INIT");
  EXPECT_EQ(a.vars.at("peer"), "0");
  EXPECT_EQ(a.status >> 14, 3);
  EXPECT_EQ(Ask(v, Opcode::kReadStatus, 0).data.size(), 0u);
}

TEST(Control, PeerDefaultVariables) {
  const Answer a = Ask(MakeView(), Opcode::kReadVariables, 3);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.association_id, 3);
  EXPECT_EQ(a.status, 0x961a);
  EXPECT_EQ(a.order.front(), "srcadr");
  EXPECT_EQ(a.vars.at("srcadr"), "127.0.0.2");
  EXPECT_EQ(a.vars.at("srcport"), "123");
  EXPECT_EQ(a.vars.at("hmode"), "3");
  EXPECT_EQ(a.vars.at("pmode"), "4");
  EXPECT_EQ(a.vars.at("stratum"), "3");
  EXPECT_EQ(a.vars.at("refid"), "71.80.83.0") << "stratum 3: a dotted quad, even for a code";
  EXPECT_EQ(a.vars.at("hpoll"), "6");
  EXPECT_EQ(a.vars.at("ppoll"), "6");
  EXPECT_EQ(a.vars.at("precision"), "-20");
  EXPECT_EQ(a.vars.at("rootdelay"), "1.007");  // 1 ms in 16.16 seconds: 66/65536 s
  EXPECT_EQ(a.vars.at("reach"), "0xff");
  EXPECT_EQ(a.vars.at("delay"), "0.250000");
  EXPECT_EQ(a.vars.at("offset"), "1.234000");
  EXPECT_EQ(a.vars.at("jitter"), "0.020000");
  EXPECT_EQ(a.vars.at("dispersion"), "3.000000");
  // Received 5 s before now by the monotonic clock: rec is clock_now - 5 s.
  EXPECT_EQ(a.vars.at("rec"), "0xeeb62e9b.00000000");
  EXPECT_EQ(a.vars.at("xmt"), "0xeeb62e9b.00000000");
}

// The eight values of a filt* variable, parsed as ntpq does (space separated, milliseconds).
std::vector<double> Values(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  for (double v; in >> v;) out.push_back(v);
  return out;
}

// ntpq -c "rv &N": filtdelay, filtoffset and filtdisp are the clock filter's eight stages, newest
// first, in milliseconds with two decimals (ntpd's ctl_putarray), in the default set between
// keyid and flash as NTPsec orders them, and by name.
TEST(Control, FilterStagesNewestFirstInMilliseconds) {
  filter::ClockFilter f;
  const MonoTime t0 = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(1000));
  // Three samples 64 s apart: offsets 1, 2, 3 ms; delays 10, 20, 30 ms; dispersion 1 ms each.
  for (int i = 0; i < 3; ++i) {
    (void)f.Add(Sample{NtpDuration::FromMillis(i + 1), NtpDuration::FromMillis(10 * (i + 1)),
                       NtpDuration::FromMillis(1), t0 + NtpDuration::FromWholeSeconds(64 * i)},
                PollExp(6));
  }
  report::NodeSnapshot v = MakeView();
  v.sources[0].source->stages = f.Stages();
  const Answer a = Ask(v, Opcode::kReadVariables, 3);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(Values(a.vars.at("filtdelay")), (std::vector<double>{30, 20, 10, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Values(a.vars.at("filtoffset")), (std::vector<double>{3, 2, 1, 0, 0, 0, 0, 0}));
  // Each stage's dispersion aged by PHI (15 ppm) to the newest sample: 1 ms + 15e-6 x 0/64/128 s.
  EXPECT_EQ(Values(a.vars.at("filtdisp")), (std::vector<double>{1.00, 1.96, 2.92, 16000, 16000, 16000, 16000, 16000}));
  EXPECT_EQ(a.vars.at("filtdelay"), "30.00 20.00 10.00 0.00 0.00 0.00 0.00 0.00");
  EXPECT_EQ(a.vars.at("filtdisp"), "1.00 1.96 2.92 16000.00 16000.00 16000.00 16000.00 16000.00");
  const auto at = [&](const char* name) { return std::find(a.order.begin(), a.order.end(), name) - a.order.begin(); };
  EXPECT_EQ(at("filtdelay"), at("keyid") + 1);
  EXPECT_EQ(at("filtoffset"), at("filtdelay") + 1);
  EXPECT_EQ(at("pmode"), at("filtoffset") + 1);
  EXPECT_EQ(at("filtdisp"), at("pmode") + 1);
  EXPECT_EQ(at("flash"), at("filtdisp") + 1);

  const Answer named = Ask(v, Opcode::kReadVariables, 3, "filtoffset,filtdisp");
  ASSERT_FALSE(named.error);
  EXPECT_EQ(named.order, (std::vector<std::string>{"filtoffset", "filtdisp"}));
  EXPECT_EQ(named.vars.at("filtoffset"), "3.00 2.00 1.00 0.00 0.00 0.00 0.00 0.00");
}

TEST(Control, FilterStagesAgeTheirDispersion) {
  filter::ClockFilter f;
  const MonoTime t0 = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(1000));
  // 1000 s between the samples: the older stage's dispersion grew by 15 ppm x 1000 s = 15 ms.
  (void)f.Add(Sample{NtpDuration::FromMillis(1), NtpDuration::FromMillis(5), NtpDuration::FromMillis(2), t0},
              PollExp(6));
  (void)f.Add(Sample{NtpDuration::FromMillis(-4), NtpDuration::FromMillis(6), NtpDuration::FromMillis(2),
                     t0 + NtpDuration::FromWholeSeconds(1000)},
              PollExp(6));
  report::NodeSnapshot v = MakeView();
  v.sources[1].source->stages = f.Stages();
  const Answer a = Ask(v, Opcode::kReadVariables, 4, "filtdisp,filtoffset");
  EXPECT_EQ(a.vars.at("filtdisp"), "2.00 17.00 16000.00 16000.00 16000.00 16000.00 16000.00 16000.00");
  EXPECT_EQ(a.vars.at("filtoffset"), "-4.00 1.00 0.00 0.00 0.00 0.00 0.00 0.00");
}

TEST(Control, NeverHeardPeerHasEmptyFilterStages) {
  const Answer a = Ask(MakeView(), Opcode::kReadVariables, 5, "filtdelay,filtdisp");
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.vars.at("filtdelay"), "0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00");
  EXPECT_EQ(a.vars.at("filtdisp"), "16000.00 16000.00 16000.00 16000.00 16000.00 16000.00 16000.00 16000.00");
}

TEST(Control, NeverHeardPeerIsStratum16Init) {
  const Answer a = Ask(MakeView(), Opcode::kReadVariables, 5);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.vars.at("stratum"), "16");
  EXPECT_EQ(a.vars.at("refid"), "INIT");
  EXPECT_EQ(a.vars.at("reach"), "0x0");
  EXPECT_EQ(a.vars.at("dispersion"), "16000.000000");
  EXPECT_EQ(a.vars.at("rec"), "0x00000000.00000000");
}

TEST(Control, StratumOneRefidIsTheCode) {
  report::NodeSnapshot v = MakeView();
  v.sources[0].source->last_header->stratum = 1;
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 3, "refid").vars.at("refid"), "GPS");
}

TEST(Control, NamedVariablesInRequestedOrder) {
  const Answer a = Ask(MakeView(), Opcode::kReadVariables, 0, " stratum , leap,peer=5");
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.order, (std::vector<std::string>{"stratum", "leap", "peer"}));
}

TEST(Control, SysstatsVariables) {
  const Answer a = Ask(MakeView(), Opcode::kReadVariables, 0,
                       "ss_uptime,ss_numctlreq,ss_reset,ss_received,ss_thisver,ss_oldver,ss_ver1,ss_ver1client,"
                       "ss_ver1zero,ss_ver1symm,ss_badformat,ss_badauth,ss_declined,ss_restricted,ss_limited,"
                       "ss_kodsent,ss_processed");
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.order.size(), 17u);
  EXPECT_EQ(a.vars.at("ss_uptime"), "75");
  EXPECT_EQ(a.vars.at("ss_numctlreq"), "3");
  EXPECT_EQ(a.vars.at("ss_received"), "25");
  // ntpq's sysstats asks for NAME_r (since reset) too.
  const Answer r = Ask(MakeView(), Opcode::kReadVariables, 0, "ss_received_r,ss_uptime_r");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.vars.at("ss_received_r"), "25");
  EXPECT_EQ(r.vars.at("ss_uptime_r"), "75");
  EXPECT_EQ(Ask(MakeView(), Opcode::kReadVariables, 0, "leap_r").error, ErrorCode::kUnknownVariable);
}

TEST(Control, ErrorsForUnknownAssociationsVariablesAndOpcodes) {
  const report::NodeSnapshot v = MakeView();
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 77).error, ErrorCode::kUnknownAssociation);
  EXPECT_EQ(Ask(v, Opcode::kReadStatus, 77).error, ErrorCode::kUnknownAssociation);
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 0, "leap,nosuchvar").error, ErrorCode::kUnknownVariable);
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 3, "srcadr,frequency").error, ErrorCode::kUnknownVariable);
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 0, "le\x01p").error, ErrorCode::kBadFormat);
  for (Opcode op : {Opcode::kWriteVariables, Opcode::kWriteClock, Opcode::kSetTrap, Opcode::kUnsetTrap,
                    Opcode::kConfigure, Opcode::kSaveConfig}) {
    EXPECT_EQ(Ask(v, op, 0, "leap=1").error, ErrorCode::kPermission) << static_cast<int>(op);
  }
  for (Opcode op : {Opcode::kReadClock, Opcode::kReadMru, Opcode::kRequestNonce, Opcode::kAsyncMessage}) {
    EXPECT_EQ(Ask(v, op, 0).error, ErrorCode::kBadOpcode) << static_cast<int>(op);
  }
  EXPECT_EQ(Ask(v, static_cast<Opcode>(20), 0).error, ErrorCode::kBadOpcode);
  // The error response echoes sequence and opcode, so ntpq matches it.
  auto out = HandleControl(mode6::EncodeRequest(Opcode::kWriteVariables, 77, 0, "x=1"), v);
  auto m = mode6::Decode((*out)[0]);
  EXPECT_EQ(m->header.sequence, 77);
  EXPECT_EQ(m->header.opcode, 3);
  EXPECT_TRUE(m->header.error);
}

TEST(Control, DropsWhatIsNotARequest) {
  const report::NodeSnapshot v = MakeView();
  auto req = mode6::EncodeRequest(Opcode::kReadStatus, 1, 0);
  EXPECT_EQ(HandleControl(std::span(req).first(11), v).error(), Drop::kMalformed);
  EXPECT_EQ(HandleControl({}, v).error(), Drop::kMalformed);
  auto resp = req;
  resp[1] |= 0x80;
  EXPECT_EQ(HandleControl(resp, v).error(), Drop::kNotRequest);
  auto err = req;
  err[1] |= 0x40;
  EXPECT_EQ(HandleControl(err, v).error(), Drop::kNotRequest);
  auto more = req;
  more[1] |= 0x20;
  EXPECT_EQ(HandleControl(more, v).error(), Drop::kFragmentedRequest);
  auto count = req;
  count[11] = 40;  // claims 40 bytes that are not there
  EXPECT_EQ(HandleControl(count, v).error(), Drop::kMalformed);
  auto ntp =
      FromHex("230004200000000000000000000000000000000000000000000000000000000000000000000000002e86a86b6c02e2aa");
  EXPECT_EQ(HandleControl(ntp, v).error(), Drop::kMalformed);
  // A non-zero offset in a request is a format error.
  auto offset = mode6::EncodeRequest(Opcode::kReadStatus, 1, 0, "abcd");
  offset[9] = 4;
  EXPECT_EQ(Ask(v, Opcode::kReadStatus, 0).error, std::nullopt);
  auto o = HandleControl(offset, v);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(mode6::Decode((*o)[0])->header.status >> 8, static_cast<int>(ErrorCode::kBadFormat));
}

TEST(Control, AnswersTheCapturedNtpqRequests) {
  const report::NodeSnapshot v = MakeView();
  for (auto hex : {testdata::kReadVarSystemRequest, testdata::kReadStatRequest}) {
    auto out = HandleControl(FromHex(hex), v);
    ASSERT_TRUE(out.has_value());
    auto m = mode6::Decode((*out)[0]);
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(m->header.response);
    EXPECT_FALSE(m->header.error);
    EXPECT_EQ(m->header.sequence, 1);
  }
  // Association 17767 is not ours.
  auto out = HandleControl(FromHex(testdata::kReadVarPeerRequest), v);
  EXPECT_TRUE(mode6::Decode((*out)[0])->header.error);
}

TEST(Control, HugeVariableListsAreBoundedToFourFragments) {
  const report::NodeSnapshot v = MakeView();
  std::string names;
  for (int i = 0; i < 400; ++i) names += "clock,";
  const Answer a = Ask(v, Opcode::kReadVariables, 0, names);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.fragments, kMaxResponseFragments);
  EXPECT_LE(a.data.size(), kMaxResponseFragments * mode6::kMaxFragmentData);
  EXPECT_GT(a.order.size(), 50u);
  EXPECT_LT(a.order.size(), 400u);
  // A peer's default answer fits in two fragments like ntpd's.
  EXPECT_LE(Ask(v, Opcode::kReadVariables, 3).fragments, 2u);
  // Many associations: READSTAT is bounded too.
  report::NodeSnapshot many = MakeView();
  for (uint16_t id = 10; id < 1000; ++id) {
    report::SourceSnapshot p = many.sources[2];
    p.association_id = id;
    many.sources.push_back(p);
  }
  const Answer s = Ask(many, Opcode::kReadStatus, 0);
  EXPECT_LE(s.fragments, kMaxResponseFragments);
  EXPECT_EQ(s.data.size() % 4, 0u);
}

}  // namespace
}  // namespace tempus::core::control

namespace tempus::core::control {
namespace {

// The local clock as ntpd shows its LOCAL driver (`ntpq -p`: "*LOCAL(0)  .LOCL.  10 l"), and the
// system status word's clock source sync_local while it is the system peer.
TEST(ControlLocalClock, ShownAsNtpdsLocalDriver) {
  report::NodeSnapshot v = MakeView();
  v.system_peer = 6;
  v.system.stratum = 11;
  v.system.refid = RefId::FromRaw(0x7f7f0100);
  LocalClockInput in{6, 0, 11, true, -20, v.start, v.now};  // up 75 s: two polls
  v.sources.push_back(LocalClockSnapshot(in));
  const Answer a = Ask(v, Opcode::kReadVariables, 6);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.vars.at("srcadr"), "127.127.1.0");
  EXPECT_EQ(a.vars.at("srchost"), "LOCAL(0)");
  EXPECT_EQ(a.vars.at("refid"), "LOCL");
  EXPECT_EQ(a.vars.at("stratum"), "10");
  EXPECT_EQ(a.vars.at("hmode"), "3");
  EXPECT_EQ(a.vars.at("reach"), "0x3");
  EXPECT_EQ(a.vars.at("offset"), "0.000000");
  EXPECT_EQ(mode6::TallyChar(mode6::PeerSelect(a.status)), '*');
  EXPECT_EQ(a.status & 0x8000, 0x8000);  // configured
  // rv: clock source 5 (sync_local), event clock_sync.
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 0).status, 0x0515);
  // An NTP association's srchost: known, but not sent (no clock name).
  const Answer named = Ask(v, Opcode::kReadVariables, 3, "srcadr,srchost");
  ASSERT_FALSE(named.error);
  EXPECT_EQ(named.vars.count("srchost"), 0u);
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 3).vars.count("srchost"), 0u);
}

TEST(ControlLocalClock, NotTheSystemPeerWhileAnUpstreamIs) {
  report::NodeSnapshot v = MakeView();  // synchronized to association 3
  v.sources.push_back(LocalClockSnapshot({6, 1, 6, false, -20, v.start, v.now}));
  const Answer a = Ask(v, Opcode::kReadVariables, 6);
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.vars.at("srchost"), "LOCAL(1)");
  EXPECT_EQ(a.vars.at("stratum"), "5");
  EXPECT_EQ(mode6::TallyChar(mode6::PeerSelect(a.status)), ' ');
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 0).status, 0x0615);  // sync_ntp
}

TEST(ControlLoop, FlashCarriesTest12ForATimingLoop) {
  report::NodeSnapshot v = MakeView();
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 4, "flash").vars.at("flash"), "0x0");
  v.sources[1].source->loop = true;
  EXPECT_EQ(Ask(v, Opcode::kReadVariables, 4, "flash").vars.at("flash"), "0x800");
}

}  // namespace
}  // namespace tempus::core::control

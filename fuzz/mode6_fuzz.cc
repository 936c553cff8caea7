// Mode 6 (RFC 9327) both ways. The first byte picks the side:
//  - even: a request through the pure control handler, answered from a NodeSnapshot the next 51
//    bytes shape (peers, ids, reach, tallies, refusals, strata, offsets, counters). Every answer is at most
//    kMaxResponseFragments datagrams of at most 12 + 468 bytes, decodes, is a response (R set) to
//    this request's sequence and opcode, and its fragments reassemble to the whole answer;
//  - odd: datagrams (each prefixed by a length byte) through the client side of `tempus peers`
//    (core::mode6::Decode and Reassembler, then ParseStatusList/ParseVariables), with the codec's
//    round trip checked for each: Encode(Decode(b)) decodes to the same header and data.
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "core/control/control.h"
#include "core/wire/mode6.h"
#include "fuzz_check.h"
#include "fuzz_input.h"

namespace {

using namespace tempus;
using namespace tempus::core;

using tempus::core::system::kRefusalCount;
using tempus::core::system::Refusal;
using tempus::fuzz::Take;

report::NodeSnapshot MakeView(std::span<const uint8_t>& in) {
  report::NodeSnapshot v;
  v.system.leap = static_cast<Leap>(Take<uint8_t>(in) & 3);
  v.system.stratum = Take<uint8_t>(in);
  v.system.precision = Take<int8_t>(in);
  v.system.root_delay = NtpDuration::FromRaw(Take<int32_t>(in));
  v.system.root_dispersion = NtpDuration::FromRaw(Take<int32_t>(in));
  v.system.refid = RefId::FromRaw(Take<uint32_t>(in));
  v.system.reference_time = NtpTimestamp::FromRaw(Take<uint64_t>(in));
  v.discipline.offset = NtpDuration::FromRaw(Take<int64_t>(in));
  v.discipline.frequency_ppm = static_cast<double>(Take<int16_t>(in)) / 7.0;
  v.discipline.poll = PollExp(Take<int8_t>(in));
  v.counters.node.received = Take<uint32_t>(in);
  v.clock_now = NtpTimestamp::FromRaw(Take<uint64_t>(in));
  v.now = MonoTime::FromSinceOrigin(NtpDuration::FromRaw(Take<int32_t>(in)));
  const uint8_t shape = Take<uint8_t>(in);
  const int peers = shape & 0x3f;  // up to 63 associations: several fragments of READSTAT
  if (shape & 0x40) v.processor = std::string(shape & 0x3f, 'x');
  for (int i = 0; i < peers; ++i) {
    report::SourceSnapshot p;
    const uint8_t b = static_cast<uint8_t>(i * 37 + shape);
    p.association_id = static_cast<uint16_t>(i + 1 + (shape & 0x80 ? 1000 : 0));
    p.association.config.address = NetAddress::IPv4(0x7f000000u + b, static_cast<uint16_t>(123 + i));
    p.association.reach = b;
    p.association.hpoll = PollExp(b % 20);
    if (b & 1) {
      system::SourceView s;
      s.tally = static_cast<select::Tally>(b % 8);
      if (b & 2) s.filtered = filter::FilterOutput{NtpDuration::FromRaw(int64_t{b} << 30), {}, {}, {}, {}};
      Header h;
      h.stratum = b;
      h.refid = RefId::FromRaw(0x47505300u + b);
      s.last_header = h;
      s.refusal = static_cast<Refusal>(b % kRefusalCount);
      p.source = s;
    } else {
      p.association.refusal = static_cast<Refusal>(b % kRefusalCount);
    }
    v.sources.push_back(p);
  }
  if (peers > 0 && (shape & 0x20)) v.system_peer = v.sources[shape % peers].association_id;
  v.refusal = static_cast<Refusal>(shape % kRefusalCount);
  if (v.refusal == Refusal::kPanic) v.panic_offset = v.discipline.offset;
  return v;
}

void ServerSide(std::span<const uint8_t> in) {
  const report::NodeSnapshot view = MakeView(in);
  const std::span<const uint8_t> request = in;
  auto answer = control::HandleControl(request, view);
  auto req = mode6::Decode(request);
  if (!answer) {
    // Only what the protocol cannot answer is silent.
    FUZZ_CHECK(!req || req->header.response || req->header.error || req->header.more);
    return;
  }
  FUZZ_CHECK(req.has_value());
  FUZZ_CHECK(!answer->empty() && answer->size() <= control::kMaxResponseFragments);
  mode6::Reassembler r(req->header.sequence, static_cast<mode6::Opcode>(req->header.opcode));
  bool complete = false;
  size_t total = 0;
  for (const auto& datagram : *answer) {
    FUZZ_CHECK(!complete);
    FUZZ_CHECK(datagram.size() <= mode6::kHeaderSize + mode6::kMaxFragmentData);
    FUZZ_CHECK(datagram.size() % 4 == 0);
    auto m = mode6::Decode(datagram);
    FUZZ_CHECK(m.has_value());
    FUZZ_CHECK(m->header.response);
    FUZZ_CHECK(m->header.sequence == req->header.sequence && m->header.opcode == req->header.opcode);
    total += m->data.size();
    auto s = r.Add(*m);
    if (m->header.error) {
      FUZZ_CHECK(!s && s.error() == mode6::Reassembler::Error::kErrorResponse);
      FUZZ_CHECK(answer->size() == 1);
      return;
    }
    FUZZ_CHECK(s.has_value());
    complete = *s == mode6::Reassembler::State::kComplete;
  }
  FUZZ_CHECK(complete);
  FUZZ_CHECK(r.data().size() == total);
  FUZZ_CHECK(total <= control::kMaxResponseFragments * mode6::kMaxFragmentData);
  (void)mode6::ParseVariables(r.data());
  (void)mode6::ParseStatusList(r.data());
}

void ClientSide(std::span<const uint8_t> in) {
  const uint16_t sequence = Take<uint16_t>(in);
  const auto opcode = static_cast<mode6::Opcode>(Take<uint8_t>(in) & 0x1f);
  mode6::Reassembler r(sequence, opcode);
  for (int i = 0; i < 64 && !in.empty(); ++i) {
    // The length byte is taken before in.size() is read: the order of a call's arguments is
    // unspecified (GCC reads the size first, clang the byte; under GCC the span overran).
    const size_t want = Take<uint8_t>(in) * 4u;
    const size_t n = std::min<size_t>(want, in.size());
    const std::span<const uint8_t> bytes = in.first(n);
    in = in.subspan(n);
    auto m = mode6::Decode(bytes);
    if (!m) continue;
    FUZZ_CHECK(m->data.size() == m->header.count);
    FUZZ_CHECK(mode6::kHeaderSize + m->data.size() <= bytes.size());
    // Round trip: the encoding of what was decoded decodes to the same message.
    const std::vector<uint8_t> again = mode6::Encode(m->header, m->data);
    auto m2 = mode6::Decode(again);
    FUZZ_CHECK(m2.has_value());
    FUZZ_CHECK(m2->header == m->header);
    FUZZ_CHECK(m2->data.size() == m->data.size() && std::equal(m2->data.begin(), m2->data.end(), m->data.begin()));
    auto s = r.Add(*m);
    if (s && *s == mode6::Reassembler::State::kComplete) {
      FUZZ_CHECK(r.data().size() <= 65535 + mode6::kMaxFragmentData);
      (void)mode6::ParseVariables(r.data());
      (void)mode6::ParseStatusList(r.data());
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  const uint8_t side = Take<uint8_t>(in);
  if (side & 1) {
    ClientSide(in);
  } else {
    ServerSide(in);
  }
  return 0;
}

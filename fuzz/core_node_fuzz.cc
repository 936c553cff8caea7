// core::node::Node driven by arbitrary events: timers after arbitrary delays, clock jumps,
// datagrams of arbitrary bytes from its sources and from strangers (requests, new peers, mode 6,
// anything: all through OnDatagram), replies shaped from the last request a source sent (so that
// fuzzed values reach the filter, selection and the discipline), and reloads. The Node must never
// crash, send requests only to addresses it has a source at, answer only the sender of a datagram,
// never with a time answer (reply, KoD, crypto-NAK, mode 2) longer than the datagram, and keep its
// deadlines and action lists bounded.
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <variant>

#include "base/random.h"
#include "core/node/node.h"
#include "core/wire/codec.h"
#include "fuzz_check.h"
#include "fuzz_input.h"

namespace {

using tempus::fuzz::Take;
using namespace tempus::core;  // NOLINT: a fuzz target reads better with the core's names
using tempus::SeededRandom;
using tempus::core::assoc::AssociationConfig;
using tempus::core::discipline::StepClock;

const std::array<NetAddress, 4> kAddresses = {*NetAddress::Parse("10.0.0.1:123"), *NetAddress::Parse("10.0.0.2:123"),
                                              *NetAddress::Parse("10.0.0.3:123"),
                                              *NetAddress::Parse("[2001:db8::9]:123")};

RefId FakeIpv6RefId(const NetAddress& address) { return RefId::FromRaw(address.bytes()[15]); }

node::NodeConfig Config(uint8_t flags) {
  node::NodeConfig c;
  c.self_address = *NetAddress::Parse("10.0.0.100:123");
  c.ipv6_refid = &FakeIpv6RefId;
  for (size_t i = 0; i < kAddresses.size(); ++i) {
    AssociationConfig a;
    a.address = kAddresses[i];
    a.mode = i == 2 ? Mode::kSymmetricActive : Mode::kClient;
    a.iburst = (flags & 1) != 0;
    a.minpoll = PollExp(4);
    a.maxpoll = PollExp(6);
    c.sources.push_back(a);
  }
  if (flags & 2) c.system.local_stratum = 8;
  if (flags & 4) c.system.orphan_stratum = 10;
  c.authenticate_peers = (flags & 8) == 0;  // off: unauthenticated peers mobilize (tests do this)
  c.control_from_any = (flags & 16) != 0;
  if (flags & 32) {  // rate limits with kiss-o'-death for everyone
    const uint32_t limited = static_cast<uint32_t>(server::Restrict::kLimited) |
                             static_cast<uint32_t>(server::Restrict::kKod);
    c.access.restricts = {server::RestrictRule::Default(NetAddress::Family::kIPv4, limited)};
  }
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  SeededRandom random(Take<uint64_t>(in));
  node::Node n(Config(Take<uint8_t>(in)), random, nullptr, -20, MonoTime());
  Instant now{MonoTime(), UnixTime::FromParts(1795928139, 0)};
  std::map<NetAddress, std::array<uint8_t, kHeaderSize>> last_sent;
  std::span<const uint8_t> datagram;  // the datagram being handled, if any
  NetAddress sender;
  const auto carry = [&](const node::NodeActions& actions) {
    FUZZ_CHECK(actions.size() < 4096);
    for (const node::NodeAction& a : actions) {
      if (const auto* send = std::get_if<node::SendPacket>(&a)) {
        FUZZ_CHECK(n.associations().count(send->source) == 1);
        FUZZ_CHECK(n.associations().at(send->source)->config().address == send->to);
        last_sent[send->to] = send->bytes;
      } else if (const auto* reply = std::get_if<node::Reply>(&a)) {
        FUZZ_CHECK(!datagram.empty() && reply->to == sender);
        FUZZ_CHECK(!reply->sign_key);  // no keys: no MAC verifies
        // No amplification: a time answer is never longer than what it answers.
        if (reply->restamp || PeekMode(reply->bytes) != Mode::kControl) {
          FUZZ_CHECK(reply->bytes.size() <= datagram.size());
        }
      } else if (const auto* clock = std::get_if<node::ApplyClock>(&a)) {
        if (const auto* step = std::get_if<StepClock>(&clock->command)) now.local = now.local + step->offset;
      }
    }
  };
  // A datagram from `from` through the one entry.
  const auto receive = [&](std::span<const uint8_t> bytes, const NetAddress& from) {
    datagram = bytes;
    sender = from;
    carry(n.OnDatagram({bytes, from, now.local, std::nullopt}, now));
    datagram = {};
  };
  carry(n.Start(now));
  for (int events = 0; !in.empty() && events < 512; ++events) {
    const uint8_t op = Take<uint8_t>(in);
    const NetAddress& from = kAddresses[(op >> 3) % kAddresses.size()];
    switch (op & 7) {
      case 0:
      case 1: {  // time passes (up to ~18 h), then the timer
        const NtpDuration d = NtpDuration::FromMillis(static_cast<int64_t>(Take<uint16_t>(in)) * (op & 1 ? 1000 : 1));
        now.mono = now.mono + d;
        now.local = now.local + d;
        if (n.NextDeadline() <= now.mono) carry(n.OnTimer(now));
        break;
      }
      case 2: {                                 // raw bytes from a source
        const size_t want = Take<uint8_t>(in);  // before in.size(): argument order is unspecified
        const size_t len = std::min<size_t>(want, in.size());
        receive(in.first(len), from);
        in = in.subspan(len);
        break;
      }
      case 3: {  // a reply to the last request sent to `from`, with fuzzed fields
        auto it = last_sent.find(from);
        if (it == last_sent.end()) break;
        Header h;
        h.leap = static_cast<Leap>(Take<uint8_t>(in) & 3);
        h.mode = from == kAddresses[2] ? Mode::kSymmetricPassive : Mode::kServer;
        h.stratum = Take<uint8_t>(in) % 18;
        h.poll = Take<int8_t>(in);
        h.precision = Take<int8_t>(in);
        h.root_delay = NtpShort::FromRaw(Take<uint16_t>(in));
        h.root_dispersion = NtpShort::FromRaw(Take<uint16_t>(in));
        h.refid = RefId::FromRaw(Take<uint32_t>(in));
        const std::span<const uint8_t> request(it->second);
        const auto sent = Decode(request);
        h.origin_time = sent ? sent->header.transmit_time : NtpTimestamp();
        const NtpDuration offset = NtpDuration::FromRaw(Take<int64_t>(in) >> (Take<uint8_t>(in) % 64));
        h.receive_time = (now.local + offset).ToNtp();
        h.transmit_time = h.receive_time;
        h.reference_time = h.receive_time;
        std::array<uint8_t, kHeaderSize> bytes{};
        EncodeHeader(h, bytes);
        receive(bytes, from);
        break;
      }
      case 4: {  // the host's clock jumps (a VM resumed, an operator)
        now.local = now.local + NtpDuration::FromRaw(Take<int64_t>(in) >> 20);
        break;
      }
      case 5: {  // a stranger: a client, a new peer, ntpq, anything (first byte: LI, VN, mode)
        const NetAddress stranger = *NetAddress::Parse("10.0.1." + std::to_string(op >> 3) + ":123");
        std::array<uint8_t, 128> bytes{};
        const size_t want = Take<uint8_t>(in);  // before in.size(): argument order is unspecified
        const size_t len = std::min<size_t>(want, std::min(in.size(), bytes.size()));
        std::copy_n(in.begin(), len, bytes.begin());
        in = in.subspan(len);
        if (len > 0 && (op & 8)) bytes[0] = static_cast<uint8_t>((bytes[0] & 0xc0) | 0x20 | ((op >> 4) & 7));  // VN 4
        receive(std::span<const uint8_t>(bytes).first(len), stranger);
        break;
      }
      case 6: {  // a reload removes or adds a source
        if (op & 8) {
          (void)n.RemoveSource(Take<uint8_t>(in) % 8, now);
          carry(n.actions());
        } else if (auto r = n.AddSource(Config(0).sources[(op >> 4) % kAddresses.size()], now); r) {
          carry(n.actions());
        }
        break;
      }
      default: {  // a request from a source's address (a server is a client of ours too)
        std::array<uint8_t, kHeaderSize> bytes{};
        bytes[0] = 0x23;                                                         // NTPv4, client
        for (size_t i = 40; i < kHeaderSize; ++i) bytes[i] = Take<uint8_t>(in);  // its transmit time
        receive(bytes, from);
        break;
      }
    }
  }
  (void)n.Snapshot(now);
  return 0;
}

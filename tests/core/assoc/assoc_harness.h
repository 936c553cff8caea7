// A test bench for one Association: a fake Random, explicit monotonic and local clocks, a server
// built on core::server::HandleRequest (or EncodeHeader for odd replies), and a recorder of the
// actions the association returns. Nothing sleeps; time only moves when a test moves it.
#ifndef TEMPUS_TESTS_CORE_ASSOC_ASSOC_HARNESS_H_
#define TEMPUS_TESTS_CORE_ASSOC_ASSOC_HARNESS_H_

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "core/assoc/association.h"
#include "core/server/reply.h"
#include "core/wire/codec.h"

namespace tempus::core::assoc::testing {

// Returns start, start + step, start + 2·step, ...; step 0 gives a constant.
class FakeRandom final : public Random {
 public:
  explicit FakeRandom(uint64_t start = 0x0123456789abcdef, uint64_t step = 0x9e3779b97f4a7c15)
      : next_(start), step_(step) {}
  uint64_t NextU64() override {
    const uint64_t v = next_;
    next_ += step_;
    ++draws_;
    return v;
  }
  int draws() const { return draws_; }

 private:
  uint64_t next_;
  uint64_t step_;
  int draws_ = 0;
};

inline AssociationConfig TestConfig(bool iburst = false) {
  AssociationConfig c;
  c.address = NetAddress::IPv4({127, 0, 0, 2}, 123);
  c.iburst = iburst;
  auto v = ValidateAssociationConfig(c);
  EXPECT_TRUE(v.has_value());
  return *v;
}

inline system::SystemSnapshot Stratum2() {
  system::SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = 2;
  s.precision = -20;
  s.root_delay = NtpDuration::FromMillis(2);
  s.root_dispersion = NtpDuration::FromMillis(1);
  s.refid = RefId::FromRaw(0x0a000001);
  return s;
}

class Bench {
 public:
  explicit Bench(const AssociationConfig& config, Random* random = nullptr)
      : assoc_(config, random != nullptr ? *random : fake_, -20) {}

  Association& assoc() { return assoc_; }
  MonoTime now() const { return now_; }
  UnixTime local_now() const { return kLocalStart + (now_ - kMonoStart); }
  std::optional<MonoTime> timer() const { return timer_; }

  // Server clock minus local clock, and the one-way network delay.
  NtpDuration server_offset = NtpDuration::FromMillis(250);
  NtpDuration one_way = NtpDuration::FromMillis(5);
  system::SystemSnapshot server = Stratum2();

  // Moves the clocks to the armed deadline (the first time: leaves them) and fires the timer,
  // again while it only woke for a reply deadline (at most a few times). Returns the requests it
  // sent (one, or none if nothing was due).
  std::vector<SendRequest> Fire() {
    const size_t before = sent.size();
    for (int i = 0; i < 4 && sent.size() == before; ++i) {
      if (timer_) now_ = *timer_;
      Apply(assoc_.OnTimer(now_, local_now()));
    }
    return {sent.begin() + static_cast<std::ptrdiff_t>(before), sent.end()};
  }

  // The server's reply to `request`: T2 = T1 + offset + one_way, T3 = T2 + 20 µs.
  std::vector<uint8_t> Reply(const SendRequest& request, NtpDuration extra_offset = NtpDuration::Zero()) {
    const UnixTime t2 = local_now() + server_offset + extra_offset + one_way;
    std::vector<uint8_t> out(kHeaderSize);
    auto n = server::HandleRequest(request.bytes, t2.ToNtp(), server, out);
    EXPECT_TRUE(n.has_value());
    StampTransmit(out, (t2 + NtpDuration::FromMicros(20)).ToNtp());
    return out;
  }

  // A reply written by hand from `h` (origin set to the request's cookie unless told otherwise).
  static std::vector<uint8_t> Encode(const Header& h) {
    std::vector<uint8_t> out(kHeaderSize);
    EncodeHeader(h, out);
    return out;
  }
  Header ReplyHeader(const SendRequest& request) {
    auto d = Decode(Reply(request));
    EXPECT_TRUE(d.has_value());
    return d->header;
  }
  std::vector<uint8_t> Kiss(const SendRequest& request, std::string_view code) {
    Header h = ReplyHeader(request);
    h.stratum = 0;
    h.leap = Leap::kUnsynchronized;
    h.refid = RefId::FromCode(code);
    return Encode(h);
  }

  // Delivers `bytes` one round trip after the last send (time moves by 2·one_way + 20 µs).
  void Deliver(const std::vector<uint8_t>& bytes) {
    now_ += one_way + one_way + NtpDuration::FromMicros(20);
    Apply(assoc_.OnPacket(bytes, local_now(), now_));
  }
  // Delivers without moving time. `auth` is the host's verdict on the MAC.
  void DeliverNow(const std::vector<uint8_t>& bytes, AuthVerdict auth = AuthVerdict::kNone) {
    Apply(assoc_.OnPacket(bytes, local_now(), now_, auth));
  }

  // One poll: fire, and answer every request when `answer`.
  void Poll(bool answer) {
    for (const SendRequest& r : Fire()) {
      if (answer) Deliver(Reply(r));
    }
  }
  // Fires the timer until the current burst is over (one normal poll otherwise).
  void PollWholeBurst(bool answer) {
    Poll(answer);
    for (int i = 0; i < Association::kBurstCount && assoc_.Snapshot().in_burst; ++i) Poll(answer);
  }

  void Apply(const AssocActions& actions) {
    for (const AssocAction& a : actions) {
      if (auto* s = std::get_if<SendRequest>(&a)) {
        sent.push_back(*s);
        send_times.push_back(now_);
      } else if (auto* t = std::get_if<SetTimer>(&a)) {
        timer_ = t->deadline;
      } else if (auto* m = std::get_if<NewMeasurement>(&a)) {
        measurements.push_back(*m);
      } else if (std::holds_alternative<BecameReachable>(a)) {
        ++reachable_events;
      } else if (std::holds_alternative<BecameUnreachable>(a)) {
        ++unreachable_events;
      } else if (auto* d = std::get_if<Demobilize>(&a)) {
        demobilized = *d;
      } else if (auto* p = std::get_if<PollChanged>(&a)) {
        poll_changes.push_back(*p);
      }
    }
  }

  std::vector<SendRequest> sent;
  std::vector<MonoTime> send_times;
  std::vector<NewMeasurement> measurements;
  std::vector<PollChanged> poll_changes;
  int reachable_events = 0;
  int unreachable_events = 0;
  std::optional<Demobilize> demobilized;

 private:
  static constexpr MonoTime kMonoStart = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(1000));
  inline static const UnixTime kLocalStart = UnixTime::FromParts(1795000000, 0);  // 2026-11

  FakeRandom fake_;
  Association assoc_;
  MonoTime now_ = kMonoStart;
  std::optional<MonoTime> timer_;
};

// Seconds between two monotonic instants.
inline double SecondsBetween(MonoTime a, MonoTime b) { return (b - a).Seconds(); }

}  // namespace tempus::core::assoc::testing

#endif  // TEMPUS_TESTS_CORE_ASSOC_ASSOC_HARNESS_H_

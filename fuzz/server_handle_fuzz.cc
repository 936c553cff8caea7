// The server with random state: the first 40 bytes set the system snapshot, the receive time,
// the source's restrict flags and the clock; the rest is the request. A reply (time or KoD) is
// never larger than the request, decodes, is mode 4, and only answers mode 3 (or NTPv1 mode 0).
#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/server/admission.h"
#include "core/server/server.h"
#include "core/wire/codec.h"
#include "fuzz_check.h"
#include "fuzz_input.h"

using tempus::fuzz::Take;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tempus;
  using namespace tempus::core;
  std::span<const uint8_t> in(data, size);
  system::SystemSnapshot s;
  s.leap = static_cast<Leap>(Take<uint8_t>(in) & 3);
  s.stratum = Take<uint8_t>(in);
  s.precision = Take<int8_t>(in);
  s.root_delay = NtpDuration::FromRaw(Take<int32_t>(in));
  s.root_dispersion = NtpDuration::FromRaw(Take<int64_t>(in));
  s.refid = RefId::FromRaw(Take<uint32_t>(in));
  s.reference_time = NtpTimestamp::FromRaw(Take<uint64_t>(in));
  const NtpTimestamp rx = NtpTimestamp::FromRaw(Take<uint64_t>(in));
  const uint32_t flags = Take<uint16_t>(in);
  const uint8_t steps = Take<uint8_t>(in);
  const std::span<const uint8_t> request = in;

  std::array<uint8_t, 2048> reply{};
  auto n = server::HandleRequest(request, rx, s, reply);
  const bool answerable = request.size() >= 1 &&
                          (PeekMode(request) == Mode::kClient ||
                           (PeekMode(request) == Mode::kReserved && PeekVersion(request) == 1));
  if (n) {
    FUZZ_CHECK(answerable);
    FUZZ_CHECK(*n <= request.size());
    auto d = Decode(std::span<const uint8_t>(reply).first(*n));
    FUZZ_CHECK(d.has_value() && d->header.mode == Mode::kServer);
    (void)system::RootDispersionAt(s, rx);
  }
  auto k = server::BuildKissOfDeath(request, KissCode::kRate, reply);
  FUZZ_CHECK(k.has_value() == n.has_value());
  if (k) {
    FUZZ_CHECK(*k <= request.size());
    auto d = Decode(std::span<const uint8_t>(reply).first(*k));
    FUZZ_CHECK(d.has_value() && d->header.IsKissOfDeath());
  }
  // The gate with random flags, repeated at random spacing from one source.
  server::RateLimiter limiter(server::RateLimitConfig{.capacity = 64}, 1);
  MonoTime t;
  for (int i = 0; i <= (steps & 15); ++i) {
    t += NtpDuration::FromMillis((steps >> 4) * 250);
    const auto a = server::Admit(request, server::AccessFlags{flags}, false, limiter, NetAddress::IPv4(0x7f000001), t);
    if (a.action != server::Admission::Action::kDrop) FUZZ_CHECK(!(flags & 1));  // ignore never passes
  }
  return 0;
}

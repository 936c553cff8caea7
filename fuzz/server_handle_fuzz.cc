// core::server::Server with random state, pure (no engine, no clock, no OpenSSL): the first 40
// bytes set the system snapshot, the receive time, the source's restrict flags, the spacing of
// repeats, the trusted keys and the new-peer policy; the rest is the request. Every answer, the
// MAC the host would append included (the request's key, so its digest's size), crypto-NAKs and
// KoDs too, is never larger than the request; it decodes, is mode 4 (mode 2 from HandleNewPeer),
// and only answers mode 3 (or NTPv1 mode 0), or mode 1 from HandleNewPeer. With the top bit of
// the new-peer byte, NTS is on (fake AEAD and cookies, tests/core/server/fake_nts.h): an NTS
// request gets an NTS reply or NAK, never larger than it, or a counted drop.
#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/server/fake_nts.h"  // tests/core/server/
#include "core/server/server.h"
#include "core/wire/auth.h"
#include "core/wire/codec.h"
#include "fuzz_check.h"
#include "fuzz_input.h"

using tempus::fuzz::Take;

namespace {

// Key k is trusted when bit k % 8 of `trusted` is set; a digest is right when its first byte is
// the key id's low byte (easy for the fuzzer to find, so the signed path is covered).
class FuzzAuthenticator : public tempus::core::Authenticator {
 public:
  explicit FuzzAuthenticator(uint8_t trusted) : trusted_(trusted) {}
  bool Verify(uint32_t key_id, std::span<const uint8_t> covered, std::span<const uint8_t> digest) const override {
    FUZZ_CHECK(covered.size() >= tempus::core::kHeaderSize);
    if (((trusted_ >> (key_id % 8)) & 1) == 0) return false;
    return !digest.empty() && digest[0] == static_cast<uint8_t>(key_id);
  }

 private:
  uint8_t trusted_;
};

}  // namespace

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
  const FuzzAuthenticator auth(Take<uint8_t>(in));
  const uint8_t peers = Take<uint8_t>(in);
  const std::span<const uint8_t> request = in;

  server::AccessPolicy access;
  access.restricts = {server::RestrictRule::Default(NetAddress::Family::kIPv4, flags)};
  access.rate.capacity = 64;
  server::Server srv(access, 1);
  srv.Publish(s);
  const nts::FakeAead aead;
  const nts::FakeCookies cookies(7);
  SeededRandom random(1);
  if (peers & 0x80) srv.SetNts(server::NtsServerContext{&cookies, &aead, &random});
  const auto decoded = Decode(request);
  const size_t request_mac = decoded && decoded->mac ? 4 + decoded->mac->digest.size() : 0;
  const bool answerable = request.size() >= 1 && (PeekMode(request) == Mode::kClient ||
                                                  (PeekMode(request) == Mode::kReserved && PeekVersion(request) == 1));
  const bool nts = decoded && server::IsNtsRequest(*decoded);
  std::array<uint8_t, server::kNtsReplyCapacity> reply{};
  // The same request repeated at random spacing from one source (the rate limit, KoDs).
  MonoTime t;
  const NetAddress from = NetAddress::IPv4(0x7f000001, 40000);
  for (int i = 0; i <= (steps & 15); ++i) {
    t += NtpDuration::FromMillis((steps >> 4) * 250);
    const server::ServerAction a = srv.Handle(request, from, rx, t, auth, reply);
    if (const auto* ignore = std::get_if<server::Ignore>(&a)) {
      FUZZ_CHECK(static_cast<size_t>(ignore->reason) < server::kDropReasonCount);
      continue;
    }
    const auto& r = std::get<server::Respond>(a);
    FUZZ_CHECK(answerable);
    FUZZ_CHECK(!(flags & 1));  // restrict ignore never answers
    FUZZ_CHECK(r.bytes.data() == reply.data());
    FUZZ_CHECK(r.bytes.size() + (r.sign_key ? request_mac : 0) <= request.size());
    auto d = Decode(r.bytes);
    FUZZ_CHECK(d.has_value() && d->header.mode == Mode::kServer);
    const bool rate_kod = !r.restamp && d->header.IsKissOfDeath() && KissCodeOf(d->header.refid) == KissCode::kRate;
    FUZZ_CHECK(!nts || (peers & 0x80) || rate_kod);  // no plain time for an NTS request
    if (!r.restamp && nts) {
      // An NTS answer (its authenticator last), else a NAK or a RATE kiss-o'-death.
      const auto f = nts::ParseNtsFields(r.bytes, *d);
      FUZZ_CHECK(f.has_value());
      const KissCode kiss = KissCodeOf(d->header.refid);
      FUZZ_CHECK(f->authenticator || rate_kod || (d->header.IsKissOfDeath() && kiss == KissCode::kNtsNak));
    }
    if (!r.restamp && !nts) FUZZ_CHECK(rate_kod);
    if (r.sign_key) FUZZ_CHECK(decoded && decoded->mac && *r.sign_key == decoded->mac->key_id && !d->mac);
    if (d->mac) FUZZ_CHECK(d->mac->key_id == 0 && d->mac->digest.empty() && !r.sign_key);  // a crypto-NAK
  }
  FUZZ_CHECK(srv.stats().received == static_cast<uint64_t>((steps & 15) + 1));
  FUZZ_CHECK(srv.stats().replied + srv.stats().TotalDropped() == srv.stats().received);
  // The same datagram as a mode 1 packet from an address without an association.
  const server::NewPeerPolicy policy{(peers & 1) != 0, static_cast<size_t>((peers >> 1) & 7), 4};
  const server::NewPeerVerdict v = srv.HandleNewPeer(request, from, rx, t, auth, policy, reply);
  if (v.reply) {
    FUZZ_CHECK(v.action == server::NewPeerAction::kReplyPassive);
    FUZZ_CHECK(v.reply->bytes.size() <= request.size() && !v.reply->sign_key);
    auto d = Decode(v.reply->bytes);
    FUZZ_CHECK(d.has_value() && d->header.mode == Mode::kSymmetricPassive);
  }
  if (v.action != server::NewPeerAction::kDrop) FUZZ_CHECK(PeekMode(request) == Mode::kSymmetricActive);
  if (v.action == server::NewPeerAction::kMobilize) FUZZ_CHECK(policy.ephemeral < policy.limit);
  return 0;
}

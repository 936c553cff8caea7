#include "core/system/refusal.h"

namespace tempus::core::system {
namespace {

// ntpd's TEST bits (ntp.h), as ntpq's tstflagnames decode them.
constexpr uint16_t kTest2 = 0x0002;   // pkt_bogus
constexpr uint16_t kTest3 = 0x0004;   // pkt_unsync
constexpr uint16_t kTest4 = 0x0008;   // pkt_denied (kiss DENY/RSTR, "rate quench" for RATE)
constexpr uint16_t kTest5 = 0x0010;   // pkt_auth
constexpr uint16_t kTest6 = 0x0020;   // pkt_stratum
constexpr uint16_t kTest7 = 0x0040;   // pkt_header
constexpr uint16_t kTest11 = 0x0400;  // peer_dist
constexpr uint16_t kTest12 = 0x0800;  // peer_loop
constexpr uint16_t kTest13 = 0x1000;  // peer_unreach (unreachable or noselect)

}  // namespace

std::string_view RefusalName(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone: return "none";
    case Refusal::kBogusOrigin: return "bogus_origin";
    case Refusal::kZeroTimestamps: return "zero_timestamps";
    case Refusal::kKissRate: return "kiss_rate";
    case Refusal::kKissDeny: return "kiss_deny";
    case Refusal::kKissRstr: return "kiss_rstr";
    case Refusal::kAuthFailed: return "auth_failed";
    case Refusal::kUnsynchronized: return "unsynchronized";
    case Refusal::kBadStratum: return "bad_stratum";
    case Refusal::kServerDistance: return "server_distance";
    case Refusal::kUnreachable: return "unreachable";
    case Refusal::kNoSelect: return "noselect";
    case Refusal::kDistance: return "root_distance";
    case Refusal::kLoop: return "loop";
    case Refusal::kFalseticker: return "falseticker";
    case Refusal::kTooFewSources: return "too_few_sources";
    case Refusal::kPanic: return "panic";
  }
  return "unknown";
}

std::optional<Refusal> RefusalFromName(std::string_view name) {
  for (size_t i = 0; i < kRefusalCount; ++i) {
    const auto r = static_cast<Refusal>(i);
    if (RefusalName(r) == name) return r;
  }
  return std::nullopt;
}

uint16_t RefusalFlash(Refusal refusal) {
  switch (refusal) {
    case Refusal::kBogusOrigin: return kTest2;
    case Refusal::kZeroTimestamps: return kTest3;
    case Refusal::kKissRate:
    case Refusal::kKissDeny:
    case Refusal::kKissRstr: return kTest4;
    case Refusal::kAuthFailed: return kTest5;
    case Refusal::kUnsynchronized:
    case Refusal::kBadStratum: return kTest6;
    case Refusal::kServerDistance: return kTest7;
    case Refusal::kUnreachable:
    case Refusal::kNoSelect: return kTest13;
    case Refusal::kDistance: return kTest11;
    case Refusal::kLoop: return kTest12;
    case Refusal::kNone:
    case Refusal::kFalseticker:
    case Refusal::kTooFewSources:
    case Refusal::kPanic: return 0;
  }
  return 0;
}

}  // namespace tempus::core::system

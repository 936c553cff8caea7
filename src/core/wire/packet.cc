#include "core/wire/packet.h"

#include <cstdio>

#include "base/check.h"

namespace tempus::core {
namespace {

constexpr uint32_t Code(char a, char b, char c, char d) {
  return (uint32_t{static_cast<uint8_t>(a)} << 24) | (uint32_t{static_cast<uint8_t>(b)} << 16) |
         (uint32_t{static_cast<uint8_t>(c)} << 8) | uint32_t{static_cast<uint8_t>(d)};
}

}  // namespace

RefId RefId::FromCode(std::string_view code) {
  uint32_t raw = 0;
  for (size_t i = 0; i < 4; ++i) {
    raw = (raw << 8) | (i < code.size() ? static_cast<uint8_t>(code[i]) : 0u);
  }
  return RefId(raw);
}

RefId RefId::FromIPv4(const NetAddress& address) {
  TEMPUS_CHECK(address.is_v4());
  return FromDigestPrefix(address.bytes());
}

RefId RefId::FromDigestPrefix(std::span<const uint8_t> digest) {
  TEMPUS_CHECK(digest.size() >= 4);
  return RefId((uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) | digest[3]);
}

std::string RefId::AsCode() const {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto c = static_cast<char>((raw_ >> shift) & 0xff);
    if (c == 0) break;
    if (c < 0x20 || c > 0x7e) return "";
    out.push_back(c);
  }
  return out;
}

std::string RefId::AsDottedQuad() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", (raw_ >> 24) & 0xff, (raw_ >> 16) & 0xff, (raw_ >> 8) & 0xff,
                raw_ & 0xff);
  return buf;
}

std::string RefId::ToDisplay(uint8_t stratum) const {
  if (stratum <= 1) {
    const std::string code = AsCode();
    if (!code.empty() || raw_ == 0) return "." + code + ".";
  }
  return AsDottedQuad();
}

KissCode KissCodeOf(RefId refid) {
  switch (refid.raw()) {
    case Code('R', 'A', 'T', 'E'): return KissCode::kRate;
    case Code('D', 'E', 'N', 'Y'): return KissCode::kDeny;
    case Code('R', 'S', 'T', 'R'): return KissCode::kRstr;
    case Code('N', 'T', 'S', 'N'): return KissCode::kNtsNak;
    default: return KissCode::kOther;
  }
}

RefId RefIdOf(KissCode code) {
  switch (code) {
    case KissCode::kRate: return RefId::FromCode("RATE");
    case KissCode::kDeny: return RefId::FromCode("DENY");
    case KissCode::kRstr: return RefId::FromCode("RSTR");
    case KissCode::kNtsNak: return RefId::FromCode("NTSN");
    case KissCode::kNone:
    case KissCode::kOther: break;
  }
  return RefId();
}

}  // namespace tempus::core

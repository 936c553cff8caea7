#include "base/shown.h"

namespace tempus {

std::string Shown(std::string_view text, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const std::string_view kept = text.substr(0, max_bytes);
  out.reserve(kept.size() + 3);
  for (const char c : kept) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

}  // namespace tempus

// NetAddress parsing and printing, by hand: the core links no resolver and no arpa/inet.h.
//
// Accepted text is numeric only: dotted quads (four decimal octets, no leading zeros, so no octal
// ambiguity), RFC 4291 §2.2 IPv6 text (groups of 1-4 hex digits, at most one "::", an optional
// trailing dotted quad), and either with a port: "v4:port" or "[v6]:port". Printing follows
// RFC 5952 §4 (lowercase, no leading zeros, the longest run of two or more zero groups as "::",
// the first run on a tie) and §5 (IPv4-mapped addresses end in a dotted quad).
#include "core/net/net_address.h"

#include <algorithm>

#include <cstdio>

#include "base/check.h"

namespace tempus::core {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decimal number of 1..digits_max digits with no sign, at most `max`.
std::optional<uint32_t> ParseDecimal(std::string_view text, size_t digits_max, uint32_t max, bool allow_leading_zero) {
  if (text.empty() || text.size() > digits_max) return std::nullopt;
  if (!allow_leading_zero && text.size() > 1 && text[0] == '0') return std::nullopt;
  uint32_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

std::optional<std::array<uint8_t, 4>> ParseDottedQuad(std::string_view text) {
  std::array<uint8_t, 4> out{};
  for (size_t i = 0; i < 4; ++i) {
    const size_t dot = text.find('.');
    const bool last = i == 3;
    if (last != (dot == std::string_view::npos)) return std::nullopt;
    const std::string_view part = last ? text : text.substr(0, dot);
    const auto octet = ParseDecimal(part, 3, 255, /*allow_leading_zero=*/false);
    if (!octet) return std::nullopt;
    out[i] = static_cast<uint8_t>(*octet);
    if (!last) text.remove_prefix(dot + 1);
  }
  return out;
}

// Parses the groups of one side of "::" into `groups`; a dotted quad may end the text when
// `allow_v4_tail`. Returns false on malformed text or more than `max_groups` groups.
bool ParseGroups(std::string_view text, bool allow_v4_tail, size_t max_groups, std::array<uint16_t, 8>* groups,
                 size_t* count) {
  *count = 0;
  if (text.empty()) return true;
  while (true) {
    const size_t colon = text.find(':');
    const std::string_view part = colon == std::string_view::npos ? text : text.substr(0, colon);
    if (colon == std::string_view::npos && allow_v4_tail && part.find('.') != std::string_view::npos) {
      const auto quad = ParseDottedQuad(part);
      if (!quad || *count + 2 > max_groups) return false;
      (*groups)[(*count)++] = static_cast<uint16_t>(((*quad)[0] << 8) | (*quad)[1]);
      (*groups)[(*count)++] = static_cast<uint16_t>(((*quad)[2] << 8) | (*quad)[3]);
      return true;
    }
    if (part.empty() || part.size() > 4 || *count >= max_groups) return false;
    uint16_t value = 0;
    for (char c : part) {
      const int h = HexValue(c);
      if (h < 0) return false;
      value = static_cast<uint16_t>((value << 4) | h);
    }
    (*groups)[(*count)++] = value;
    if (colon == std::string_view::npos) return true;
    text.remove_prefix(colon + 1);
  }
}

// RFC 4291 §2.2 text forms 1-3.
std::optional<std::array<uint8_t, 16>> ParseIPv6(std::string_view text) {
  std::array<uint16_t, 8> head{}, tail{};
  size_t head_count = 0, tail_count = 0;
  const size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!ParseGroups(text, true, 8, &head, &head_count) || head_count != 8) return std::nullopt;
  } else {
    const std::string_view left = text.substr(0, gap);
    const std::string_view right = text.substr(gap + 2);
    if (right.find("::") != std::string_view::npos) return std::nullopt;
    // "::" stands for at least one zero group, so each side has at most 7.
    if (!ParseGroups(left, false, 7, &head, &head_count)) return std::nullopt;
    if (!ParseGroups(right, true, 7, &tail, &tail_count)) return std::nullopt;
    if (head_count + tail_count > 7) return std::nullopt;
  }
  std::array<uint16_t, 8> groups{};
  for (size_t i = 0; i < head_count; ++i) groups[i] = head[i];
  for (size_t i = 0; i < tail_count; ++i) groups[8 - tail_count + i] = tail[i];
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < 8; ++i) {
    bytes[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
    bytes[2 * i + 1] = static_cast<uint8_t>(groups[i]);
  }
  return bytes;
}

// The address part alone, v4 or v6.
std::optional<NetAddress> ParseHost(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    const auto quad = ParseDottedQuad(text);
    if (!quad) return std::nullopt;
    return NetAddress::IPv4(*quad);
  }
  const auto v6 = ParseIPv6(text);
  if (!v6) return std::nullopt;
  return NetAddress::IPv6(*v6);
}

bool IsV4Mapped(const std::array<uint8_t, 16>& b) {
  for (size_t i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

std::string FormatQuad(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a, b, c, d);
  return buf;
}

std::string FormatIPv6(const std::array<uint8_t, 16>& b) {
  if (IsV4Mapped(b)) return "::ffff:" + FormatQuad(b[12], b[13], b[14], b[15]);
  std::array<uint16_t, 8> g{};
  for (size_t i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  // RFC 5952 §4.2.2-4.2.3: compress the longest run of >= 2 zero groups, the first on a tie.
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = -1;
  std::string out;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[i]);  // %x: lowercase, no leading zeros (§4.1, §4.3)
    out += buf;
  }
  return out;
}

}  // namespace

NetAddress NetAddress::IPv4(std::array<uint8_t, 4> bytes, uint16_t port) {
  NetAddress a;
  a.family_ = Family::kIPv4;
  a.port_ = port;
  for (size_t i = 0; i < 4; ++i) a.bytes_[i] = bytes[i];
  return a;
}

NetAddress NetAddress::IPv4(uint32_t host_order, uint16_t port) {
  return IPv4({static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
               static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)},
              port);
}

NetAddress NetAddress::IPv6(std::array<uint8_t, 16> bytes, uint16_t port) {
  NetAddress a;
  a.family_ = Family::kIPv6;
  a.port_ = port;
  a.bytes_ = bytes;
  return a;
}

std::optional<NetAddress> NetAddress::Parse(std::string_view text) { return ParseWithDefaultPort(text, 0); }

std::optional<NetAddress> NetAddress::ParseWithDefaultPort(std::string_view text, uint16_t default_port) {
  std::string_view host = text;
  std::optional<uint32_t> port = default_port;
  if (!text.empty() && text.front() == '[') {
    // "[v6]" or "[v6]:port".
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = ParseDecimal(rest.substr(1), 5, 65535, /*allow_leading_zero=*/true);
    }
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for IPv6 only
  } else if (const size_t colon = text.find(':');
             colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    // Exactly one colon: "v4:port" (an IPv6 address has at least two).
    host = text.substr(0, colon);
    port = ParseDecimal(text.substr(colon + 1), 5, 65535, /*allow_leading_zero=*/true);
    if (host.find('.') == std::string_view::npos) return std::nullopt;
  }
  if (!port) return std::nullopt;
  auto address = ParseHost(host);
  if (!address) return std::nullopt;
  return address->WithPort(static_cast<uint16_t>(*port));
}

uint32_t NetAddress::v4() const {
  TEMPUS_CHECK(is_v4());
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) | bytes_[3];
}

bool NetAddress::IsWildcard() const {
  const size_t n = is_v4() ? 4 : 16;
  return family_ != Family::kNone &&
         std::all_of(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(n), [](uint8_t b) { return b == 0; });
}

bool NetAddress::IsLoopback() const {
  switch (family_) {
    case Family::kIPv4: return bytes_[0] == 127;  // 127.0.0.0/8, RFC 1122 §3.2.1.3
    case Family::kIPv6: {
      // ::1 (RFC 4291 §2.5.3), and 127/8 written as IPv4-mapped (::ffff:127.x.y.z).
      if (IsV4Mapped(bytes_)) return bytes_[12] == 127;
      for (size_t i = 0; i < 15; ++i) {
        if (bytes_[i] != 0) return false;
      }
      return bytes_[15] == 1;
    }
    case Family::kNone: return false;
  }
  return false;
}

std::string NetAddress::ToString() const {
  switch (family_) {
    case Family::kIPv4: return FormatQuad(bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
    case Family::kIPv6: return FormatIPv6(bytes_);
    case Family::kNone: return "(none)";
  }
  return "(none)";
}

std::string NetAddress::ToStringWithPort() const {
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict, PR 105329) on
  // "[" + std::string temporaries.
  std::string out;
  if (is_v6()) out.push_back('[');
  out.append(ToString());
  if (is_v6()) out.push_back(']');
  out.push_back(':');
  out.append(std::to_string(port_));
  return out;
}

}  // namespace tempus::core

// NetAddress: an IPv4 or IPv6 address with a UDP port, as plain data.
//
// The core never sees a sockaddr; the edge (src/io) converts. Used for association keys, refids
// (RFC 5905 §7.3: IPv4 address, or the first four bytes of the MD5 of an IPv6 address), access
// control and rate limiting. Value type; thread-compatible.
#ifndef TEMPUS_CORE_NET_NET_ADDRESS_H_
#define TEMPUS_CORE_NET_NET_ADDRESS_H_

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace tempus::core {

class NetAddress {
 public:
  enum class Family : uint8_t { kNone, kIPv4, kIPv6 };

  constexpr NetAddress() = default;
  // `bytes` in network order: 4 bytes for IPv4.
  static NetAddress IPv4(std::array<uint8_t, 4> bytes, uint16_t port = 0);
  static NetAddress IPv4(uint32_t host_order, uint16_t port = 0);
  static NetAddress IPv6(std::array<uint8_t, 16> bytes, uint16_t port = 0);
  // Parses "127.0.0.2", "::1", and with a port "127.0.0.2:11123" or "[::1]:123". Numeric only.
  static std::optional<NetAddress> Parse(std::string_view text);
  static std::optional<NetAddress> ParseWithDefaultPort(std::string_view text, uint16_t default_port);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kIPv4; }
  bool is_v6() const { return family_ == Family::kIPv6; }
  uint16_t port() const { return port_; }
  NetAddress WithPort(uint16_t port) const {
    NetAddress a = *this;
    a.port_ = port;
    return a;
  }
  // IPv4: 4 bytes; IPv6: 16 bytes; in network order.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  // REQUIRES: is_v4(). The address as a host-order integer.
  uint32_t v4() const;
  bool IsLoopback() const;
  // 0.0.0.0 or ::, the address of a socket bound to every interface.
  bool IsWildcard() const;

  // "127.0.0.2" or "::1" (no port).
  std::string ToString() const;
  // "127.0.0.2:123" or "[::1]:123".
  std::string ToStringWithPort() const;

  friend auto operator<=>(const NetAddress&, const NetAddress&) = default;
  // Equal when the defaulted comparison says so, but the address compared as two words rather
  // than by memcmp (a call): the server compares reply addresses for every reply it sends.
  friend bool operator==(const NetAddress& a, const NetAddress& b) {
    if (a.family_ != b.family_ || a.port_ != b.port_) return false;
    uint64_t wa[2];
    uint64_t wb[2];
    std::memcpy(wa, a.bytes_.data(), sizeof wa);
    std::memcpy(wb, b.bytes_.data(), sizeof wb);
    return ((wa[0] ^ wb[0]) | (wa[1] ^ wb[1])) == 0;
  }

 private:
  Family family_ = Family::kNone;
  uint16_t port_ = 0;
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_NET_NET_ADDRESS_H_

// Resolver: user text -> host and port -> getaddrinfo -> NetAddresses.
#include "io/resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/shown.h"
#include "io/sockaddr.h"

namespace tempus::io {
namespace {

Result<uint16_t, std::string> ParsePort(std::string_view digits, std::string_view text) {
  if (digits.empty()) return Unexpected("missing port after ':' in '" + Shown(text) + "'");
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return Unexpected("invalid port '" + Shown(digits) + "' in '" + Shown(text) + "'");
    if (value < 1000000) value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value < 1 || value > 65535) {
    const std::string shown = value >= 1000000 ? Shown(digits) : std::to_string(value);
    return Unexpected("port " + shown + " out of range 1..65535");
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

Result<HostPort, std::string> SplitHostPort(std::string_view text, uint16_t default_port) {
  HostPort out;
  out.port = default_port;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return Unexpected("missing ']' in '" + Shown(text) + "'");
    out.host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Unexpected("expected ':port' after ']' in '" + Shown(text) + "'");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
      out.host = std::string(text.substr(0, colon));
      port_text = text.substr(colon + 1);
      has_port = true;
    } else {
      out.host = std::string(text);  // a name, a dotted quad, or a bare IPv6 address
    }
  }
  if (out.host.empty()) return Unexpected("missing host in '" + Shown(text) + "'");
  if (has_port) {
    auto port = ParsePort(port_text, text);
    if (!port) return Unexpected(port.error());
    out.port = *port;
  }
  return out;
}

int SystemLookup(const std::string& host, core::NetAddress::Family family, std::vector<core::NetAddress>* out) {
  addrinfo hints{};
  hints.ai_family = family == core::NetAddress::Family::kIPv4   ? AF_INET
                    : family == core::NetAddress::Family::kIPv6 ? AF_INET6
                                                                : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;  // one entry per address
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return rc;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (auto a = FromSockaddr(ai->ai_addr, ai->ai_addrlen)) out->push_back(a->WithPort(0));
  }
  freeaddrinfo(list);
  return 0;
}

Resolver::Resolver() : Resolver(&SystemLookup) {}

Resolver::Resolver(Lookup lookup) : lookup_(std::move(lookup)) {}

Result<std::vector<core::NetAddress>, std::string> Resolver::Resolve(std::string_view text, uint16_t default_port,
                                                                     core::NetAddress::Family family) const {
  auto split = SplitHostPort(text, default_port);
  if (!split) return Unexpected(split.error());
  const HostPort& hp = *split;
  if (hp.port == 0) return Unexpected("no port given for '" + Shown(text) + "'");
  const bool any = family == core::NetAddress::Family::kNone;
  if (auto numeric = core::NetAddress::Parse(hp.host)) {
    if (!any && numeric->family() != family) {
      // fmt, not "'" + std::string&&: GCC 12 at -O3 gives a false -Wrestrict for that (PR 105329).
      return Unexpected(fmt::format("'{}' is not an {} address", Shown(hp.host),
                                    family == core::NetAddress::Family::kIPv4 ? "IPv4" : "IPv6"));
    }
    return std::vector<core::NetAddress>{numeric->WithPort(hp.port)};
  }
  if (hp.host.find(':') != std::string::npos) return Unexpected("invalid IPv6 address '" + Shown(hp.host) + "'");
  std::vector<core::NetAddress> found;
  const int saved_errno = errno;
  errno = 0;
  const int rc = lookup_(hp.host, family, &found);
  if (rc != 0) {
    const std::string reason = rc == EAI_SYSTEM && errno != 0 ? std::strerror(errno) : gai_strerror(rc);
    errno = saved_errno;
    return Unexpected("cannot resolve '" + Shown(hp.host) + "': " + reason);
  }
  errno = saved_errno;
  std::vector<core::NetAddress> out;
  for (const core::NetAddress& a : found) {
    if (!any && a.family() != family) continue;
    const core::NetAddress with_port = a.WithPort(hp.port);
    if (std::find(out.begin(), out.end(), with_port) == out.end()) out.push_back(with_port);
  }
  if (out.empty()) return Unexpected("cannot resolve '" + Shown(hp.host) + "': no usable address");
  return out;
}

}  // namespace tempus::io

// Resolver: "host[:port]", "[v6]:port" or a bare IPv6 address -> the addresses to talk to.
//
// Numeric addresses never reach the name service. Names go through getaddrinfo (blocking: call it
// at start-up or from the main thread before the loop runs, as ntpd does for its config). The
// lookup is injectable, so tests resolve without sending DNS queries. Errors are messages meant
// for the user: "cannot resolve 'foo.invalid': Name or service not known", "port 99999 out of
// range 1..65535". Not thread-safe (getaddrinfo itself is).
#ifndef TEMPUS_IO_RESOLVER_H_
#define TEMPUS_IO_RESOLVER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"

namespace tempus::io {

// A host and a port split from user text.
struct HostPort {
  std::string host;  // a name or a numeric address, without brackets
  uint16_t port = 0;
};

// Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address; `default_port` applies
// when none is given. Ports must be 1..65535.
[[nodiscard]] Result<HostPort, std::string> SplitHostPort(std::string_view text, uint16_t default_port);

class Resolver {
 public:
  // Looks `host` up in `family` (kNone: any) and appends the addresses (port 0) to `out`; returns
  // 0 or a getaddrinfo error code (EAI_*).
  using Lookup =
      std::function<int(const std::string& host, core::NetAddress::Family family, std::vector<core::NetAddress>* out)>;

  // Uses getaddrinfo.
  Resolver();
  explicit Resolver(Lookup lookup);

  // The addresses of `text` (see SplitHostPort), in the order the name service gave them,
  // without duplicates, each with the port. `family` kNone accepts both.
  [[nodiscard]] Result<std::vector<core::NetAddress>, std::string> Resolve(
      std::string_view text, uint16_t default_port,
      core::NetAddress::Family family = core::NetAddress::Family::kNone) const;

 private:
  Lookup lookup_;
};

// The getaddrinfo lookup Resolver uses by default.
int SystemLookup(const std::string& host, core::NetAddress::Family family, std::vector<core::NetAddress>* out);

}  // namespace tempus::io

#endif  // TEMPUS_IO_RESOLVER_H_

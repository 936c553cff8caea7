// AsyncLookup: one name lookup (io::Resolver: getaddrinfo) on a helper thread, so that a slow or
// dead name server never blocks the daemon's loop (Sources' server and pool lines, NtsSources'
// NTS-KE hosts). The thread cannot wake the loop: the owner polls Take() (Sources and NtsSources
// once a second while a lookup is in flight). The thread holds its own reference, so dropping
// the owner's (a reload removed the line) never waits for a lookup. Thread-safe.
#ifndef TEMPUS_APPS_TEMPUSD_ASYNC_LOOKUP_H_
#define TEMPUS_APPS_TEMPUSD_ASYNC_LOOKUP_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"

namespace tempus::daemon {

class AsyncLookup {
 public:
  using Addresses = Result<std::vector<core::NetAddress>, std::string>;

  // Looks `host` up in `family` on a new detached thread (io::Resolver::Resolve: the addresses
  // with `port`, or a message for the log).
  static std::shared_ptr<AsyncLookup> Start(std::string host, uint16_t port, core::NetAddress::Family family);

  // The result, once, when the lookup has finished; nothing while it runs (or after it was taken).
  std::optional<Addresses> Take();

 private:
  std::mutex mu_;
  std::optional<Addresses> result_;
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_ASYNC_LOOKUP_H_

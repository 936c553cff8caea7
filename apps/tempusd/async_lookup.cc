#include "async_lookup.h"

#include <thread>
#include <utility>

#include "io/resolver.h"

namespace tempus::daemon {

std::shared_ptr<AsyncLookup> AsyncLookup::Start(std::string host, uint16_t port, core::NetAddress::Family family) {
  auto lookup = std::make_shared<AsyncLookup>();
  std::thread([lookup, host = std::move(host), port, family] {
    auto r = io::Resolver().Resolve(host, port, family);
    std::lock_guard<std::mutex> lock(lookup->mu_);
    lookup->result_ = std::move(r);
  }).detach();
  return lookup;
}

std::optional<AsyncLookup::Addresses> AsyncLookup::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<Addresses> out = std::move(result_);
  result_.reset();
  return out;
}

}  // namespace tempus::daemon

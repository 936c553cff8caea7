// MetricsServer: a minimal HTTP/1.x endpoint for Prometheus: GET /metrics answers the text that
// `render` returns; anything else gets 404 or 400. One request per connection, bounded request
// size (4 KiB), bounded connections (16) and a 2 s deadline per connection, so a slow or hostile
// client cannot hold the daemon. Runs on the PollLoop's thread; not thread-safe.
#ifndef TEMPUS_IO_METRICS_SERVER_H_
#define TEMPUS_IO_METRICS_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/sys_error.h"
#include "core/net/net_address.h"
#include "io/poll_loop.h"

namespace tempus::io {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;

  // Listens on `address` (TCP). `loop` must outlive the server.
  [[nodiscard]] static Result<std::unique_ptr<MetricsServer>, SysError> Open(const core::NetAddress& address,
                                                                             PollLoop& loop, Render render);
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  ~MetricsServer();

  const core::NetAddress& address() const { return address_; }
  uint64_t served() const { return served_; }

 private:
  struct Connection {
    std::string request;
    PollLoop::TimerId deadline = 0;
  };
  MetricsServer(int fd, core::NetAddress address, PollLoop& loop, Render render)
      : fd_(fd), address_(address), loop_(loop), render_(std::move(render)) {}
  void Accept();
  void OnReadable(int fd);
  void Respond(int fd, const std::string& request);
  void Close(int fd);

  int fd_;
  core::NetAddress address_;
  PollLoop& loop_;
  Render render_;
  std::map<int, Connection> connections_;
  uint64_t served_ = 0;
};

}  // namespace tempus::io

#endif  // TEMPUS_IO_METRICS_SERVER_H_

#include "io/metrics_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "io/tcp_listen.h"

namespace tempus::io {
namespace {

constexpr size_t kMaxRequest = 4096;
constexpr size_t kMaxConnections = 16;
constexpr int kDeadlineMs = 2000;

std::string HttpResponse(int code, const char* reason, const std::string& type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

Result<std::unique_ptr<MetricsServer>, SysError> MetricsServer::Open(const core::NetAddress& address, PollLoop& loop,
                                                                     Render render) {
  auto listening = ListenTcp(address, 16, "metrics");
  if (!listening) return Unexpected(listening.error());
  const auto [fd, actual] = *listening;
  std::unique_ptr<MetricsServer> server(new MetricsServer(fd, actual, loop, std::move(render)));
  loop.Watch(fd, POLLIN, [s = server.get()](short) { s->Accept(); });
  return server;
}

MetricsServer::~MetricsServer() {
  while (!connections_.empty()) Close(connections_.begin()->first);
  loop_.Unwatch(fd_);
  close(fd_);
}

void MetricsServer::Accept() {
  for (;;) {
    const int fd = accept(fd_, nullptr, nullptr);
    if (fd < 0) return;  // EAGAIN: done; other errors: try again on the next wakeup
    if (connections_.size() >= kMaxConnections || !SetNonBlockingCloexec(fd)) {
      close(fd);
      continue;
    }
    Connection& c = connections_[fd];
    c.deadline = loop_.AddTimer(loop_.Now() + core::NtpDuration::FromMillis(kDeadlineMs), [this, fd] {
      auto it = connections_.find(fd);
      if (it == connections_.end()) return;
      it->second.deadline = 0;  // this timer is running: nothing to cancel
      Close(fd);
    });
    loop_.Watch(fd, POLLIN, [this, fd](short) { OnReadable(fd); });
  }
}

void MetricsServer::OnReadable(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  char buf[1024];
  const ssize_t n = recvfrom(fd, buf, sizeof buf, 0, nullptr, nullptr);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    return Close(fd);
  }
  std::string& request = it->second.request;
  request.append(buf, static_cast<size_t>(n));
  if (request.find("\r\n\r\n") != std::string::npos || request.find("\n\n") != std::string::npos) {
    Respond(fd, request);
    return Close(fd);
  }
  if (request.size() > kMaxRequest) {
    Respond(fd, "");
    Close(fd);
  }
}

void MetricsServer::Respond(int fd, const std::string& request) {
  std::string response;
  const size_t line_end = request.find_first_of("\r\n");
  const std::string line = request.substr(0, line_end);
  if (line.rfind("GET ", 0) != 0 || line.find(" HTTP/1.") == std::string::npos) {
    response = HttpResponse(400, "Bad Request", "text/plain", "bad request\n");
  } else if (line.rfind("GET /metrics ", 0) == 0 || line.rfind("GET /metrics? ", 0) == 0) {
    response = HttpResponse(200, "OK", "text/plain; version=0.0.4; charset=utf-8", render_());
    ++served_;
  } else {
    response = HttpResponse(404, "Not Found", "text/plain", "try /metrics\n");
  }
  size_t sent = 0;
  for (int tries = 0; sent < response.size() && tries < 100; ++tries) {
    const ssize_t n = sendto(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL, nullptr, 0);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      break;
    } else {
      pollfd p{fd, POLLOUT, 0};
      (void)poll(&p, 1, 10);  // bounded: at most ~1 s in all for a reader that does not read
    }
  }
}

void MetricsServer::Close(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  if (it->second.deadline != 0) loop_.CancelTimer(it->second.deadline);
  connections_.erase(it);
  loop_.Unwatch(fd);
  close(fd);
}

}  // namespace tempus::io

#include "io/tcp_listen.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "io/sockaddr.h"

namespace tempus::io {

bool SetNonBlockingCloexec(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

Result<std::pair<int, core::NetAddress>, SysError> ListenTcp(const core::NetAddress& address, int backlog,
                                                             const std::string& what) {
  const std::string where = what + " " + address.ToStringWithPort();
  const int fd = socket(ToAddressFamily(address.family()), SOCK_STREAM, 0);
  if (fd < 0) return Unexpected(SysError{"socket for " + where, errno});
  const int one = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  const socklen_t len = ToSockaddr(address, &ss);
  if (!SetNonBlockingCloexec(fd) || bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, backlog) != 0) {
    const int err = errno;
    close(fd);
    return Unexpected(SysError{"listen on " + where, err});
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  core::NetAddress actual = address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len) == 0) {
    if (auto a = FromSockaddr(reinterpret_cast<sockaddr*>(&bound), bound_len)) actual = *a;
  }
  return std::pair{fd, actual};
}

}  // namespace tempus::io

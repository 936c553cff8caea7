// A mode 6 (RFC 9327) client over UDP for `tempus peers` and `tempus status`: one request, the
// fragments of its answer collected by core::mode6::Reassembler, a bounded wait. Works against
// tempusd and NTPsec/ntpd (classic ntpq's VN=2 requests).
#ifndef TEMPUS_APPS_TEMPUS_MODE6_CLIENT_H_
#define TEMPUS_APPS_TEMPUS_MODE6_CLIENT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"
#include "core/wire/mode6.h"
#include "io/udp_socket.h"
#include "one_shot.h"

namespace tempus::app {

// Why a mode 6 exchange failed: the outcome (as the NTP subcommands classify a server, so that a
// closed port or a silent host gives every subcommand the same exit status) and one line of text.
struct Mode6Failure {
  ServerStatus status = ServerStatus::kTimeout;  // kNoReply, kTimeout, kKissOfDeath or kBadReply
  std::string message;
};

struct Mode6Answer {
  uint16_t status = 0;
  uint16_t association_id = 0;
  std::vector<uint8_t> data;
};

class Mode6Client {
 public:
  // Opens a socket towards `server` (a failure is kNoReply).
  [[nodiscard]] static Result<Mode6Client, Mode6Failure> Open(const core::NetAddress& server, int timeout_ms = 2000);

  // One request and its whole answer. Failures: refused by the host (ICMP port unreachable) or a
  // socket error: kNoReply; no answer in time: kTimeout; an error answer (RFC 9327 error bit, e.g.
  // permission denied): kKissOfDeath; a malformed answer: kBadReply.
  [[nodiscard]] Result<Mode6Answer, Mode6Failure> Query(core::mode6::Opcode opcode, uint16_t association_id,
                                                        const std::string& data = {});
  // READSTAT of association 0.
  [[nodiscard]] Result<std::vector<core::mode6::AssociationStatus>, Mode6Failure> Associations();
  // READVAR; an empty list asks for the default set. Values by name.
  [[nodiscard]] Result<std::map<std::string, std::string>, Mode6Failure> ReadVariables(uint16_t association_id,
                                                                                       const std::string& names = {},
                                                                                       uint16_t* status = nullptr);

 private:
  Mode6Client(io::UdpSocket socket, core::NetAddress server, int timeout_ms)
      : socket_(std::move(socket)), server_(server), timeout_ms_(timeout_ms) {}
  io::UdpSocket socket_;
  core::NetAddress server_;
  int timeout_ms_;
  uint16_t sequence_ = 0;
};

// A reference clock's name as NTPsec's ntpq shows it in place of its 127.127.t.u address: srchost
// ("LOCAL(0)") when srcadr is 127.127.t.u and srchost names a clock; nothing for other peers.
std::optional<std::string> ClockName(const std::map<std::string, std::string>& peer_variables);

// Seconds since a "0xSSSSSSSS.FFFFFFFF" NTP timestamp, by this host's clock; nothing for 0 or
// text that is not one.
std::optional<long> SecondsSince(const std::string& timestamp);

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_MODE6_CLIENT_H_

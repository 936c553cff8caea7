#include "mode6_client.h"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>

namespace tempus::app {

using core::mode6::Opcode;

namespace {

Unexpected<Mode6Failure> Fail(ServerStatus status, std::string message) {
  return Unexpected(Mode6Failure{status, std::move(message)});
}

// A send or receive error: refused (ICMP port unreachable) is said as `tempus query` says it.
Unexpected<Mode6Failure> NoReply(const core::NetAddress& server, const SysError& error) {
  return Fail(ServerStatus::kNoReply,
              "no reply from " + server.ToStringWithPort() + ": " +
                  (error.err == ECONNREFUSED ? std::string("connection refused (no NTP server there)")
                                             : error.ToString()));
}

}  // namespace

Result<Mode6Client, Mode6Failure> Mode6Client::Open(const core::NetAddress& server, int timeout_ms) {
  const core::NetAddress any = server.is_v6() ? core::NetAddress::IPv6({}, 0) : core::NetAddress::IPv4(0u, 0);
  auto socket = io::UdpSocket::Open(any);
  if (!socket) return Fail(ServerStatus::kNoReply, "cannot open a socket: " + socket.error().ToString());
  if (auto c = socket->Connect(server); !c) {
    return Fail(ServerStatus::kNoReply, "cannot reach " + server.ToStringWithPort() + ": " + c.error().ToString());
  }
  Mode6Client client(std::move(*socket), server, timeout_ms);
  client.sequence_ = static_cast<uint16_t>(std::random_device{}() & 0x7fff);
  return client;
}

Result<Mode6Answer, Mode6Failure> Mode6Client::Query(Opcode opcode, uint16_t association_id, const std::string& data) {
  const uint16_t seq = ++sequence_;
  const auto request = core::mode6::EncodeRequest(opcode, seq, association_id, data);
  if (auto s = socket_.Send(request); !s) return NoReply(server_, s.error());
  core::mode6::Reassembler reassembler(seq, opcode);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  std::array<uint8_t, 2048> buffer{};
  for (int datagrams = 0; datagrams < 64;) {  // bounded in count and (below) in time
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{socket_.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    auto got = socket_.Receive(buffer);
    if (!got) return NoReply(server_, got.error());
    if (!*got) continue;
    ++datagrams;
    auto m = core::mode6::Decode(std::span(buffer).first((*got)->size));
    if (!m) continue;
    auto state = reassembler.Add(*m);
    if (!state) {
      using E = core::mode6::Reassembler::Error;
      if (state.error() == E::kErrorResponse) {
        return Fail(ServerStatus::kKissOfDeath, server_.ToStringWithPort() + " answered: " +
                                                    std::string(core::mode6::ErrorCodeName(reassembler.error_code())));
      }
      if (state.error() == E::kTooMany || state.error() == E::kOverlap) {
        return Fail(ServerStatus::kBadReply, server_.ToStringWithPort() + ": malformed answer");
      }
      continue;  // another exchange's datagram
    }
    if (*state == core::mode6::Reassembler::State::kComplete) {
      return Mode6Answer{reassembler.status(), reassembler.association_id(), reassembler.data()};
    }
  }
  return Fail(ServerStatus::kTimeout,
              "no answer from " + server_.ToStringWithPort() + " within " + std::to_string(timeout_ms_) + " ms");
}

Result<std::vector<core::mode6::AssociationStatus>, Mode6Failure> Mode6Client::Associations() {
  auto a = Query(Opcode::kReadStatus, 0);
  if (!a) return Unexpected(a.error());
  auto list = core::mode6::ParseStatusList(a->data);
  if (!list) return Fail(ServerStatus::kBadReply, server_.ToStringWithPort() + ": malformed association list");
  return *list;
}

Result<std::map<std::string, std::string>, Mode6Failure> Mode6Client::ReadVariables(uint16_t association_id,
                                                                                    const std::string& names,
                                                                                    uint16_t* status) {
  auto a = Query(Opcode::kReadVariables, association_id, names);
  if (!a) return Unexpected(a.error());
  if (status) *status = a->status;
  std::map<std::string, std::string> out;
  for (auto& [k, v] : core::mode6::ParseVariables(a->data)) out[k] = v;
  return out;
}

std::optional<std::string> ClockName(const std::map<std::string, std::string>& v) {
  auto address = v.find("srcadr");
  auto host = v.find("srchost");
  if (address == v.end() || host == v.end() || !address->second.starts_with("127.127.")) return std::nullopt;
  if (host->second.find('(') == std::string::npos) return std::nullopt;
  return host->second;
}

std::optional<long> SecondsSince(const std::string& ts) {
  if (ts.size() < 11 || ts.rfind("0x", 0) != 0) return std::nullopt;
  const unsigned long sec = std::strtoul(ts.substr(2, 8).c_str(), nullptr, 16);
  if (sec == 0) return std::nullopt;
  const int64_t unix_s = static_cast<int64_t>(sec) - 2208988800LL + (sec < 0x80000000UL ? (int64_t{1} << 32) : 0);
  return static_cast<long>(std::time(nullptr) - unix_s);
}

}  // namespace tempus::app

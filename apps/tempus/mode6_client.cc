#include "mode6_client.h"

#include <poll.h>

#include <chrono>
#include <random>

namespace tempus::app {

using core::mode6::Opcode;

Result<Mode6Client, std::string> Mode6Client::Open(const core::NetAddress& server, int timeout_ms) {
  const core::NetAddress any = server.is_v6() ? core::NetAddress::IPv6({}, 0) : core::NetAddress::IPv4(0u, 0);
  auto socket = io::UdpSocket::Open(any);
  if (!socket) return Unexpected("cannot open a socket: " + socket.error().ToString());
  if (auto c = socket->Connect(server); !c) {
    return Unexpected("cannot reach " + server.ToStringWithPort() + ": " + c.error().ToString());
  }
  Mode6Client client(std::move(*socket), server, timeout_ms);
  client.sequence_ = static_cast<uint16_t>(std::random_device{}() & 0x7fff);
  return client;
}

Result<Mode6Answer, std::string> Mode6Client::Query(Opcode opcode, uint16_t association_id, const std::string& data) {
  const uint16_t seq = ++sequence_;
  const auto request = core::mode6::EncodeRequest(opcode, seq, association_id, data);
  if (auto s = socket_.Send(request); !s) return Unexpected("send to " + server_.ToStringWithPort() + ": " + s.error().ToString());
  core::mode6::Reassembler reassembler(seq, opcode);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  std::array<uint8_t, 2048> buffer{};
  for (int datagrams = 0; datagrams < 64;) {  // bounded in count and (below) in time
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{socket_.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    auto got = socket_.Receive(buffer);
    if (!got) return Unexpected(server_.ToStringWithPort() + ": " + got.error().ToString());
    if (!*got) continue;
    ++datagrams;
    auto m = core::mode6::Decode(std::span(buffer).first((*got)->size));
    if (!m) continue;
    auto state = reassembler.Add(*m);
    if (!state) {
      using E = core::mode6::Reassembler::Error;
      if (state.error() == E::kErrorResponse) {
        return Unexpected(server_.ToStringWithPort() + " answered: " +
                          std::string(core::mode6::ErrorCodeName(reassembler.error_code())));
      }
      if (state.error() == E::kTooMany || state.error() == E::kOverlap) {
        return Unexpected(server_.ToStringWithPort() + ": malformed answer");
      }
      continue;  // another exchange's datagram
    }
    if (*state == core::mode6::Reassembler::State::kComplete) {
      return Mode6Answer{reassembler.status(), reassembler.association_id(), reassembler.data()};
    }
  }
  return Unexpected("no answer from " + server_.ToStringWithPort());
}

Result<std::vector<core::mode6::AssociationStatus>, std::string> Mode6Client::Associations() {
  auto a = Query(Opcode::kReadStatus, 0);
  if (!a) return Unexpected(a.error());
  auto list = core::mode6::ParseStatusList(a->data);
  if (!list) return Unexpected(server_.ToStringWithPort() + ": malformed association list");
  return *list;
}

Result<std::map<std::string, std::string>, std::string> Mode6Client::ReadVariables(uint16_t association_id,
                                                                                  const std::string& names,
                                                                                  uint16_t* status) {
  auto a = Query(Opcode::kReadVariables, association_id, names);
  if (!a) return Unexpected(a.error());
  if (status) *status = a->status;
  std::map<std::string, std::string> out;
  for (auto& [k, v] : core::mode6::ParseVariables(a->data)) out[k] = v;
  return out;
}

}  // namespace tempus::app

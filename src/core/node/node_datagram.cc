// core::node::Node: the one entry of every datagram (OnDatagram), routed by mode (RFC 5905 §9.2):
// server replies and symmetric packets to their association, requests and new peers to the
// core::server::Server, mode 6 to the core::control::ControlServer. Their answers are Reply actions
// whose bytes the Node keeps until its next call.
#include "core/node/node.h"

#include "core/wire/codec.h"

namespace tempus::core::node {

const NodeActions& Node::OnDatagram(const Datagram& d, Instant now) {
  Begin(now);
  if (d.bytes.empty()) return actions_;
  counters_.CountDatagram(d.bytes);
  switch (PeekMode(d.bytes)) {
    case Mode::kControl: OnControl(d); break;
    case Mode::kServer: OnPacket(d); break;
    case Mode::kSymmetricActive:
    case Mode::kSymmetricPassive: OnSymmetric(d); break;
    default:
      if (config_.serve) Serve(d);
      break;
  }
  return actions_;
}

// A server reply or a symmetric packet, taken by the association at its address.
void Node::OnPacket(const Datagram& d) {
  auto it = by_address_.find(d.from);
  if (it == by_address_.end()) return;  // not one of our sources
  const uint32_t id = it->second;
  auto a = assocs_.find(id);
  if (a == assocs_.end()) return;
  const Mode mode = PeekMode(d.bytes);
  const bool symmetric_packet = mode == Mode::kSymmetricActive || mode == Mode::kSymmetricPassive;
  if (symmetric_packet ? !a->second->symmetric() : mode != Mode::kServer) return;
  // Test 5 (RFC 5905 §8): the core reads the MAC's shape, the Authenticator checks the digest.
  const std::optional<uint32_t> key = a->second->config().key_id;
  AuthVerdict verdict = AuthVerdict::kNone;
  if (key && auth_ == nullptr) {
    verdict = AuthVerdict::kBad;  // no keys at all: nothing can authenticate
  } else if (key) {
    const auto decoded = Decode(d.bytes);
    if (decoded) verdict = CheckMac(d.bytes, *decoded, key, *auth_);
  }
  if (key && verdict != AuthVerdict::kOk) ++counters_.bad_auth;
  Carry(id, a->second->OnPacket(d.bytes, d.rx, now_.mono, verdict));
  // An answer cancels the reply deadline (Association::NextWake) without a SetTimer: the timer
  // follows, so that the host does not wake at the old deadline for nothing.
  if (auto it2 = deadlines_.find(id); it2 != deadlines_.end() && assocs_.contains(id)) {
    if (const auto wake = assocs_.at(id)->NextWake()) it2->second = *wake;
  }
  UpdateQuiet(id);
  if (symmetric_packet) ReapRetired();
}

// Mode 1 or 2: the symmetric association at that address; an association of another mode (our
// server answering in a symmetric mode) is the Server's to drop and count; else a new peer.
void Node::OnSymmetric(const Datagram& d) {
  auto it = by_address_.find(d.from);
  if (it == by_address_.end()) {
    if (config_.serve && started_) OnNewPeer(d);
    return;
  }
  auto a = assocs_.find(it->second);
  if (a != assocs_.end() && a->second->symmetric()) {
    OnPacket(d);
  } else {
    (void)server_.Handle(d.bytes, d.from, d.rx.ToNtp(), now_.mono, auth(), reply_);  // dropped, counted
  }
}

// ntpd's AM_NEWPASS: only an authenticated peer mobilizes a passive association (with
// `enable auth`); an unauthenticated one gets our time in a mode 2 reply at most, so that it can
// follow us, while we never follow it.
void Node::OnNewPeer(const Datagram& d) {
  const server::NewPeerPolicy policy{config_.authenticate_peers, ephemeral_.size(), config_.max_ephemeral};
  const server::NewPeerVerdict v =
      server_.HandleNewPeer(d.bytes, d.from, d.rx.ToNtp(), now_.mono, auth(), policy, reply_);
  if (v.reason == server::DropReason::kUnauthenticatedPeer) {
    if (const OncePerSource::Verdict told = unauthenticated_told_.Check(d.from, now_.mono); told.log) {
      Event(UnauthenticatedPeer{d.from, v.reply.has_value(), told.suppressed});
    }
  }
  if (v.reply) AddReply(*v.reply, d);
  if (v.action != server::NewPeerAction::kMobilize) return;
  MobilizePassive(d, assoc::PassiveAssociationConfig(d.from, v.version, v.poll, v.key_id));
}

// Mode 6: access and rate limit first; the snapshot is built only for a request that passed them.
void Node::OnControl(const Datagram& d) {
  auto action = control_.Handle(d.bytes, d.from, now_.mono, server_.restricts(),
                                [this, &d] { return Snapshot(now_, d.system_clock_offset); });
  auto* respond = std::get_if<control::Respond>(&action);
  if (respond == nullptr) return;
  control_reply_ = std::move(respond->datagrams);
  for (const std::vector<uint8_t>& datagram : control_reply_) {
    actions_.emplace_back(Reply{datagram, d.from, d.local, /*restamp=*/false, std::nullopt});
  }
}

// Requests (mode 3), and the modes nobody answers, which the Server drops and counts.
void Node::Serve(const Datagram& d) {
  const server::ServerAction action = server_.Handle(d.bytes, d.from, d.rx.ToNtp(), now_.mono, auth(), reply_);
  if (const auto* respond = std::get_if<server::Respond>(&action)) AddReply(*respond, d);
}

void Node::AddReply(const server::Respond& respond, const Datagram& d) {
  actions_.emplace_back(Reply{respond.bytes, d.from, d.local, respond.restamp, respond.sign_key});
}

}  // namespace tempus::core::node

// core::node::Node: sources coming and going (configured, reloaded, passive peers, our own
// addresses) and the settings a reload replaces.
#include <algorithm>

#include "core/node/node.h"

namespace tempus::core::node {

using assoc::Association;
using assoc::AssociationConfig;
using system::Refusal;

Result<uint32_t, SourceError> Node::Mobilize(uint32_t id, const AssociationConfig& source) {
  auto valid = ValidateAssociationConfig(source);
  if (!valid) return Unexpected(SourceError{source.address, SourceError::Kind::kInvalid, valid.error()});
  if (by_address_.contains(valid->address)) {
    return Unexpected(SourceError{source.address, SourceError::Kind::kDuplicate, {}});
  }
  auto assoc = std::make_unique<Association>(*valid, random_, precision_log2_);
  assoc->SetSystemSnapshot(system_.Snapshot());
  assocs_.emplace(id, std::move(assoc));
  by_address_[valid->address] = id;
  // Our own address (a cluster's config copied to every node): it stays visible, but polling it
  // would only talk to ourselves, and selecting it would follow our own clock.
  const bool self = IsOwnAddress(valid->address);
  if (self) self_.insert(id);
  const bool symmetric = valid->mode == Mode::kSymmetricActive || valid->mode == Mode::kSymmetricPassive;
  system_.AddSource(id, {valid->prefer, valid->noselect, valid->truechimer, self, symmetric},
                    AddressRefId(valid->address, config_));
  return id;
}

Result<uint32_t, SourceError> Node::AddSource(const AssociationConfig& source, Instant now) {
  Begin(now);
  // A configured association replaces a passive one its peer mobilized (a reload adding `peer`).
  if (auto it = by_address_.find(source.address); it != by_address_.end() && ephemeral_.contains(it->second)) {
    Remove(it->second);
  }
  const uint32_t id = next_id_;
  auto r = Mobilize(id, source);
  if (!r) return r;
  ++next_id_;
  if (started_ && !self_.contains(id)) {
    Carry(id, assocs_.at(id)->SetSystemPoll(system_poll_, now_.mono));
    Carry(id, assocs_.at(id)->SetStartup(startup_, now_.mono));
    Carry(id, assocs_.at(id)->OnTimer(now_.mono, now_.local));
  }
  return id;
}

bool Node::RemoveSource(uint32_t id, Instant now) {
  Begin(now);
  return Remove(id);
}

bool Node::Remove(uint32_t id) {
  auto it = assocs_.find(id);
  if (it == assocs_.end()) return false;
  by_address_.erase(it->second->config().address);
  ephemeral_.erase(id);
  self_.erase(id);
  deadlines_.erase(id);
  nts_.erase(id);
  system_.RemoveSource(id);
  refusal_log_.Forget(id);
  assocs_.erase(it);
  // Selection runs again without it (the system peer may have been this source).
  Apply(system_.OnTick(now_.mono, now_.local));
  return true;
}

void Node::ReapRetired() {
  std::vector<uint32_t> retired;
  retired.swap(retired_);
  for (uint32_t id : retired) Remove(id);
}

void Node::MobilizePassive(const Datagram& d, const AssociationConfig& config) {
  const uint32_t id = next_id_;
  if (auto r = Mobilize(id, config); !r) return;  // not told: the sender may be a flood
  ++next_id_;
  ephemeral_.insert(id);
  ++ephemeral_mobilized_;
  Event(PassivePeerMobilized{config.address, config.key_id});
  Association& a = *assocs_.at(id);
  Carry(id, a.SetSystemPoll(system_poll_, now_.mono));
  Carry(id, a.SetStartup(startup_, now_.mono));
  // The server path verified the MAC of the mobilizing packet with the association's key.
  Carry(id, a.OnPacket(d.bytes, d.rx, now_.mono, config.key_id ? AuthVerdict::kOk : AuthVerdict::kNone));
  // The first poll goes out now: it answers the mobilizing packet (org = its transmit time), so
  // the active side has a sample without waiting for our poll interval.
  Carry(id, a.OnTimer(now_.mono, now_.local));
  ReapRetired();
}

bool Node::IsOwnAddress(const NetAddress& address) const {
  if (config_.self_address && *config_.self_address == address) return true;
  const auto& own = config_.own_addresses;
  return std::find(own.begin(), own.end(), address) != own.end();
}

void Node::SetLeapTable(std::optional<LeapTable> table, Instant now) {
  Begin(now);
  system_.SetLeapTable(std::move(table));
  Apply(system_.OnTick(now_.mono, now_.local));
}

void Node::SetSystemTunables(const system::SystemConfig& config, Instant now) {
  Begin(now);
  config_.system.local_stratum = config.local_stratum;
  config_.system.local_refid = config.local_refid;
  config_.system.local_unit = config.local_unit;
  // A local clock added on reload is shown with a new id; removed and added again, with its old one.
  if (config.local_stratum > 0 && !local_id_) local_id_ = next_id_++;
  const bool reset = system_.SetTunables(config);
  system::SystemUpdate update = system_.OnTick(now_.mono, now_.local);
  update.snapshot_changed |= reset;  // a fallback turned off: publish the unsynchronized snapshot
  Apply(update);
}

void Node::SetAccess(const server::AccessPolicy& access) {
  config_.access = access;
  // As at construction: the rate limiter's key is drawn once there are restrict rules.
  uint64_t key = server_.rate_limiter().hash_key();
  if (key == 0 && !access.restricts.empty()) key = random_.NextU64();
  server_.SetAccess(access, key);
}

void Node::TellRefusals(bool always) {
  const bool changed = system_.refusal_changes() != refusal_changes_seen_;
  if (!changed && !(always && refusal_log_.waiting() > 0)) return;
  refusal_changes_seen_ = system_.refusal_changes();
  refusal_log_.BeginPass();
  for (const auto& [id, refusal] : system_.Refusals()) {
    auto it = assocs_.find(id);
    if (it == assocs_.end() || !refusal_log_.Changed(id, refusal, now_.mono)) continue;
    SourceRefused e{it->second->config().address, refusal, std::nullopt, config_.system.select.max_distance};
    if (refusal == Refusal::kDistance) {
      for (const system::SourceView& v : system_.Sources()) {
        if (v.id == id) e.root_distance = v.root_distance;
      }
    }
    Event(e);
  }
  const Refusal refusal = system_.refusal();
  if (!refusal_log_.Changed(RefusalLog::kSystemKey, refusal, now_.mono)) return;
  const discipline::DisciplineConfig& d = config_.system.discipline;
  Event(SystemRefused{refusal, system_.panic_offset(), d.panic_threshold, d.allow_panic_at_start,
                      config_.system.select.min_sane});
}

}  // namespace tempus::core::node

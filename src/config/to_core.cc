// Config -> core settings.
#include "config/to_core.h"

#include <climits>
#include <utility>

namespace tempus::config {
namespace {

uint32_t ToCoreFlags(const RestrictEntry& e) {
  using core::server::Restrict;
  static constexpr std::pair<RestrictFlag, Restrict> kMap[] = {
      {RestrictFlag::kIgnore, Restrict::kIgnore},   {RestrictFlag::kNoServe, Restrict::kNoServe},
      {RestrictFlag::kNoQuery, Restrict::kNoQuery}, {RestrictFlag::kNoModify, Restrict::kNoModify},
      {RestrictFlag::kNoPeer, Restrict::kNoPeer},   {RestrictFlag::kNoEpeer, Restrict::kNoPeer},
      {RestrictFlag::kNoTrap, Restrict::kNoTrap},   {RestrictFlag::kNoTrust, Restrict::kNoTrust},
      {RestrictFlag::kLimited, Restrict::kLimited}, {RestrictFlag::kKod, Restrict::kKod},
      {RestrictFlag::kVersion, Restrict::kVersion},
  };
  uint32_t out = 0;
  for (const auto& [from, to] : kMap) {
    if (e.Has(from)) out |= static_cast<uint32_t>(to);
  }
  return out;
}

}  // namespace

core::server::AccessPolicy ToAccessPolicy(const Config& config, std::span<const core::NetAddress> sources,
                                          const HostAddresses& hosts) {
  using core::server::RestrictRule;
  core::server::AccessPolicy p;
  for (const RestrictEntry& e : config.restricts) {
    const uint32_t flags = ToCoreFlags(e);
    auto add = [&](RestrictRule r) {
      r.unrestrict = e.unrestrict;
      p.restricts.push_back(r);
    };
    switch (e.target) {
      case RestrictTarget::kDefault:
        if (e.family != Family::kIPv6) add(RestrictRule::Default(core::NetAddress::Family::kIPv4, flags));
        if (e.family != Family::kIPv4) add(RestrictRule::Default(core::NetAddress::Family::kIPv6, flags));
        break;
      case RestrictTarget::kAddress: {
        RestrictRule r;
        r.address = e.address.WithPort(0);
        r.mask = e.mask.WithPort(0);
        r.flags = flags;
        add(r);
        break;
      }
      case RestrictTarget::kSource:
        for (const auto& s : sources) add(RestrictRule::Network(s, s.is_v4() ? 32 : 128, flags));
        break;
      case RestrictTarget::kHost: {
        const auto it = hosts.find(e.host);
        if (it == hosts.end()) break;  // did not resolve (ResolveRestrictHosts warned)
        for (const core::NetAddress& a : it->second) {
          if (e.family != Family::kAny && (e.family == Family::kIPv4) != a.is_v4()) continue;
          // A mask applies to the addresses of its family only.
          const bool has_mask = e.mask.family() != core::NetAddress::Family::kNone;
          if (has_mask && e.mask.family() != a.family()) continue;
          RestrictRule r = RestrictRule::Network(a.WithPort(0), a.is_v4() ? 32 : 128, flags);
          if (has_mask) r.mask = e.mask.WithPort(0);
          add(r);
        }
        break;
      }
    }
  }
  const DiscardConfig& d = config.discard;
  if (d.average_log2) p.rate.average_log2 = *d.average_log2;
  if (d.minimum_s) p.rate.minimum_s = *d.minimum_s;
  if (d.monitor) p.rate.monitor_s = *d.monitor;
  if (d.limit_kod_pps) p.rate.kod_per_second = *d.limit_kod_pps;
  return p;
}

core::assoc::AssociationConfig ToAssociationConfig(const ServerConfig& server, const core::NetAddress& resolved) {
  core::assoc::AssociationConfig a;
  a.address = resolved.port() != 0 ? resolved : resolved.WithPort(server.port);
  a.mode = server.kind == AssocKind::kPeer ? core::Mode::kSymmetricActive : core::Mode::kClient;
  a.minpoll = server.minpoll;
  a.maxpoll = server.maxpoll;
  a.version = static_cast<uint8_t>(server.version);
  a.iburst = server.iburst;
  a.burst = server.burst;
  a.prefer = server.prefer;
  a.noselect = server.noselect;
  a.truechimer = server.truechimer;
  a.pool = server.kind == AssocKind::kPool;
  a.key_id = server.key;
  a.nts = server.nts;
  return a;
}

core::system::SystemConfig ToSystemConfig(const Config& config, core::system::SystemConfig defaults) {
  core::system::SystemConfig s = std::move(defaults);
  const TosConfig& tos = config.tos;
  if (tos.minsane) s.select.min_sane = *tos.minsane;
  if (tos.minclock) s.select.min_clock = *tos.minclock;
  if (tos.maxclock) s.select.max_clock = *tos.maxclock;
  if (tos.maxdist_s) s.select.max_distance = core::NtpDuration::FromSeconds(*tos.maxdist_s);
  if (tos.mindist_s) s.select.min_distance = core::NtpDuration::FromSeconds(*tos.mindist_s);
  if (tos.orphan) s.orphan_stratum = *tos.orphan;
  if (tos.orphanwait_s) s.orphan_wait = core::NtpDuration::FromSeconds(*tos.orphanwait_s);

  const TinkerConfig& t = config.tinker;
  auto& d = s.discipline;
  if (t.step_s) d.step_threshold = core::NtpDuration::FromSeconds(*t.step_s);
  if (t.stepout_s) d.stepout = core::NtpDuration::FromSeconds(*t.stepout_s);
  // An explicit `tinker panic N` keeps the limit from the start, as ntpd without -g; without it
  // the first update steps any amount, as ntpd -g (Debian's and CentOS's default). 0: no limit.
  if (t.panic_s) {
    d.panic_threshold = core::NtpDuration::FromSeconds(*t.panic_s);
    d.allow_panic_at_start = false;
  }
  if (t.freq_ppm) d.initial_frequency_ppm = *t.freq_ppm;  // tinker freq overrides the driftfile
  if (config.makestep) {
    d.makestep_threshold = core::NtpDuration::FromSeconds(config.makestep->threshold_s);
    d.makestep_limit = config.makestep->limit < 0 ? INT_MAX : config.makestep->limit;
  }
  if (const auto& local = config.local_clock) {
    s.local_stratum = local->stratum;
    if (local->driver_unit) {
      // ntpd's clock_update(): the refid of a system peer below stratum 1 is its address
      // (127.127.1.u), at stratum 0 its reference code ("LOCL"); `local stratum N` keeps chrony's.
      s.local_unit = static_cast<uint8_t>(*local->driver_unit);
      s.local_refid = local->stratum == 1 ? core::RefId::FromCode("LOCL")
                                          : core::RefId::FromRaw(0x7f7f0100u | s.local_unit);
    }
  }
  return s;
}

}  // namespace tempus::config

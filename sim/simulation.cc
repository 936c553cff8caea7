// Simulation: building the hosts from the scenario, the event loop, and the statistics.
#include "sim/simulation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "base/check.h"

namespace tempus::sim {
namespace {

// True time zero is 2027-01-01T00:00:00Z on every node's time scale.
constexpr int64_t kEpochUnixSeconds = 1798761600;

SimTime AtSeconds(double s) { return core::NtpDuration::FromSeconds(s); }
double Seconds(SimTime t) { return t.Seconds(); }

double Draw(const Range& r, SimRandom& random) { return r.lo == r.hi ? r.lo : r.lo + (r.hi - r.lo) * random.Uniform(); }

}  // namespace

struct Simulation::Host {
  const NodeSpec* spec = nullptr;
  std::unique_ptr<SimClock> clock;
  std::unique_ptr<SeededRandom> random;
  std::unique_ptr<engine::Node> node;
  bool started = false, dead = false;
  std::optional<SimTime> scheduled;
  uint64_t generation = 0;
  // Statistics.
  uint64_t samples = 0;
  double sum_sq = 0.0, max_abs = 0.0, last_offset = 0.0;
  std::optional<double> last_bad_1ms, last_bad_100us;
  std::vector<size_t> peers_ever;
  double orphan_parent_s = 0.0;
  double max_freq_ppm = 0.0;
  std::optional<double> synced_s;
  std::optional<uint32_t> last_peer;
  // Loss of the system peer.
  std::optional<SimTime> lost_at, first_miss;
  size_t lost_node = 0;
  double lost_poll_s = 0.0;
  bool lost_peer = false;
  std::optional<double> reselect_s, reselect_after_miss_s;
  std::map<uint32_t, int> logged_poll;  // association id -> hpoll last logged (--log only)
};

Simulation::Simulation(const Scenario& scenario)
    : scenario_(scenario),
      epoch_(core::UnixTime::FromParts(kEpochUnixSeconds, 0)),
      network_(queue_, now_, scenario.nodes.size(), scenario.seed) {}

Simulation::~Simulation() = default;

Result<std::unique_ptr<Simulation>, std::vector<std::string>> Simulation::Create(const Scenario& scenario, SimLog log) {
  std::unique_ptr<Simulation> sim(new Simulation(scenario));
  sim->log_ = std::move(log);
  const Scenario& sc = sim->scenario_;
  const size_t n = sc.nodes.size();
  auto members = [&](const std::string& name) {
    std::vector<bool> set(n, false);
    if (auto idx = sc.Resolve(name)) {
      for (size_t i : *idx) set[i] = true;
    }
    return set;
  };
  for (size_t i = 0; i < n; ++i) sim->network_.SetAddress(i, sc.nodes[i].address);
  sim->network_.OnDeadDrop([s = sim.get()](size_t from, size_t to) {
    Host& h = *s->hosts_[from];
    if (h.lost_at && h.lost_node == to && !h.first_miss) h.first_miss = s->now_;
  });
  for (const auto& l : sc.links) {
    sim->network_.AddLink(members(l.a), members(l.b), {l.delay_s, l.jitter_s, l.asymmetry_s, l.loss});
  }
  for (const auto& p : sc.partitions) {
    sim->network_.AddPartition(members(p.a), p.b.empty() ? std::vector<bool>() : members(p.b), AtSeconds(p.from_s),
                               AtSeconds(p.to_s));
  }
  std::vector<std::string> errors;
  for (size_t i = 0; i < n; ++i) {
    const NodeSpec& spec = sc.nodes[i];
    auto host = std::make_unique<Host>();
    host->spec = &spec;
    SimRandom draw(DeriveSeed(sc.seed, i, Stream::kScenario));
    SimClockOptions copt;
    copt.perfect = spec.perfect;
    copt.offset_s = Draw(spec.offset_s, draw);
    copt.freq_ppm = Draw(spec.freq_ppm, draw);
    copt.wander_ppb = Draw(spec.wander_ppb, draw);
    host->clock = std::make_unique<SimClock>(copt, sim->now_, sim->epoch_, DeriveSeed(sc.seed, i, Stream::kClock));
    host->random = std::make_unique<SeededRandom>(DeriveSeed(sc.seed, i, Stream::kNode));
    const NameResolver resolve = [&sc, i](std::string_view name) -> std::optional<std::vector<core::NetAddress>> {
      auto idx = sc.Resolve(name);
      if (!idx) return std::nullopt;
      std::vector<core::NetAddress> out;
      for (size_t j : *idx) {
        if (j != i) out.push_back(sc.nodes[j].address);
      }
      return out;
    };
    auto config = BuildNodeConfig(spec.config, sc.file, resolve);
    if (!config) {
      for (const auto& e : config.error()) errors.push_back(fmt::format("{} (node {})", e, spec.name));
      sim->hosts_.push_back(std::move(host));
      continue;
    }
    config->self_address = spec.address;
    engine::NodeLog node_log;
    if (sim->log_) {
      node_log = [s = sim.get(), name = spec.name](const std::string& m) { s->log_(Seconds(s->now_), name, m); };
    }
    host->node = std::make_unique<engine::Node>(*config, *host->clock, sim->network_.transport(i), *host->random,
                                                std::move(node_log));
    sim->network_.SetAlive(i, false);
    if (spec.stats.value_or(!spec.perfect)) sim->in_stats_.push_back(i);
    sim->hosts_.push_back(std::move(host));
  }
  if (!errors.empty()) return Unexpected(std::move(errors));
  sim->stats_from_ = AtSeconds(sc.stats_from_s);
  sim->stats_to_ = AtSeconds(sc.stats_to_s.value_or(sc.duration_s));
  return sim;
}

void Simulation::AfterCall(size_t i) {
  Host& h = *hosts_[i];
  if (h.dead || !h.started) return;
  const std::optional<uint32_t> peer = h.node->system().system_peer();
  if (peer != h.last_peer) {
    h.last_peer = peer;
    if (peer) {
      const auto& assocs = h.node->associations();
      auto it = assocs.find(*peer);
      const int64_t j = it == assocs.end() ? -1 : network_.NodeAt(it->second->config().address);
      if (j >= 0) {
        const size_t pj = static_cast<size_t>(j);
        if (std::find(h.peers_ever.begin(), h.peers_ever.end(), pj) == h.peers_ever.end()) h.peers_ever.push_back(pj);
        if (h.lost_at && pj != h.lost_node && !h.reselect_s) {
          h.reselect_s = Seconds(now_ - *h.lost_at);
          h.reselect_after_miss_s = Seconds(now_ - h.first_miss.value_or(*h.lost_at));
        }
      }
    }
  }
  if (log_) LogPolls(i);
  const SimTime deadline = std::max(h.node->NextDeadline().since_origin(), now_);
  if (h.scheduled && *h.scheduled == deadline) return;
  h.scheduled = deadline;
  Event e;
  e.at = deadline;
  e.kind = EventKind::kTimer;
  e.node = static_cast<uint32_t>(i);
  e.generation = ++h.generation;
  queue_.Push(e);
}

void Simulation::LogPolls(size_t i) {
  Host& h = *hosts_[i];
  for (const auto& [id, a] : h.node->associations()) {
    const int p = a->hpoll().log2();
    auto [it, fresh] = h.logged_poll.try_emplace(id, p);
    if (!fresh && it->second == p) continue;
    it->second = p;
    log_(Seconds(now_), h.spec->name, fmt::format("poll {} of source {}", p, a->config().address.ToString()));
  }
}

void Simulation::Kill(size_t i) {
  Host& dying = *hosts_[i];
  dying.dead = true;
  network_.SetAlive(i, false);
  if (log_) log_(Seconds(now_), dying.spec->name, "dies");
  for (auto& hp : hosts_) {
    Host& h = *hp;
    if (h.dead || !h.started || !h.last_peer) continue;
    const auto& assocs = h.node->associations();
    auto it = assocs.find(*h.last_peer);
    if (it == assocs.end() || network_.NodeAt(it->second->config().address) != static_cast<int64_t>(i)) continue;
    h.lost_at = now_;
    h.lost_node = i;
    h.lost_peer = true;
    h.lost_poll_s = it->second->hpoll().Interval().Seconds();
  }
}

void Simulation::Handle(const Event& e) {
  Host& h = *hosts_[e.node];
  switch (e.kind) {
    case EventKind::kStart:
      if (h.dead) return;
      h.started = true;
      network_.SetAlive(e.node, true);
      h.node->Start();
      return AfterCall(e.node);
    case EventKind::kTimer:
      if (h.dead || e.generation != h.generation) return;
      h.scheduled.reset();
      h.node->OnTimer();
      return AfterCall(e.node);
    case EventKind::kDeliver:
      if (h.dead || !h.started) return;
      h.node->OnDatagram(std::span<const uint8_t>(e.data.data(), e.size), network_.address(e.peer), epoch_ + now_);
      return AfterCall(e.node);
    case EventKind::kStep:
      h.clock->InjectStep(e.value_s);
      if (log_) log_(Seconds(now_), h.spec->name, fmt::format("clock stepped by {:+.6f} s (scenario)", e.value_s));
      return;
    case EventKind::kKill:
      if (!h.dead) Kill(e.node);
      return;
    case EventKind::kKillPeer: {
      if (h.dead || !h.started || !h.last_peer) return;
      const auto& assocs = h.node->associations();
      auto it = assocs.find(*h.last_peer);
      const int64_t j = it == assocs.end() ? -1 : network_.NodeAt(it->second->config().address);
      if (j >= 0 && !hosts_[static_cast<size_t>(j)]->dead) Kill(static_cast<size_t>(j));
      return;
    }
    case EventKind::kSample: return;  // handled in Run
  }
}

void Simulation::Sample(std::span<SampleSink* const> sinks) {
  const double t = Seconds(now_);
  const bool in_window = now_ >= stats_from_ && now_ <= stats_to_;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  int parents = 0;
  for (size_t k = 0; k < in_stats_.size(); ++k) {
    Host& h = *hosts_[in_stats_[k]];
    if (!h.started || h.dead) {
      sample_buffer_[k] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const double off = static_cast<double>(h.clock->TrueOffset());
    sample_buffer_[k] = off;
    h.last_offset = off;
    if (std::fabs(off) >= 1e-3) h.last_bad_1ms = t;
    if (std::fabs(off) >= 100e-6) h.last_bad_100us = t;
    h.max_freq_ppm = std::max(h.max_freq_ppm, std::fabs(h.clock->FrequencyPpm()));
    if (!h.synced_s && h.node->system().Snapshot().synchronized()) h.synced_s = t;
    if (!in_window) continue;
    ++h.samples;
    h.sum_sq += off * off;
    h.max_abs = std::max(h.max_abs, std::fabs(off));
    lo = std::min(lo, off), hi = std::max(hi, off);
    if (h.node->system().orphan_parent()) {
      ++parents;
      h.orphan_parent_s += scenario_.sample_interval_s;
    }
  }
  if (in_window) {
    if (hi >= lo) max_pairwise_s_ = std::max(max_pairwise_s_, hi - lo);
    max_orphan_parents_ = std::max(max_orphan_parents_, parents);
    if (parents > 1) orphan_split_s_ += scenario_.sample_interval_s;
  }
  for (SampleSink* s : sinks) s->OnSample(t, sample_buffer_);
}

Report Simulation::Run(std::span<SampleSink* const> sinks) {
  std::vector<std::string> names;
  for (size_t i : in_stats_) names.push_back(hosts_[i]->spec->name);
  sample_buffer_.assign(in_stats_.size(), 0.0);
  for (SampleSink* s : sinks) s->Begin(names);
  for (size_t i = 0; i < hosts_.size(); ++i) {
    const NodeSpec& spec = *hosts_[i]->spec;
    Event e;
    e.node = static_cast<uint32_t>(i);
    e.at = AtSeconds(spec.start_at_s);
    e.kind = EventKind::kStart;
    queue_.Push(e);
    for (const auto& [at, by] : spec.steps) {
      e.at = AtSeconds(at), e.kind = EventKind::kStep, e.value_s = by;
      queue_.Push(e);
    }
    if (spec.dies_at_s) {
      e.at = AtSeconds(*spec.dies_at_s), e.kind = EventKind::kKill;
      queue_.Push(e);
    }
    if (spec.kill_peer_at_s) {
      e.at = AtSeconds(*spec.kill_peer_at_s), e.kind = EventKind::kKillPeer;
      queue_.Push(e);
    }
  }
  const SimTime end = AtSeconds(scenario_.duration_s);
  const SimTime interval = AtSeconds(scenario_.sample_interval_s);
  SimTime next_sample = SimTime::Zero();
  while (true) {
    // Samples see the state after every event at an earlier time, before any at the same time.
    if (next_sample <= end && (queue_.empty() || queue_.Top().at >= next_sample)) {
      now_ = next_sample;
      Sample(sinks);
      next_sample += interval;
      continue;
    }
    if (queue_.empty() || queue_.Top().at > end) break;
    const Event e = queue_.Pop();
    now_ = e.at;
    ++events_;
    Handle(e);
  }
  now_ = end;
  return Finish();
}

Report Simulation::Finish() {
  Report r;
  r.file = scenario_.file;
  r.seed = scenario_.seed;
  r.duration_s = scenario_.duration_s;
  r.stats_from_s = Seconds(stats_from_);
  r.stats_to_s = Seconds(stats_to_);
  r.max_pairwise_s = max_pairwise_s_;
  r.max_orphan_parents = max_orphan_parents_;
  r.orphan_split_s = orphan_split_s_;
  r.network = network_.stats();
  r.events = events_;
  const double last_sample =
      std::floor(scenario_.duration_s / scenario_.sample_interval_s) * scenario_.sample_interval_s;
  auto converge = [&](const std::optional<double>& last_bad) -> std::optional<double> {
    if (!last_bad) return 0.0;
    if (*last_bad >= last_sample - 1e-9) return std::nullopt;
    return *last_bad + scenario_.sample_interval_s;
  };
  double sum_sq = 0.0;
  uint64_t samples = 0;
  bool all_1ms = true, all_100us = true, all_synced = true;
  for (size_t i = 0; i < hosts_.size(); ++i) {
    const Host& h = *hosts_[i];
    NodeReport n;
    n.name = h.spec->name;
    n.in_stats = std::find(in_stats_.begin(), in_stats_.end(), i) != in_stats_.end();
    n.alive = !h.dead;
    n.samples = h.samples;
    n.rms_s = h.samples ? std::sqrt(h.sum_sq / static_cast<double>(h.samples)) : 0.0;
    n.max_abs_s = h.max_abs;
    n.converge_1ms_s = converge(h.last_bad_1ms);
    n.converge_100us_s = converge(h.last_bad_100us);
    n.final_offset_s = h.last_offset;
    n.frequency_ppm = h.clock->FrequencyPpm();
    n.packets_sent = h.node->packets_sent();
    n.steps = h.node->steps();
    n.lost_peer = h.lost_peer;
    n.reselect_s = h.reselect_s;
    n.reselect_after_miss_s = h.reselect_after_miss_s;
    n.reselect_poll_s = h.lost_poll_s;
    for (size_t j : h.peers_ever) n.system_peers.push_back(hosts_[j]->spec->name);
    n.orphan_parent_s = h.orphan_parent_s;
    n.max_freq_ppm = h.max_freq_ppm;
    n.synced_s = h.synced_s;
    if (!h.spec->steps.empty() && n.converge_1ms_s) {
      double last_step = 0.0;
      for (const auto& [at, by] : h.spec->steps) last_step = std::max(last_step, at);
      n.recover_1ms_s = std::max(*n.converge_1ms_s - last_step, 0.0);
    }
    r.packets_sent += n.packets_sent;
    if (n.in_stats) {
      sum_sq += h.sum_sq, samples += h.samples;
      r.max_abs_s = std::max(r.max_abs_s, n.max_abs_s);
      all_1ms &= n.converge_1ms_s.has_value();
      all_100us &= n.converge_100us_s.has_value();
      if (n.converge_1ms_s) r.converge_1ms_s = std::max(r.converge_1ms_s.value_or(0.0), *n.converge_1ms_s);
      if (n.converge_100us_s) r.converge_100us_s = std::max(r.converge_100us_s.value_or(0.0), *n.converge_100us_s);
      all_synced &= n.synced_s.has_value();
      if (n.synced_s) r.synced_s = std::max(r.synced_s.value_or(0.0), *n.synced_s);
    }
    r.nodes.push_back(std::move(n));
  }
  if (!all_1ms) r.converge_1ms_s.reset();
  if (!all_100us) r.converge_100us_s.reset();
  if (!all_synced) r.synced_s.reset();
  r.rms_s = samples ? std::sqrt(sum_sq / static_cast<double>(samples)) : 0.0;
  return r;
}

}  // namespace tempus::sim

#include "core/select/select.h"

#include <algorithm>
#include <cmath>

namespace tempus::core::select {
namespace {

// One sane candidate on its way through the pipeline.
struct Entry {
  size_t index;       // into the candidates span
  double offset_s;    // θ
  double distance_s;  // λ, at least min_distance (> 0)
  double jitter_s;    // ψ
  double quality_s;   // Candidate::quality (or λ), at least min_distance
};

// RFC 5905 §11.2.1 sanity: what may take part in selection at all.
bool IsSane(const Candidate& c, const SelectConfig& config) {
  return c.reachable && !c.noselect && c.stratum >= 0 && c.stratum < 16 && c.root_distance <= config.max_distance &&
         c.root_distance >= NtpDuration::Zero();
}

// The merit order of §11.2.2: stratum first, then distance (stratum × MAXDIST + λ); id breaks ties
// so that the result never depends on the input order.
void SortByMerit(std::vector<Entry>& list, std::span<const Candidate> cands, double max_distance_s) {
  std::sort(list.begin(), list.end(), [&](const Entry& a, const Entry& b) {
    const double ma = cands[a.index].stratum * max_distance_s + a.distance_s;
    const double mb = cands[b.index].stratum * max_distance_s + b.distance_s;
    return ma != mb ? ma < mb : cands[a.index].id < cands[b.index].id;
  });
}

// §11.2.2: repeatedly drop the survivor with the largest selection jitter φ until at most
// min_clock remain, the largest φ is no more than the smallest peer jitter ψ, or the largest φ
// is the merit-best survivor's.
void Cluster(std::vector<Entry>& list, std::span<const Candidate> cands, int min_clock,
             std::optional<uint32_t> current_peer, std::vector<Verdict>& verdicts) {
  while (static_cast<int>(list.size()) > std::max(min_clock, 1)) {
    const size_t n = list.size();
    double max_phi = -1.0, min_psi = list[0].jitter_s;
    size_t worst = 0;
    for (size_t i = 0; i < n; ++i) {
      double sum_sq = 0.0;
      for (size_t j = 0; j < n; ++j) {
        const double d = list[i].offset_s - list[j].offset_s;
        sum_sq += d * d;
      }
      const double phi = std::sqrt(sum_sq / static_cast<double>(n - 1));
      if (phi >= max_phi) {  // on a tie the later, worse-merit entry goes
        max_phi = phi;
        worst = i;
      }
      min_psi = std::min(min_psi, list[i].jitter_s);
    }
    const Candidate& w = cands[list[worst].index];
    // The best in merit order (lowest stratum, then λ) is never pruned: otherwise a cluster's
    // nodes, mutually close, outvote their common upstream and the peer hops among them. Nor is
    // the current system peer: among equals one of them always has the largest φ by chance, and
    // pruning it would make the peer hop at every such turn (ChoosePeer's hysteresis decides).
    if (max_phi <= min_psi || w.prefer || w.trusted || worst == 0 || (current_peer && w.id == *current_peer)) break;
    verdicts[list[worst].index].tally = Tally::kOutlier;
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(worst));
  }
}

// The system peer among `survivors` (in merit order), with hysteresis around `current`.
size_t ChoosePeer(const std::vector<Entry>& survivors, std::span<const Candidate> cands,
                  std::optional<uint32_t> current, const SelectConfig& config) {
  const bool any_prefer =
      std::any_of(survivors.begin(), survivors.end(), [&](const Entry& e) { return cands[e.index].prefer; });
  const auto eligible = [&](const Entry& e) { return !any_prefer || cands[e.index].prefer; };
  size_t best = 0;
  while (!eligible(survivors[best])) ++best;
  if (!current.has_value()) return best;
  for (size_t i = 0; i < survivors.size(); ++i) {
    const Entry& cur = survivors[i];
    if (cands[cur.index].id != *current || !eligible(cur)) continue;
    const Entry& top = survivors[best];
    const bool lower_stratum = cands[top.index].stratum < cands[cur.index].stratum;
    const double margin_s = config.reselect_distance.Seconds();
    const bool clearly_closer = cur.quality_s > config.switch_ratio * top.quality_s + margin_s &&
                                cur.distance_s > config.switch_ratio * top.distance_s + margin_s;
    return lower_stratum || clearly_closer ? best : i;
  }
  return best;
}

}  // namespace

SelectResult Select(std::span<const Candidate> cands, const SelectConfig& config,
                    std::optional<uint32_t> current_peer) {
  SelectResult result;
  result.verdicts.reserve(cands.size());
  for (const Candidate& c : cands) result.verdicts.push_back({c.id, Tally::kReject});

  // Sanity checks, and λ floored at mindist (and above zero) so that 1/λ is always finite.
  const double min_distance_s = std::max(config.min_distance, NtpDuration::FromRaw(1)).Seconds();
  std::vector<Entry> sane;
  std::vector<Correctness> intervals;
  for (size_t i = 0; i < cands.size(); ++i) {
    if (!IsSane(cands[i], config)) continue;
    const double lambda = std::max(cands[i].root_distance.Seconds(), min_distance_s);
    const double quality = cands[i].quality > NtpDuration::Zero() ? std::max(cands[i].quality.Seconds(), min_distance_s)
                                                                  : lambda;
    sane.push_back({i, cands[i].offset.Seconds(), lambda, std::max(cands[i].jitter.Seconds(), 0.0), quality});
    intervals.push_back({cands[i].offset, NtpDuration::FromSeconds(lambda)});
  }

  // §11.2.1 intersection: the truechimers overlap the interval; `true` sources always pass.
  result.intersection = Intersect(intervals);
  std::vector<Entry> chimers;
  for (size_t k = 0; k < sane.size(); ++k) {
    const bool ok = cands[sane[k].index].trusted ||
                    (result.intersection.has_value() && Overlaps(intervals[k], *result.intersection));
    if (ok) {
      chimers.push_back(sane[k]);
    } else {
      result.verdicts[sane[k].index].tally = Tally::kFalseticker;
    }
  }
  const double max_distance_s = config.max_distance.Seconds();
  SortByMerit(chimers, cands, max_distance_s);
  while (static_cast<int>(chimers.size()) > std::max(config.max_clock, 1)) {
    result.verdicts[chimers.back().index].tally = Tally::kExcess;
    chimers.pop_back();
  }
  result.truechimers = static_cast<int>(chimers.size());
  if (chimers.empty()) return result;

  // §11.2.2 clustering; the survivors stay in merit order.
  Cluster(chimers, cands, config.min_clock, current_peer, result.verdicts);
  result.survivors = static_cast<int>(chimers.size());
  for (size_t i = 0; i < chimers.size(); ++i) {
    const bool combined = static_cast<int>(i) < std::max(config.max_combine, 1);
    result.verdicts[chimers[i].index].tally = combined ? Tally::kCandidate : Tally::kBackup;
  }
  if (result.truechimers < config.min_sane) return result;

  // System peer, then §11.2.3 combining over the candidates (always including the peer).
  const size_t peer = ChoosePeer(chimers, cands, current_peer, config);
  const Entry& p = chimers[peer];
  double sum_w = 0.0, sum_wx = 0.0, sum_wd2 = 0.0;
  const Candidate& pc = cands[p.index];
  for (size_t i = 0; i < chimers.size(); ++i) {
    Tally& tally = result.verdicts[chimers[i].index].tally;
    if (tally != Tally::kCandidate && i != peer) continue;
    // Combine only what is as good as the peer: not from a higher stratum (a cluster's nodes
    // following the same upstream must not pull each other) and within combine_limit × λ_peer.
    if (i != peer &&
        (cands[chimers[i].index].stratum > pc.stratum || chimers[i].distance_s > config.combine_limit * p.distance_s)) {
      tally = Tally::kBackup;
      continue;
    }
    const double w = 1.0 / chimers[i].distance_s;
    const double d = chimers[i].offset_s - p.offset_s;
    sum_w += w;
    sum_wx += w * chimers[i].offset_s;
    sum_wd2 += w * d * d;
  }
  const double offset_s = pc.prefer ? p.offset_s : sum_wx / sum_w;
  const double phi = std::sqrt(sum_wd2 / sum_w);
  result.system_peer = pc.id;
  result.offset = NtpDuration::FromSeconds(offset_s);
  result.selection_jitter = NtpDuration::FromSeconds(phi);
  result.jitter = NtpDuration::FromSeconds(std::sqrt(p.jitter_s * p.jitter_s + phi * phi));
  result.verdicts[p.index].tally = pc.pps ? Tally::kPpsPeer : Tally::kSystemPeer;
  return result;
}

}  // namespace tempus::core::select

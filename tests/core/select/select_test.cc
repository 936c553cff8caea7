#include "core/select/select.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/select/intersection.h"
#include "core/select/root_distance.h"

namespace tempus::core::select {
namespace {

NtpDuration Ms(double ms) { return NtpDuration::FromSeconds(ms / 1000.0); }

// A reachable stratum-2 source: offset and distance in ms, jitter 0.05 ms.
Candidate Src(uint32_t id, double offset_ms, double distance_ms, int stratum = 2) {
  Candidate c;
  c.id = id;
  c.offset = Ms(offset_ms);
  c.root_distance = Ms(distance_ms);
  c.jitter = Ms(0.05);
  c.stratum = stratum;
  c.reachable = true;
  return c;
}
Candidate With(Candidate c, void (*f)(Candidate&)) {
  f(c);
  return c;
}

std::string Tallies(const SelectResult& r) {
  std::string s;
  for (const Verdict& v : r.verdicts) s += static_cast<char>(v.tally);
  return s;
}

struct Case {
  const char* name;
  std::vector<Candidate> candidates;
  SelectConfig config;
  std::optional<uint32_t> current_peer;
  std::string tallies;           // expected, in input order
  std::optional<uint32_t> peer;  // expected system peer
};

SelectConfig Conf(void (*f)(SelectConfig&)) {
  SelectConfig c;
  f(c);
  return c;
}

std::vector<Case> Cases() {
  return {
      {"FalsetickerAmongThree", {Src(1, 0.0, 1.0), Src(2, 0.5, 1.0), Src(3, 50.0, 1.0)}, {}, {}, "*+x", 1},
      {"TwoFalsetickersAmongFive",
       {Src(1, 0.0, 2.0), Src(2, 0.3, 2.0), Src(3, -60.0, 2.0), Src(4, 0.6, 2.0), Src(5, 80.0, 2.0)},
       {},
       {},
       "*+x+x",
       1},
      {"DisjointGroupsWithoutMajority",
       {Src(1, 0.0, 1.0), Src(2, 0.1, 1.0), Src(3, 50.0, 1.0), Src(4, 50.1, 1.0)},
       {},
       {},
       "xxxx",
       std::nullopt},
      {"PreferWinsOverCloserSource",
       {Src(1, 0.0, 1.0), With(Src(2, 0.4, 3.0), [](Candidate& c) { c.prefer = true; }), Src(3, 0.2, 1.5)},
       {},
       {},
       "+*+",
       2},
      {"NoselectIsShownButNeverUsed",
       {With(Src(1, 0.0, 0.5), [](Candidate& c) { c.noselect = true; }), Src(2, 0.2, 1.0), Src(3, 0.3, 1.0)},
       {},
       {},
       " *+",
       2},
      {"UnreachableAndTooDistantAreRejected",
       {With(Src(1, 0.0, 1.0), [](Candidate& c) { c.reachable = false; }), Src(2, 0.0, 2000.0), Src(3, 0.1, 1.0),
        Src(4, 16.0, 1.0, 16)},
       {},
       {},
       "  * ",
       3},
      {"HysteresisKeepsTheCurrentPeerAmongEquals",
       {Src(1, 0.0, 1.0), Src(2, 0.1, 1.2), Src(3, 0.2, 1.3)},
       {},
       2,
       "+*+",
       2},
      {"HysteresisSwitchesToAClearlyBetterPeer",
       {Src(1, 0.0, 1.0), Src(2, 0.1, 4.0), Src(3, 0.2, 1.3)},
       {},
       2,
       "*#+",  // 2 survives but λ 4 > combine_limit 3 × λ_peer 1: a backup, not combined
       1},
      {"LowerStratumWinsEvenWhenFarther",
       {Src(1, 0.0, 1.0, 3), Src(2, 0.1, 5.0, 1), Src(3, 0.2, 1.3, 3)},
       {},
       1,
       "#*#",  // stratum 3 is not combined with a stratum-1 peer
       2},
      {"MinsaneNotMetMeansNoPeer",
       {Src(1, 0.0, 1.0), Src(2, 0.1, 1.0)},
       Conf([](SelectConfig& c) { c.min_sane = 3; }),
       {},
       "++",
       std::nullopt},
      {"TrustedSourceIsNeverAFalseticker",
       {Src(1, 0.0, 1.0), Src(2, 0.5, 1.0), With(Src(3, 50.0, 1.0), [](Candidate& c) { c.trusted = true; })},
       Conf([](SelectConfig& c) { c.min_clock = 1; }),
       {},
       "*++",
       1},
      {"ClusteringDropsTheOutlier",
       {Src(1, 0.0, 10.0), Src(2, 0.1, 10.0), Src(3, -0.1, 10.0), Src(4, 6.0, 10.0)},
       {},
       {},
       "*++-",
       1},
      {"MaxclockMarksExcess",
       {Src(1, 0.0, 1.0), Src(2, 0.1, 1.1), Src(3, 0.2, 1.2), Src(4, 0.3, 1.3)},
       Conf([](SelectConfig& c) {
         c.max_clock = 2;
         c.min_clock = 2;
       }),
       {},
       "*+..",
       1},
      {"SurvivorsBeyondMaxCombineAreBackups",
       {Src(1, 0.0, 1.0), Src(2, 0.01, 1.1), Src(3, 0.02, 1.2)},
       Conf([](SelectConfig& c) { c.max_combine = 2; }),
       {},
       "*+#",
       1},
      {"PpsPeerIsShownAsO",
       {With(Src(1, 0.0, 1.0), [](Candidate& c) { c.pps = true; }), Src(2, 0.01, 2.0)},
       {},
       {},
       "o+",
       1},
      {"NoCandidatesNoPeer", {}, {}, {}, "", std::nullopt},
  };
}

TEST(Select, TableOfCases) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const SelectResult r = Select(c.candidates, c.config, c.current_peer);
    EXPECT_EQ(Tallies(r), c.tallies);
    EXPECT_EQ(r.system_peer, c.peer);
  }
}

TEST(Select, HysteresisComparesQualityNotTheSawToothOfAge) {
  // Two equal servers polled at different moments: the peer's λ has grown to 3× the other's
  // since its last sample, but their quality (λ without age-grown dispersion) is the same. The
  // peer stays; with quality clearly worse too, it changes.
  SelectConfig config;
  config.min_clock = 1;
  Candidate a = Src(1, 0.0, 9.0), b = Src(2, 0.01, 3.0);
  a.quality = Ms(1.1);
  b.quality = Ms(1.0);
  std::vector<Candidate> cands = {a, b};
  EXPECT_EQ(Select(cands, config, 1u).system_peer, 1u);
  cands[0].quality = Ms(4.0);
  EXPECT_EQ(Select(cands, config, 1u).system_peer, 2u);
  // Without a quality, λ alone decides, as before.
  cands[0].quality = NtpDuration::Zero();
  cands[1].quality = NtpDuration::Zero();
  EXPECT_EQ(Select(cands, config, 1u).system_peer, 2u);
}

TEST(Select, CombinesByInverseDistance) {
  // θ = (0/2 + 4/3) / (1/2 + 1/3) = 1.6 ms; φ around the peer (θ 0): √((16/3) / (5/6)) ms.
  const std::vector<Candidate> cands = {Src(1, 0.0, 2.0), Src(2, 4.0, 3.0)};
  const SelectResult r = Select(cands, {}, {});
  ASSERT_EQ(r.system_peer, 1u);
  EXPECT_NEAR(r.offset.Seconds(), 0.0016, 1e-9);
  const double phi = std::sqrt(6.4) / 1000;
  EXPECT_NEAR(r.selection_jitter.Seconds(), phi, 1e-9);
  EXPECT_NEAR(r.jitter.Seconds(), std::sqrt(phi * phi + 0.00005 * 0.00005), 1e-9);
}

TEST(Select, PreferPeerOffsetIsUsedAlone) {
  const std::vector<Candidate> cands = {Src(1, 0.0, 1.0),
                                        With(Src(2, 0.8, 1.0), [](Candidate& c) { c.prefer = true; })};
  const SelectResult r = Select(cands, {}, {});
  ASSERT_EQ(r.system_peer, 2u);
  EXPECT_EQ(r.offset, Ms(0.8));
}

TEST(Select, ZeroDistanceIsFlooredAndStaysFinite) {
  const std::vector<Candidate> cands = {Src(1, 0.0, 0.0), Src(2, 0.0, 0.0)};
  const SelectResult r = Select(cands, Conf([](SelectConfig& c) { c.min_distance = NtpDuration::Zero(); }), {});
  ASSERT_TRUE(r.system_peer.has_value());
  EXPECT_EQ(r.offset, NtpDuration::Zero());
}

TEST(Select, ResultDoesNotDependOnInputOrder) {
  std::vector<Candidate> a = {Src(1, 0.0, 1.0), Src(2, 0.5, 1.0), Src(3, 50.0, 1.0), Src(4, 0.2, 1.0)};
  std::vector<Candidate> b = {a[3], a[2], a[1], a[0]};
  const SelectResult ra = Select(a, {}, {});
  const SelectResult rb = Select(b, {}, {});
  EXPECT_EQ(ra.system_peer, rb.system_peer);
  EXPECT_EQ(ra.offset, rb.offset);
}

TEST(Intersection, AllowsFalsetickersUpToAMinority) {
  const std::vector<Correctness> three = {{Ms(0), Ms(1)}, {Ms(0.5), Ms(1)}, {Ms(50), Ms(1)}};
  const auto x = Intersect(three);
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->falsetickers_allowed, 1);
  EXPECT_EQ(x->low, Ms(0.5) - Ms(1));
  EXPECT_EQ(x->high, Ms(1));
  const std::vector<Correctness> two_groups = {{Ms(0), Ms(1)}, {Ms(50), Ms(1)}};
  EXPECT_FALSE(Intersect(two_groups).has_value());
  EXPECT_FALSE(Intersect({}).has_value());
}

TEST(Intersection, OffsetsAtTheEdgeOfTheRangeDoNotWrap) {
  const NtpDuration edge = NtpDuration::Max() - Ms(0.5);
  const std::vector<Correctness> near_max = {{edge, Ms(1)}, {edge, Ms(1)}, {NtpDuration::Zero(), Ms(1)}};
  const auto x = Intersect(near_max);
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->high, NtpDuration::Max());
  EXPECT_GT(x->low, NtpDuration::Zero());
  EXPECT_TRUE(Overlaps(near_max[0], *x));
  EXPECT_FALSE(Overlaps(near_max[2], *x));
}

TEST(RootDistance, SumsTheRfcTerms) {
  DistanceInputs in;
  in.delay = Ms(10);
  in.root_delay = Ms(20);
  in.dispersion = Ms(1);
  in.root_dispersion = Ms(2);
  in.jitter = Ms(0.5);
  in.updated = MonoTime::FromSinceOrigin(NtpDuration::FromWholeSeconds(100));
  const MonoTime now = in.updated + NtpDuration::FromWholeSeconds(1000);  // + 15 ms of PHI growth
  EXPECT_NEAR(RootDistance(in, now).Seconds(), 0.015 + 0.002 + 0.001 + 0.015 + 0.0005, 1e-9);
  EXPECT_EQ(RootDistance(DistanceInputs{}, MonoTime{}), kDefaultMinDistance);
}

}  // namespace
}  // namespace tempus::core::select

namespace tempus::core::select {
namespace {

// Arbitrary inputs (fixed seed): the result is always finite, the peer is a survivor and the
// combined offset lies within the survivors' offsets.
TEST(Select, ArbitraryInputsGiveConsistentResults) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> count(0, 12), stratum(0, 17), coin(0, 7);
  std::uniform_int_distribution<int64_t> raw(INT64_MIN, INT64_MAX);
  std::uniform_real_distribution<double> ms(-50.0, 50.0), dist(0.0, 30.0);
  for (int round = 0; round < 2000; ++round) {
    std::vector<Candidate> cands;
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
      Candidate c = Src(static_cast<uint32_t>(i + 1), ms(rng), dist(rng), stratum(rng));
      if (coin(rng) == 0) c.offset = NtpDuration::FromRaw(raw(rng));
      if (coin(rng) == 0) c.root_distance = NtpDuration::FromRaw(raw(rng));
      c.reachable = coin(rng) != 0;
      c.prefer = coin(rng) == 0;
      c.trusted = coin(rng) == 0;
      c.noselect = coin(rng) == 0;
      cands.push_back(c);
    }
    const SelectResult r = Select(cands, {}, n > 0 ? std::optional<uint32_t>(1) : std::nullopt);
    ASSERT_EQ(r.verdicts.size(), cands.size());
    if (!r.system_peer.has_value()) continue;
    double lo = 1e300, hi = -1e300;
    for (size_t i = 0; i < cands.size(); ++i) {
      const Tally t = r.verdicts[i].tally;
      if (t == Tally::kCandidate || t == Tally::kSystemPeer || t == Tally::kPpsPeer || t == Tally::kBackup) {
        lo = std::min(lo, cands[i].offset.Seconds());
        hi = std::max(hi, cands[i].offset.Seconds());
      }
      if (cands[i].id == *r.system_peer) {
        EXPECT_TRUE(t == Tally::kSystemPeer || t == Tally::kPpsPeer);
      }
    }
    EXPECT_TRUE(std::isfinite(r.jitter.Seconds()));
    // Offsets of ±68 years leave doubles a relative precision of 1e-16 or so.
    EXPECT_GE(r.offset.Seconds(), lo - 1e-9 - 1e-12 * std::fabs(lo));
    EXPECT_LE(r.offset.Seconds(), hi + 1e-9 + 1e-12 * std::fabs(hi));
  }
}

}  // namespace
}  // namespace tempus::core::select

// Helpers shared by the discipline's unit tests (test-only): inputs at a time, the command of a
// kind in an update, and a noiseless clock that carries out the discipline's commands.
#ifndef TEMPUS_TESTS_CORE_DISCIPLINE_DISCIPLINE_TEST_UTIL_H_
#define TEMPUS_TESTS_CORE_DISCIPLINE_DISCIPLINE_TEST_UTIL_H_

#include <algorithm>
#include <variant>
#include <vector>

#include "core/discipline/discipline.h"

namespace tempus::core::discipline::testing {

inline MonoTime At(double t) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(t)); }

inline DisciplineInput In(double t, double offset_s, double delay_s = 0.0002) {
  return {NtpDuration::FromSeconds(offset_s), NtpDuration::FromSeconds(delay_s), NtpDuration::Zero(), At(t), At(t)};
}

template <typename T>
const T* Find(const DisciplineUpdate& u) {
  for (const ClockCommand& c : u.commands) {
    if (const T* p = std::get_if<T>(&c)) return p;
  }
  return nullptr;
}

// The phase the correction started by `u` (at `now`) will have removed when it ends.
inline double Planned(const Discipline& d, const DisciplineUpdate& u, double now) {
  const SetFrequency* f = Find<SetFrequency>(u);
  if (f == nullptr || !d.CorrectionEnd().has_value()) return 0.0;
  return f->slew_ppm * 1e-6 * ((*d.CorrectionEnd() - At(now)).Seconds());
}

// A noiseless clock that carries out the discipline's commands, taking the slew back when the
// correction ends as core::Node does: its phase error (clock − true time) and total frequency.
struct Follower {
  double t = 0.0;
  double error = 0.0;
  double natural = 0.0;  // the clock's own frequency error, s/s
  double freq = 0.0;     // the commanded correction in effect (estimate + slew), s/s
  void Apply(const std::vector<ClockCommand>& commands) {
    for (const ClockCommand& cmd : commands) {
      if (auto* st = std::get_if<StepClock>(&cmd)) error += st->offset.Seconds();
      if (auto* f = std::get_if<SetFrequency>(&cmd)) freq = (f->freq_ppm + f->slew_ppm) * 1e-6;
    }
  }
  void AdvanceTo(Discipline& d, double until) {
    if (const auto end = d.CorrectionEnd(); end && (*end - At(0)).Seconds() <= until) {
      const double te = std::max((*end - At(0)).Seconds(), t);
      error += (natural + freq) * (te - t);
      t = te;
      Apply(d.EndCorrection(At(t)));
    }
    error += (natural + freq) * (until - t);
    t = until;
  }
};

}  // namespace tempus::core::discipline::testing

#endif  // TEMPUS_TESTS_CORE_DISCIPLINE_DISCIPLINE_TEST_UTIL_H_

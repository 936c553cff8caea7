// engine::Node: the log lines that say why a source, or the whole node, is not used (see
// refusal_log.h), and the line of a clock step.
#include <fmt/format.h>

#include "engine/node.h"

namespace tempus::engine {

void Node::LogRefusals(bool always) {
  const bool changed = system_.refusal_changes() != refusal_changes_seen_;
  if (!changed && !(always && refusal_log_.waiting() > 0)) return;
  refusal_changes_seen_ = system_.refusal_changes();
  refusal_log_.BeginPass();
  const core::MonoTime now = clock_.Mono();
  for (const auto& [id, refusal] : system_.Refusals()) {
    auto it = assocs_.find(id);
    if (it == assocs_.end() || !refusal_log_.Changed(id, refusal, now)) continue;
    std::string line =
        fmt::format("source {}: {}", it->second->config().address.ToStringWithPort(), SourceRefusalText(refusal));
    if (refusal == core::system::Refusal::kDistance) {
      for (const core::system::SourceView& v : system_.Sources()) {
        if (v.id != id) continue;
        line += fmt::format(" ({:.3f} s > {:.3f} s)", v.root_distance.Seconds(),
                            config_.system.select.max_distance.Seconds());
      }
    }
    Log(line);
  }
  const core::system::Refusal refusal = system_.refusal();
  if (!refusal_log_.Changed(RefusalLog::kSystemKey, refusal, now)) return;
  const core::discipline::DisciplineConfig& d = config_.system.discipline;
  if (refusal == core::system::Refusal::kPanic && system_.panic_offset()) {
    Log(fmt::format("not synchronized: offset {:+.3f} s is beyond the panic threshold ({:.0f} s): refused; {}",
                    system_.panic_offset()->Seconds(), d.panic_threshold.Seconds(),
                    d.allow_panic_at_start ? "step the clock by hand, or restart tempusd (it steps once at start)"
                                           : "step the clock by hand (`tinker panic` keeps the limit at start too)"));
  } else if (refusal == core::system::Refusal::kTooFewSources) {
    Log(fmt::format("no source to follow: fewer sources agree than tos minsane ({})", config_.system.select.min_sane));
  } else {
    Log(fmt::format("no source to follow: {}", SystemRefusalText(refusal)));
  }
}

std::string Node::StepMessage(core::NtpDuration step) const {
  const core::discipline::DisciplineConfig& d = config_.system.discipline;
  std::string line = fmt::format("clock stepped by {:+.6f} s", step.Seconds());
  if (d.panic_threshold > core::NtpDuration::Zero() && step.Abs() > d.panic_threshold) {
    line += fmt::format(" (beyond the panic threshold of {:.0f} s: allowed once at start, as ntpd -g)",
                        d.panic_threshold.Seconds());
  }
  return line;
}

}  // namespace tempus::engine

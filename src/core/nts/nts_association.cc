#include "core/nts/nts_association.h"

#include <algorithm>

namespace tempus::core::nts {

NtpDuration KeBackoff(uint32_t failures, double unit) {
  // 16 s * 2^(n-1), capped at an hour before it can overflow (2^8 * 16 s > 1 h).
  const uint32_t doublings = std::min<uint32_t>(failures == 0 ? 0 : failures - 1, 8);
  const NtpDuration base = std::min(NtpDuration::FromRaw(kKeFirstRetry.raw() << doublings), kKeMaxRetry);
  const double jitter = std::clamp(unit, 0.0, 1.0) * 0.25;
  return NtpDuration::FromSeconds(base.Seconds() * (1.0 - jitter));
}

std::string_view NtsPhaseName(NtsPhase phase) {
  switch (phase) {
    case NtsPhase::kKeDue: return "ke_due";
    case NtsPhase::kKeRunning: return "ke_running";
    case NtsPhase::kSession: return "session";
  }
  return "unknown";
}

void NtsAssociation::KeSucceeded(const SessionKeys& keys, const std::vector<std::vector<uint8_t>>& cookies,
                                 MonoTime now) {
  session_ = std::make_unique<NtsClientSession>(keys, cookies);
  last_ke_ = now;
  phase_ = NtsPhase::kSession;
  failures_ = 0;
  last_failure_.clear();
  ++stats_.ke_ok;
}

bool NtsAssociation::KeFailed(std::string_view reason, MonoTime now, Random& random) {
  ++stats_.ke_failed;
  ++failures_;
  session_.reset();
  phase_ = NtsPhase::kKeDue;
  next_ke_ = now + KeBackoff(failures_, UniformUnit(random));
  const bool changed = reason != last_failure_;
  last_failure_ = std::string(reason);
  return changed;
}

void NtsAssociation::EndSession(MonoTime now) {
  session_.reset();
  phase_ = NtsPhase::kKeDue;
  next_ke_ = now;
}

std::optional<size_t> NtsAssociation::WrapRequest(std::span<const uint8_t> header, Random& random, const Aead& aead,
                                                  std::span<uint8_t> out, MonoTime now) {
  if (!session_) {
    ++stats_.unsent;
    return std::nullopt;
  }
  auto built = session_->BuildRequest(header, random, aead, out);
  if (!built) {
    ++stats_.unsent;
    // Every cookie spent (their replies never came): only a new NTS-KE gives more (§5.7).
    if (built.error() == NtsRequestError::kNoCookie) EndSession(now);
    return std::nullopt;
  }
  ++stats_.requests;
  return *built;
}

NtsVerdict NtsAssociation::OnReply(std::span<const uint8_t> bytes, const Aead& aead, MonoTime now) {
  if (!session_) {
    ++stats_.dropped_no_session;
    return NtsVerdict::kDrop;
  }
  auto checked = session_->CheckReply(bytes, aead);
  if (checked) {
    ++stats_.accepted;
    return NtsVerdict::kAccept;
  }
  ++stats_.drops[static_cast<size_t>(checked.error())];
  if (checked.error() != NtsReplyError::kNak) return NtsVerdict::kDrop;
  // §5.7: the server could not open our cookie (its keys changed): the session is no good.
  ++stats_.naks;
  EndSession(now);
  return NtsVerdict::kNak;
}

uint64_t NtsAssociation::dropped() const {
  uint64_t n = stats_.dropped_no_session;
  for (uint64_t d : stats_.drops) n += d;
  return n;
}

}  // namespace tempus::core::nts

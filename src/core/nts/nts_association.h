// NtsAssociation: what an NTS association (`server HOST nts`, RFC 8915) decides, as pure code: when
// an NTS-KE is due, how long to wait after a failed one, and what a reply means for the session.
//
// The host (tempusd's NtsSources) runs the TLS exchange itself (io::NtsKeClient) when KeDue says,
// and reports back (KeSucceeded / KeFailed). Between key exchanges the session (NtsClientSession)
// wraps every request of the association and judges every reply before the core sees it: only an
// authenticated reply to the outstanding request is a sample; anything else is a counted drop.
// A new NTS-KE is due when the cookies run out (each is sent once, §5.7; replies that never come
// leave none) or the server answers with an NTS NAK (§5.7). Failed exchanges are retried after
// KeBackoff: 16 s doubling up to an hour, less up to a quarter at random, so that the clients of
// a server that went down do not come back in step.
//
// Pure: time (MonoTime), randomness and the AEAD are passed in. Thread-compatible.
#ifndef TEMPUS_CORE_NTS_NTS_ASSOCIATION_H_
#define TEMPUS_CORE_NTS_NTS_ASSOCIATION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "core/nts/aead.h"
#include "core/nts/client_exchange.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"

namespace tempus::core::nts {

inline constexpr NtpDuration kKeFirstRetry = NtpDuration::FromWholeSeconds(16);
inline constexpr NtpDuration kKeMaxRetry = NtpDuration::FromWholeSeconds(3600);

// The wait after `failures` (>= 1) failed NTS-KE exchanges in a row: min(16 s * 2^(failures-1),
// 1 h), less up to a quarter of it by `unit` in [0, 1) (the jitter).
NtpDuration KeBackoff(uint32_t failures, double unit);

enum class NtsPhase : uint8_t {
  kKeDue,      // waiting for the time of the next NTS-KE (next_ke())
  kKeRunning,  // the host runs one
  kSession,    // keys and cookies in hand: requests go out NTS-protected
};
std::string_view NtsPhaseName(NtsPhase phase);

// What the host does with a reply from the association's server.
enum class NtsVerdict : uint8_t {
  kAccept,  // authenticated: hand it to the core
  kDrop,    // counted (drops()), never a sample
  kNak,     // an NTS NAK: dropped, and a new NTS-KE is due now
};

struct NtsAssociationStats {
  uint64_t ke_ok = 0;
  uint64_t ke_failed = 0;
  uint64_t requests = 0;                              // NTS-protected requests built
  uint64_t unsent = 0;                                // polls with no session (or no cookie): nothing sent
  uint64_t accepted = 0;                              // authenticated replies handed on
  uint64_t naks = 0;                                  // NTS NAKs (kNak is also among drops)
  uint64_t dropped_no_session = 0;                    // replies while no session exists
  std::array<uint64_t, kNtsReplyErrorCount> drops{};  // by NtsReplyError
};

class NtsAssociation {
 public:
  // The first NTS-KE is due at `start`.
  explicit NtsAssociation(MonoTime start) : next_ke_(start) {}

  NtsPhase phase() const { return phase_; }
  // Whether the host should start an NTS-KE now.
  bool KeDue(MonoTime now) const { return phase_ == NtsPhase::kKeDue && now >= next_ke_; }
  // When the next NTS-KE is due (meaningful in kKeDue).
  MonoTime next_ke() const { return next_ke_; }

  void KeStarted() { phase_ = NtsPhase::kKeRunning; }
  // A session from NTS-KE: the keys and cookies it gave (§4, §5.1). The failure count is reset.
  void KeSucceeded(const SessionKeys& keys, const std::vector<std::vector<uint8_t>>& cookies, MonoTime now);
  // A failed NTS-KE, by a named reason (io::NtsKeErrorName, or the host's own): the next one is
  // due after KeBackoff. Returns whether the reason differs from the last failure's, so that the
  // host logs a reason once per change, not at every retry.
  bool KeFailed(std::string_view reason, MonoTime now, Random& random);

  // Wraps the association's 48-octet request `header` into an NTS request in `out` (§5.7); its
  // size, or nothing when no session or cookie is at hand (the poll is not sent, counted; a spent
  // cookie store makes a new NTS-KE due at `now`).
  std::optional<size_t> WrapRequest(std::span<const uint8_t> header, Random& random, const Aead& aead,
                                    std::span<uint8_t> out, MonoTime now);
  // Judges a server reply (mode 4) from the association's address (§5.7). A NAK ends the session:
  // a new NTS-KE is due at `now`.
  NtsVerdict OnReply(std::span<const uint8_t> bytes, const Aead& aead, MonoTime now);

  size_t cookies() const { return session_ ? session_->cookies() : 0; }
  uint32_t failures() const { return failures_; }
  const std::string& last_failure() const { return last_failure_; }
  // When the last NTS-KE succeeded; nothing before one has.
  std::optional<MonoTime> last_ke() const { return last_ke_; }
  const NtsAssociationStats& stats() const { return stats_; }
  uint64_t dropped() const;  // every reply not accepted

 private:
  void EndSession(MonoTime now);

  NtsPhase phase_ = NtsPhase::kKeDue;
  MonoTime next_ke_;
  uint32_t failures_ = 0;
  std::string last_failure_;
  std::optional<MonoTime> last_ke_;
  std::unique_ptr<NtsClientSession> session_;
  NtsAssociationStats stats_;
};

}  // namespace tempus::core::nts

#endif  // TEMPUS_CORE_NTS_NTS_ASSOCIATION_H_

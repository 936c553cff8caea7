// Why a node follows no source, in the words `tempus status` prints after "why:" and tempusd
// tells systemd after "not synchronized: " (STATUS=): one wording for both.
#ifndef TEMPUS_APPS_CLI_WHY_H_
#define TEMPUS_APPS_CLI_WHY_H_

#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/system/refusal.h"
#include "engine/refusal_text.h"

namespace tempus::cli {

// The system refusal's words (engine::SystemRefusalText), the panic refusal with the offset it
// refused (seconds, when known); empty for kNone (nothing to explain).
inline std::string WhyNotSynchronized(core::system::Refusal refusal, std::optional<double> refused_offset_s) {
  if (refusal == core::system::Refusal::kNone) return {};
  if (refusal == core::system::Refusal::kPanic && refused_offset_s) {
    return fmt::format("offset beyond the panic threshold: {:+.1f} s, refused", *refused_offset_s);
  }
  return std::string(engine::SystemRefusalText(refusal));
}

}  // namespace tempus::cli

#endif  // TEMPUS_APPS_CLI_WHY_H_

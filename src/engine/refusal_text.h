// The words of a refusal (core/system/refusal.h) in the daemon's log lines (engine/node_log.cc).
#ifndef TEMPUS_ENGINE_REFUSAL_TEXT_H_
#define TEMPUS_ENGINE_REFUSAL_TEXT_H_

#include <string_view>

#include "core/system/refusal.h"

namespace tempus::engine {

// What a source's refusal means, as the end of "source X: ..." (e.g. "not used: it is not
// synchronized (leap indicator 3)"); kNone reads "usable again".
std::string_view SourceRefusalText(core::system::Refusal refusal);
// Why the system follows no source, as the end of "no source to follow: ..." (a source's refusal
// shared by every source is worded for all of them).
std::string_view SystemRefusalText(core::system::Refusal refusal);

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_REFUSAL_TEXT_H_

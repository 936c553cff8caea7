// Diagnostic printing.
#include "config/diagnostic.h"

#include <fmt/format.h>

#include <utility>

namespace tempus::config {

std::string Diagnostic::ToString() const {
  const char* kind = severity == Severity::kWarning ? "warning: " : "";
  if (where.file.empty()) return fmt::format("{}{}", kind, message);
  if (where.line == 0) return fmt::format("{}: {}{}", where.file, kind, message);
  return fmt::format("{}:{}:{}: {}{}", where.file, where.line, where.column, kind, message);
}

Diagnostic MakeDiagnostic(Diagnostic::Severity severity, Location where, std::string message) {
  return Diagnostic{severity, std::move(where), std::move(message)};
}

}  // namespace tempus::config

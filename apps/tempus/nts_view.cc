#include "nts_view.h"

#include <cstdlib>

#include <fmt/format.h>

#include "mode6_client.h"

namespace tempus::app {
namespace {

std::optional<long> LongOf(const std::map<std::string, std::string>& v, const std::string& name) {
  auto it = v.find(name);
  if (it == v.end()) return std::nullopt;
  char* end = nullptr;
  const long x = std::strtol(it->second.c_str(), &end, 10);
  if (end == it->second.c_str()) return std::nullopt;
  return x;
}

std::optional<std::string> TextOf(const std::map<std::string, std::string>& v, const std::string& name) {
  auto it = v.find(name);
  return it == v.end() ? std::nullopt : std::optional(it->second);
}

template <typename T>
nlohmann::json OrNull(const std::optional<T>& x) {
  return x ? nlohmann::json(*x) : nlohmann::json(nullptr);
}

}  // namespace

std::optional<NtsView> NtsViewOf(const std::map<std::string, std::string>& v) {
  const std::optional<long> cookies = LongOf(v, "ntscookies");
  if (!cookies || *cookies < 0) return std::nullopt;
  NtsView n;
  n.cookies = *cookies;
  n.ke_server = TextOf(v, "ntske_server");
  if (auto t = TextOf(v, "ntske_time")) n.ke_age_s = SecondsSince(*t);
  n.ke_ok = LongOf(v, "ntske_ok");
  n.ke_failed = LongOf(v, "ntske_fail");
  n.ke_reason = TextOf(v, "ntske_reason");
  n.sent = LongOf(v, "nts_sent");
  n.good = LongOf(v, "nts_recv_good");
  n.bad = LongOf(v, "nts_recv_bad");
  return n;
}

std::string NtsText(const NtsView& n) {
  std::string out = fmt::format("{} cookie{}", n.cookies, n.cookies == 1 ? "" : "s");
  if (n.ke_server) {
    out += fmt::format(", NTS-KE with {}", *n.ke_server);
    if (n.ke_age_s) out += fmt::format(" {}s ago", *n.ke_age_s);
  }
  if (n.ke_ok && n.ke_failed) out += fmt::format(" ({} ok, {} failed)", *n.ke_ok, *n.ke_failed);
  if (n.ke_reason && *n.ke_reason != "none") out += fmt::format(", last NTS-KE failure: {}", *n.ke_reason);
  if (n.good && n.bad) out += fmt::format(", {} replies authenticated, {} dropped", *n.good, *n.bad);
  return out;
}

nlohmann::json NtsJson(const NtsView& n) {
  nlohmann::json j;
  j["cookies"] = n.cookies;
  j["ke_server"] = OrNull(n.ke_server);
  j["ke_age_s"] = OrNull(n.ke_age_s);
  j["ke_ok"] = OrNull(n.ke_ok);
  j["ke_failed"] = OrNull(n.ke_failed);
  j["ke_last_failure"] = n.ke_reason && *n.ke_reason != "none" ? nlohmann::json(*n.ke_reason) : nlohmann::json(nullptr);
  j["requests"] = OrNull(n.sent);
  j["replies_authenticated"] = OrNull(n.good);
  j["replies_dropped"] = OrNull(n.bad);
  return j;
}

}  // namespace tempus::app

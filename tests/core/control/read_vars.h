// ReadVars: one mode 6 READVAR answered by core::control::HandleControl, reassembled and parsed
// into name -> value, as ntpq would see it. For the control tests.
#ifndef TEMPUS_TESTS_CORE_CONTROL_READ_VARS_H_
#define TEMPUS_TESTS_CORE_CONTROL_READ_VARS_H_

#include <map>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/control/control.h"

namespace tempus::core::control {

// The variables of association `association` (0: the system), all of the default set or `names`.
inline std::map<std::string, std::string> ReadVars(const report::NodeSnapshot& v, uint16_t association = 0,
                                                   std::string_view names = {}) {
  std::map<std::string, std::string> out;
  auto answer = HandleControl(mode6::EncodeRequest(mode6::Opcode::kReadVariables, 7, association, names), v);
  EXPECT_TRUE(answer.has_value());
  if (!answer) return out;
  mode6::Reassembler r(7, mode6::Opcode::kReadVariables);
  for (const auto& d : *answer) {
    auto m = mode6::Decode(d);
    EXPECT_TRUE(m.has_value());
    if (!m || !r.Add(*m)) return out;
  }
  for (auto& [k, val] : mode6::ParseVariables(r.data())) out[k] = val;
  return out;
}

}  // namespace tempus::core::control

#endif  // TEMPUS_TESTS_CORE_CONTROL_READ_VARS_H_

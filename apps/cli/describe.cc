// --describe-cli (see describe.h).
#include "cli/describe.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace tempus::cli {
namespace {

nlohmann::json DescribeOption(const CLI::Option& option) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& s : option.get_snames()) names.push_back("-" + s);
  for (const auto& l : option.get_lnames()) names.push_back("--" + l);
  return {
      {"names", names},
      {"name", option.get_name(true)},
      {"type", option.get_type_name()},
      {"default", option.get_default_str()},
      {"description", option.get_description()},
      {"takes_value", option.get_expected_max() != 0},  // a flag expects 0 values
      {"repeatable", option.get_expected_max() > 1},
      {"required", option.get_required()},
  };
}

nlohmann::json Describe(const CLI::App& app) {
  nlohmann::json options = nlohmann::json::array();
  nlohmann::json positionals = nlohmann::json::array();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden, as in --help
    (option->get_positional() && option->get_lnames().empty() && option->get_snames().empty() ? positionals : options)
        .push_back(DescribeOption(*option));
  }
  nlohmann::json subcommands = nlohmann::json::array();
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    subcommands.push_back(Describe(*sub));
  }
  return {
      {"name", app.get_name()}, {"description", app.get_description()}, {"footer", app.get_footer()},
      {"options", options},     {"positionals", positionals},           {"subcommands", subcommands},
  };
}

}  // namespace

std::string DescribeApp(const CLI::App& app) { return Describe(app).dump(2); }

void AddDescribeFlag(CLI::App& app) {
  app.add_flag_callback("--describe-cli",
                        [&app] {
                          std::printf("%s\n", DescribeApp(app).c_str());
                          throw CLI::Success();
                        })
      ->group("");
}

}  // namespace tempus::cli

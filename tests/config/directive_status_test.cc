// The directive status table (config/directive_status.h) is what the reader does and what
// docs/ntp.conf.md says: every row's example gives the row's warning or error (and a supported
// row's none), every directive the reader knows has a row, and the documentation's table names
// exactly the same rows with the same statuses.
#include "config/directive_status.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/file_system.h"
#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

std::string FirstWord(std::string_view key) { return std::string(key.substr(0, key.find(' '))); }

TEST(DirectiveStatus, EveryDirectiveOfTheReaderHasARowAndEveryRowADirective) {
  std::set<std::string> known;
  for (std::string_view d : KnownDirectives()) {
    known.insert(std::string(d));
    EXPECT_NE(FindDirectiveRow(d), nullptr) << "no status row for directive '" << d << "'";
  }
  std::set<std::string_view> keys;
  for (const DirectiveRow& row : DirectiveTable()) {
    EXPECT_TRUE(known.count(FirstWord(row.key))) << "row '" << row.key << "' names no directive of the reader";
    EXPECT_TRUE(keys.insert(row.key).second) << "row '" << row.key << "' twice";
    EXPECT_EQ(row.note.empty(), row.status == DirectiveStatus::kSupported) << row.key;
  }
}

// Each row's example parses as the row says: supported without any diagnostic, warned with
// exactly the row's warning, error with the row's error.
TEST(DirectiveStatus, EveryRowsExampleShowsItsStatus) {
  for (const DirectiveRow& row : DirectiveTable()) {
    SCOPED_TRACE(std::string(row.key) + ": " + std::string(row.example));
    MemoryFileSystem fs;
    fs.Add("/etc/tempus/extra.conf", "");
    auto r = ParseText(row.example, "ntp.conf", fs);
    const std::string message = DirectiveMessage(row);
    switch (row.status) {
      case DirectiveStatus::kSupported:
        ASSERT_TRUE(r) << testing::Joined(r.error());
        EXPECT_TRUE(r->warnings.empty()) << testing::Joined(r->warnings);
        break;
      case DirectiveStatus::kWarned:
        ASSERT_TRUE(r) << testing::Joined(r.error());
        ASSERT_EQ(r->warnings.size(), 1u) << testing::Joined(r->warnings);
        EXPECT_EQ(r->warnings[0].message, message);
        break;
      case DirectiveStatus::kError:
        ASSERT_FALSE(r);
        ASSERT_EQ(r.error().size(), 1u) << testing::Joined(r.error());
        EXPECT_EQ(r.error()[0].message, message);
        EXPECT_TRUE(r.error()[0].is_error());
        break;
    }
  }
}

// "| `a`, `b c` | args | meaning | warned: ..." -> its cells, split at '|' not escaped as "\|".
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|' && line[i - 1] != '\\') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

// The status of every key docs/ntp.conf.md's directive table names: the backquoted names of a
// row's first cell, the first word of its last cell.
std::map<std::string, std::string> DocumentedStatuses() {
  std::ifstream in(std::string(TEMPUS_SOURCE_DIR) + "/docs/ntp.conf.md");
  EXPECT_TRUE(in.good()) << "cannot read docs/ntp.conf.md";
  std::map<std::string, std::string> out;
  std::string line;
  bool in_table = false;
  const std::regex key(R"(`([^`]+)`)");
  const std::regex status(R"(^\s*\**([a-z]+))");
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) in_table = line == "## Directives";
    if (!in_table || !line.starts_with("| `")) continue;
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() < 4) {
      ADD_FAILURE() << "a row with fewer than 4 cells: " << line;
      continue;
    }
    std::smatch word;
    if (!std::regex_search(cells.back(), word, status)) {
      ADD_FAILURE() << "a row without a status: " << line;
      continue;
    }
    for (auto it = std::sregex_iterator(cells[0].begin(), cells[0].end(), key); it != std::sregex_iterator(); ++it) {
      const std::string k = (*it)[1];
      EXPECT_FALSE(out.count(k)) << "'" << k << "' in two rows of docs/ntp.conf.md";
      out[k] = word[1];
    }
  }
  return out;
}

TEST(DirectiveStatus, DocsTableMatchesTheCodeBothWays) {
  const std::map<std::string, std::string> docs = DocumentedStatuses();
  ASSERT_FALSE(docs.empty());
  for (const DirectiveRow& row : DirectiveTable()) {
    const auto it = docs.find(std::string(row.key));
    if (it == docs.end()) {
      ADD_FAILURE() << "'" << row.key << "' (" << DirectiveStatusName(row.status)
                    << ") is missing from docs/ntp.conf.md's directive table";
      continue;
    }
    EXPECT_EQ(it->second, DirectiveStatusName(row.status)) << "docs/ntp.conf.md's status of '" << row.key << "'";
  }
  for (const auto& [k, s] : docs) {
    EXPECT_NE(FindDirectiveRow(k), nullptr) << "docs/ntp.conf.md's row '" << k << "' (" << s
                                            << ") is not in the code's table (src/config/directive_status.cc)";
  }
}

}  // namespace
}  // namespace tempus::config

#include "config/lexer.h"

#include <gtest/gtest.h>

namespace tempus::config {
namespace {

std::vector<std::string> Texts(const LexedLine& l) {
  std::vector<std::string> out;
  for (const auto& t : l.tokens) out.push_back(t.text);
  return out;
}

TEST(Lexer, SplitsOnWhitespaceAndDropsCommentsAndBlankLines) {
  const auto r = Lex("# header\n\nserver  a.example\tiburst # fast start\n   \n  driftfile /x#y\n", "f");
  ASSERT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0].line, 3);
  EXPECT_EQ(Texts(r.lines[0]), (std::vector<std::string>{"server", "a.example", "iburst"}));
  EXPECT_EQ(r.lines[1].line, 5);
  EXPECT_EQ(Texts(r.lines[1]), (std::vector<std::string>{"driftfile", "/x"}));
}

TEST(Lexer, ColumnsAreOneBasedCharacterPositions) {
  const auto r = Lex("server x.y  iburst\n", "f");
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].tokens[0].column, 1);
  EXPECT_EQ(r.lines[0].tokens[1].column, 8);
  EXPECT_EQ(r.lines[0].tokens[2].column, 13);
  EXPECT_EQ(r.lines[0].tokens[2].end_column, 19);
  // A two-byte character counts as one column.
  const auto u = Lex("logfile \"/tmp/é\" x\n", "f");
  ASSERT_EQ(u.lines.size(), 1u);
  EXPECT_EQ(u.lines[0].tokens[1].text, "/tmp/é");
  EXPECT_EQ(u.lines[0].tokens[2].column, 18);
}

TEST(Lexer, QuotesKeepSpacesAndHashes) {
  const auto r = Lex("driftfile \"/var/lib/my drift#1\" # comment\n", "f");
  ASSERT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.lines.size(), 1u);
  ASSERT_EQ(r.lines[0].tokens.size(), 2u);
  EXPECT_EQ(r.lines[0].tokens[1].text, "/var/lib/my drift#1");
  EXPECT_TRUE(r.lines[0].tokens[1].quoted);
  EXPECT_EQ(r.lines[0].tokens[1].column, 11);
}

TEST(Lexer, ToleratesCrlfAndByteOrderMark) {
  const auto r = Lex("\xEF\xBB\xBFserver a\r\npool b\r\n", "f");
  ASSERT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(Texts(r.lines[0]), (std::vector<std::string>{"server", "a"}));
  EXPECT_EQ(Texts(r.lines[1]), (std::vector<std::string>{"pool", "b"}));
  EXPECT_EQ(r.lines[0].tokens[0].column, 1);
}

TEST(Lexer, NoLineContinuation) {
  const auto r = Lex("server a \\\niburst\n", "f");
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(Texts(r.lines[0]), (std::vector<std::string>{"server", "a", "\\"}));
  EXPECT_EQ(Texts(r.lines[1]), (std::vector<std::string>{"iburst"}));
}

TEST(Lexer, RejectsNulBytes) {
  using namespace std::string_literals;
  const auto r = Lex("server a\nserver b\0c\npool d\n"s, "ntp.conf");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(), "ntp.conf:2:9: expected text, got a NUL byte");
  ASSERT_EQ(r.lines.size(), 2u);  // the bad line is dropped, the others kept
  EXPECT_EQ(r.lines[1].line, 3);
}

TEST(Lexer, RejectsHugeLines) {
  const std::string line = "server " + std::string(5000, 'a') + "\nserver b\n";
  const auto r = Lex(line, "ntp.conf");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(), "ntp.conf:1:1: expected a line of at most 4096 bytes, got 5007 bytes");
  ASSERT_EQ(r.lines.size(), 1u);
  // Exactly the limit is fine.
  EXPECT_TRUE(Lex("# " + std::string(kMaxLineBytes - 2, 'x') + "\n", "f").diagnostics.empty());
}

TEST(Lexer, ReportsBytesThatAreNotUtf8) {
  const auto r = Lex("logfile /tmp/caf\xE9\nserver a # caf\xE9\n", "ntp.conf");
  ASSERT_EQ(r.diagnostics.size(), 2u);
  EXPECT_EQ(r.diagnostics[0].ToString(), "ntp.conf:1:17: expected UTF-8 text, got byte 0xE9");
  EXPECT_TRUE(r.diagnostics[0].is_error());
  EXPECT_EQ(r.diagnostics[1].ToString(), "ntp.conf:2:15: warning: expected UTF-8 text, got byte 0xE9 in a comment");
  ASSERT_EQ(r.lines.size(), 1u);  // the comment line keeps its tokens
  EXPECT_EQ(Texts(r.lines[0]), (std::vector<std::string>{"server", "a"}));
  // Overlong encodings and surrogates are not UTF-8 either.
  EXPECT_EQ(Lex("a \xC0\xAF\n", "f").diagnostics.size(), 1u);
  EXPECT_EQ(Lex("a \xED\xA0\x80\n", "f").diagnostics.size(), 1u);
  EXPECT_TRUE(Lex("a \xF0\x9F\x98\x80\n", "f").diagnostics.empty());
}

TEST(Lexer, ReportsUnterminatedQuote) {
  const auto r = Lex("driftfile \"/var/lib\n", "ntp.conf");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(), "ntp.conf:1:20: expected closing '\"', got end of line");
  EXPECT_TRUE(r.lines.empty());
}

}  // namespace
}  // namespace tempus::config

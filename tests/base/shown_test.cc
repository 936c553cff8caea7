#include "base/shown.h"

#include <string>

#include <gtest/gtest.h>

namespace tempus {
namespace {

TEST(Shown, KeepsPrintableAscii) { EXPECT_EQ(Shown("ntp.example.com:123"), "ntp.example.com:123"); }

TEST(Shown, EscapesControlAndNonAsciiBytes) {
  EXPECT_EQ(Shown("a\nb\x1b[2Jc\x7f"), "a\\x0ab\\x1b[2Jc\\x7f");
  EXPECT_EQ(Shown("caf\xc3\xa9"), "caf\\xc3\\xa9");
}

TEST(Shown, CutsLongTextWithAnEllipsis) {
  const std::string host(100000, 'a');
  const std::string shown = Shown(host);
  EXPECT_EQ(shown, std::string(kShownMaxBytes, 'a') + "...");
  EXPECT_EQ(Shown("abcdef", 3), "abc...");
}

TEST(Shown, TextAtTheLimitIsNotCut) {
  EXPECT_EQ(Shown(std::string(kShownMaxBytes, 'x')), std::string(kShownMaxBytes, 'x'));
  EXPECT_EQ(Shown(""), "");
}

}  // namespace
}  // namespace tempus

// The reader on many generated inputs (a fixed-seed generator, so failures replay): it never
// crashes, and every error it reports has a place and the "expected X, got Y" form.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "config/parser.h"

namespace tempus::config {
namespace {

// xorshift64*: deterministic and good enough to mix tokens.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 2685821657736338717ull;
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t s_;
};

std::string Generate(Rng& rng) {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> w;
    for (auto d : KnownDirectives()) w.emplace_back(d);
    for (const char* extra : {"iburst",
                              "minpoll",
                              "maxpoll",
                              "4",
                              "17",
                              "-1",
                              "0.5",
                              "1e9",
                              "mask",
                              "255.0.0.0",
                              "10.0.0.0/8",
                              "::1",
                              "[::1]:123",
                              "127.127.1.0",
                              "stratum",
                              "default",
                              "-6",
                              "nomodify",
                              "\"a b\"",
                              "#",
                              "(1",
                              "...",
                              "5)",
                              "3-1",
                              "type",
                              "day",
                              "file",
                              "..",
                              "virtual",
                              "offset",
                              "freq",
                              "listen",
                              "all",
                              "eth0",
                              "127.0.0.1:99999",
                              "\"",
                              "\xff",
                              "nan",
                              "",
                              "version",
                              "key",
                              "port",
                              "65536",
                              "fuzz",
                              "serverresponse"}) {
      w.emplace_back(extra);
    }
    return w;
  }();
  std::string text;
  const size_t lines = 1 + rng.Below(8);
  for (size_t l = 0; l < lines; ++l) {
    const size_t n = rng.Below(7);
    for (size_t i = 0; i < n; ++i) {
      if (rng.Below(20) == 0) {
        text.push_back(static_cast<char>(rng.Below(256)));  // any byte, NUL included
      } else {
        text += words[rng.Below(words.size())];
      }
      text += rng.Below(10) == 0 ? "\t" : " ";
    }
    text += rng.Below(5) == 0 ? "\r\n" : "\n";
  }
  return text;
}

TEST(ParseRobustness, GeneratedInputsGiveWellFormedDiagnostics) {
  Rng rng(0x7e3905);
  int failures = 0, successes = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = Generate(rng);
    const auto r = ParseText(text, "gen.conf");
    const auto& diags = r ? r->warnings : r.error();
    if (r) ++successes;
    else ++failures;
    for (const Diagnostic& d : diags) {
      EXPECT_EQ(d.where.file, "gen.conf");
      EXPECT_GE(d.where.line, 1);
      EXPECT_GE(d.where.column, 1);
      if (d.is_error()) {
        EXPECT_EQ(d.message.rfind("expected ", 0), 0u) << d.ToString() << "\ninput:\n" << text;
        EXPECT_NE(d.message.find(", got "), std::string::npos) << d.ToString();
      } else {
        EXPECT_FALSE(d.message.empty());
      }
    }
    if (!r) {
      EXPECT_TRUE(std::any_of(diags.begin(), diags.end(), [](const Diagnostic& d) { return d.is_error(); }));
    }
  }
  // The generator reaches both outcomes, so the checks above saw errors and warnings alike.
  EXPECT_GT(failures, 100);
  EXPECT_GT(successes, 10);
}

}  // namespace
}  // namespace tempus::config

// The reader's driver: lexes each file, dispatches lines to the directive table, follows
// includefile with depth and loop checks, and collects every diagnostic.
#include "config/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "config/internal/cursor.h"
#include "config/internal/directives.h"
#include "config/lexer.h"

namespace tempus::config {
namespace {

using internal::Cursor;
using internal::Diagnostics;
using internal::DirectiveSpec;
using internal::ParseState;

std::vector<DirectiveSpec> AllDirectives() {
  std::vector<DirectiveSpec> all;
  for (const auto family : {internal::AssocDirectives(), internal::AccessDirectives(), internal::FileDirectives(),
                            internal::SystemDirectives(), internal::TempusDirectives(), internal::NtsDirectives(),
                            internal::LegacyDirectives()}) {
    all.insert(all.end(), family.begin(), family.end());
  }
  all.push_back(DirectiveSpec{"includefile", nullptr});  // handled by the Reader itself
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return all;
}

class Reader {
 public:
  explicit Reader(FileSystem& fs) : fs_(fs), directives_(AllDirectives()) {
    for (const auto& d : directives_) names_.push_back(d.name);
  }

  ParseResult Finish() {
    internal::FinishAssoc(state_, diags_);
    internal::FinishNts(state_, diags_);
    if (diags_.errors > 0) return Unexpected(std::move(diags_.list));
    ParsedConfig parsed{std::move(state_.config), std::move(diags_.list)};
    return parsed;
  }

  // Reads the file at `path` (already resolved), named `path` in diagnostics.
  void ReadFile(const std::string& path, const Location& included_from) {
    auto text = fs_.ReadFile(path);
    if (!text) {
      if (stack_.empty()) {
        diags_.Error(Location{path, 0, 0}, fmt::format("expected a readable configuration file, got {}", text.error()));
      } else if (fs_.IsMissing(path)) {
        // As ntpd ("getconfig: Couldn't open"), which goes on: the stock CentOS file includes
        // /etc/ntp/crypto/pw, which exists only with the ntp package.
        diags_.Warning(included_from, fmt::format("includefile '{}': no such file; skipped (as ntpd)", path));
      } else {
        diags_.Error(included_from,
                     fmt::format("expected a readable file after 'includefile', got '{}' ({})", path, text.error()));
      }
      return;
    }
    ReadText(*text, path);
  }

  void ReadText(std::string_view text, const std::string& name) {
    stack_.push_back(Frame{name, fs_.Canonical(name)});
    LexResult lexed = Lex(text, name);
    for (auto& d : lexed.diagnostics) {
      if (d.is_error()) ++diags_.errors;
      diags_.list.push_back(std::move(d));
    }
    for (const LexedLine& line : lexed.lines) Dispatch(line, name);
    stack_.pop_back();
  }

 private:
  struct Frame {
    std::string name;
    std::string canonical;
  };

  void Dispatch(const LexedLine& line, const std::string& file) {
    Cursor c(line, file, &diags_);
    const std::string& word = c.directive().text;
    const auto it = std::lower_bound(directives_.begin(), directives_.end(), word,
                                     [](const DirectiveSpec& d, const std::string& w) { return d.name < w; });
    if (it == directives_.end() || it->name != word) {
      c.Error(c.At(c.directive()),
              fmt::format("expected a directive, got '{}'{}", word, internal::DidYouMean(word, names_)));
      return;
    }
    if (it->handler == nullptr) {
      Include(c);
      return;
    }
    it->handler(c, state_);
  }

  // includefile PATH: a file, or a directory whose *.conf files are read in name order.
  void Include(Cursor& c) {
    const Location where = c.Here();
    const auto path = c.Word("a path after 'includefile'");
    if (!path) return;
    c.ExpectEnd("end of line after the path (quote a path with spaces)");
    std::filesystem::path p(*path);
    if (p.is_relative()) p = std::filesystem::path(stack_.back().name).parent_path() / p;
    const std::string resolved = p.lexically_normal().string();
    if (fs_.IsDirectory(resolved)) {
      auto names = fs_.ListDirectory(resolved);
      if (!names) {
        c.Error(where,
                fmt::format("expected a readable directory after 'includefile', got '{}' ({})", *path, names.error()));
        return;
      }
      for (const std::string& n : *names) {
        if (n.size() > 5 && n.ends_with(".conf")) IncludeOne((p / n).lexically_normal().string(), *path, where);
      }
      return;
    }
    IncludeOne(resolved, *path, where);
  }

  void IncludeOne(const std::string& resolved, const std::string& as_written, const Location& where) {
    const int depth = static_cast<int>(stack_.size());
    if (depth > kMaxIncludeDepth) {
      diags_.Error(where, fmt::format("expected includes nested at most {} deep, got '{}' at depth {}",
                                      kMaxIncludeDepth, as_written, depth));
      return;
    }
    if (++included_ > kMaxIncludedFiles) {
      diags_.Error(where, fmt::format("expected at most {} included files in all, got '{}' beyond that",
                                      kMaxIncludedFiles, as_written));
      return;
    }
    const std::string canonical = fs_.Canonical(resolved);
    const auto loop =
        std::find_if(stack_.begin(), stack_.end(), [&](const Frame& f) { return f.canonical == canonical; });
    if (loop != stack_.end()) {
      std::string chain;
      for (auto f = loop; f != stack_.end(); ++f) chain += f->name + " -> ";
      diags_.Error(where, fmt::format("expected a file not already being read, got '{}' (include loop: {}{})",
                                      as_written, chain, resolved));
      return;
    }
    ReadFile(resolved, where);
  }

  FileSystem& fs_;
  std::vector<DirectiveSpec> directives_;
  std::vector<std::string_view> names_;
  std::vector<Frame> stack_;
  int included_ = 0;
  ParseState state_;
  Diagnostics diags_;
};

}  // namespace

ParseResult ParseFile(FileSystem& fs, const std::string& path) {
  Reader reader(fs);
  reader.ReadFile(path, Location{path, 0, 0});
  return reader.Finish();
}

ParseResult ParseText(std::string_view text, const std::string& name, FileSystem& fs) {
  Reader reader(fs);
  reader.ReadText(text, name);
  return reader.Finish();
}

ParseResult ParseText(std::string_view text, const std::string& name) {
  // No files at all: an include is an error here, never a missing file skipped with a warning.
  class NoFiles final : public FileSystem {
   public:
    Result<std::string, std::string> ReadFile(const std::string&) override {
      return Unexpected(std::string("No such file or directory"));
    }
    bool IsDirectory(const std::string&) override { return false; }
    bool IsMissing(const std::string&) override { return false; }
    Result<std::vector<std::string>, std::string> ListDirectory(const std::string&) override {
      return Unexpected(std::string("No such file or directory"));
    }
    std::string Canonical(const std::string& path) override { return path; }
  } none;
  return ParseText(text, name, none);
}

std::vector<std::string_view> KnownDirectives() {
  std::vector<std::string_view> names;
  for (const auto& d : AllDirectives()) names.push_back(d.name);
  return names;
}

}  // namespace tempus::config

// The ntp.conf reader: text -> Config, with every error of the file reported in one pass.
//
// Grammar: ntpd/NTPsec ntp.conf(5) plus tempus directives (see docs/ntp.conf.md). Reading goes
// through a FileSystem so tests feed text directly. `includefile` paths are relative to the
// including file's directory; includes nest at most kMaxIncludeDepth deep, at most
// kMaxIncludedFiles are read, and a file that includes itself (directly or not) is an error. Nothing is resolved or
// contacted. Not thread-safe (the FileSystem is used from the calling thread only).
#ifndef TEMPUS_CONFIG_PARSER_H_
#define TEMPUS_CONFIG_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/diagnostic.h"
#include "config/file_system.h"

namespace tempus::config {

// ntpd: "Include files may be nested to a depth of five".
inline constexpr int kMaxIncludeDepth = 5;
// Includes read in all, so that repeated includes cannot multiply into a huge amount of work.
inline constexpr int kMaxIncludedFiles = 256;

// On success the configuration and its warnings; on failure every diagnostic (errors and
// warnings, in the order met: by file, then line).
using ParseResult = Result<ParsedConfig, std::vector<Diagnostic>>;

// Reads the file at `path` and everything it includes through `fs`.
[[nodiscard]] ParseResult ParseFile(FileSystem& fs, const std::string& path);

// Parses `text` as the content of a file named `name`; includes are read through `fs`.
[[nodiscard]] ParseResult ParseText(std::string_view text, const std::string& name, FileSystem& fs);

// Parses `text` as the content of a file named `name`; any include is an error (no files).
[[nodiscard]] ParseResult ParseText(std::string_view text, const std::string& name = "ntp.conf");

// Every directive name the reader knows, sorted (for documentation and tests).
std::vector<std::string_view> KnownDirectives();

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_PARSER_H_

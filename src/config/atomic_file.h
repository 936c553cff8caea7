// WriteFileAtomically: replaces a file so that a crash leaves the old content or the new one,
// never a mix: a temporary file `<path>.tmp.XXXXXX` in the same directory, written, chmod, fsync,
// renamed over `path`, then the directory fsynced. Used by the driftfile and the NTS cookie key
// file. Real file I/O; thread-compatible.
#ifndef TEMPUS_CONFIG_ATOMIC_FILE_H_
#define TEMPUS_CONFIG_ATOMIC_FILE_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sys_error.h"

namespace tempus::config {

// The infix of the temporary files: `<name>.tmp.XXXXXX` (mkostemp's six random characters).
inline constexpr std::string_view kTempInfix = ".tmp.";
inline constexpr size_t kTempRandomChars = 6;

// Writes `content` to `path` atomically with permissions `mode` (also while it is a temporary
// file, so a secret is never readable by others).
[[nodiscard]] Result<void, SysError> WriteFileAtomically(const std::string& path, std::string_view content,
                                                         mode_t mode);

// The directory holding `target` ("." for a bare file name).
std::filesystem::path DirectoryOf(const std::filesystem::path& target);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_ATOMIC_FILE_H_

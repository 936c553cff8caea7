// LogFile: the daemon's `logfile`, which must never swallow a line. Each line is appended to the
// file; when a write fails (ENOSPC on a full disk, EDQUOT, EFBIG, EIO) the line goes to the
// fallback instead (the daemon's stderr, or syslog), after one notice that says why and where the
// lines go now. While the file fails, each new line first tries to write the notice "writable
// again" to the file: the first that succeeds is said once, in the file and on the fallback, and
// the lines go to the file again. A partly written line is sent whole to the fallback.
//
// What it is not: a formatter (the daemon formats the file's lines and the fallback's) or
// thread-safe (one thread logs, as everything in tempusd).
#ifndef TEMPUS_OBS_LOG_FILE_H_
#define TEMPUS_OBS_LOG_FILE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tempus::obs {

class LogFile {
 public:
  // Writes all of `bytes` to `fd`; returns 0 or the errno of the failure.
  using Write = std::function<int(int fd, std::string_view bytes)>;
  // A message -> the line written to the file (with its time stamp and newline).
  using Format = std::function<std::string(std::string_view message)>;
  // Sends a message where the lines go while the file cannot be written.
  using Fallback = std::function<void(std::string_view message)>;

  // `fallback_name` says where the fallback goes in the notices ("stderr", "syslog").
  LogFile(Format format, Fallback fallback, std::string fallback_name, Write write = &WriteAll);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // Appends to `path` from now on (created 0640 if missing), replacing the open file; on failure
  // the file open before (if any) stays. The error is one line ("logfile PATH: reason").
  [[nodiscard]] Result<void, std::string> Open(const std::string& path);
  // Opens the same path again (after rotation, on SIGHUP).
  [[nodiscard]] Result<void, std::string> Reopen() { return Open(path_); }
  bool is_open() const { return fd_ >= 0; }
  // True while lines go to the fallback.
  bool failing() const { return failing_; }

  // Writes one message (to the file, else to the fallback).
  void Log(std::string_view message);

  // write(2) until done, retrying EINTR, bounded: a log line never blocks the loop for long.
  static int WriteAll(int fd, std::string_view bytes);

 private:
  // In failing mode: writes the "writable again" notice; true when the file took it.
  bool TryRecover();

  Format format_;
  Fallback fallback_;
  std::string fallback_name_;
  Write write_;
  std::string path_;
  int fd_ = -1;
  bool failing_ = false;
  uint64_t diverted_ = 0;  // lines sent to the fallback since the file failed
};

}  // namespace tempus::obs

#endif  // TEMPUS_OBS_LOG_FILE_H_

#include "privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#ifdef TEMPUS_HAVE_LIBCAP
#include <sys/capability.h>
#endif

namespace tempus::daemon {

#ifdef TEMPUS_HAVE_LIBCAP
bool MakeSysTimeEffective() {
  // Keep every other capability as it is: port 123 is not bound yet.
  cap_t caps = cap_get_proc();
  if (caps == nullptr) return false;
  const cap_value_t sys_time[] = {CAP_SYS_TIME};
  bool ok = cap_set_flag(caps, CAP_EFFECTIVE, 1, sys_time, CAP_SET) == 0;
  // EPERM unless CAP_SYS_TIME is permitted: the kernel decides, without touching the clock.
  ok = ok && cap_set_proc(caps) == 0;
  cap_free(caps);
  return ok;
}
#else
// glibc's capget(2) wrapper (libcap's header declares it; glibc has no header for it). Not
// syscall(2): an LD_PRELOAD simulator may abort on system call numbers it does not know.
extern "C" int capget(cap_user_header_t header, cap_user_data_t data);

bool MakeSysTimeEffective() {
  struct __user_cap_header_struct header {
    _LINUX_CAPABILITY_VERSION_3, 0
  };
  struct __user_cap_data_struct data[2]{};
  if (capget(&header, data) != 0) return false;
  return (data[CAP_TO_INDEX(CAP_SYS_TIME)].effective & CAP_TO_MASK(CAP_SYS_TIME)) != 0;
}
#endif

#ifdef TEMPUS_HAVE_LIBCAP
Result<void, std::string> DropPrivileges(const std::string& user, bool keep_sys_time) {
  errno = 0;
  const struct passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) {
    return Unexpected(fmt::format("-u {}: {}", user, errno != 0 ? std::strerror(errno) : "no such user"));
  }
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  const auto fail = [&](const char* what) {
    return Unexpected(fmt::format("-u {}: {}: {} (dropping privileges needs root)", user, what, std::strerror(errno)));
  };
  // The bounding set first: it needs CAP_SETPCAP, which we are about to lose.
  for (cap_value_t c = 0; c <= CAP_LAST_CAP; ++c) {
    if (keep_sys_time && c == CAP_SYS_TIME) continue;
    if (CAP_IS_SUPPORTED(c) && cap_drop_bound(c) != 0) return fail("dropping the bounding set");
  }
  if (cap_reset_ambient() != 0 && errno != EINVAL) return fail("clearing the ambient set");
  if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0) return fail("PR_SET_KEEPCAPS");
  if (setgroups(1, &gid) != 0) return fail("setgroups");
  if (setresgid(gid, gid, gid) != 0) return fail("setresgid");
  if (setresuid(uid, uid, uid) != 0) return fail("setresuid");
  cap_t caps = cap_init();  // empty sets
  if (caps == nullptr) return fail("cap_init");
  if (keep_sys_time) {
    const cap_value_t keep[] = {CAP_SYS_TIME};
    cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET);
    cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET);
  }
  const int set = cap_set_proc(caps);
  cap_free(caps);
  if (set != 0) return fail("cap_set_proc");
  if (prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) != 0) return fail("PR_SET_KEEPCAPS");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) return fail("PR_SET_NO_NEW_PRIVS");
  return {};
}
#else
Result<void, std::string> DropPrivileges(const std::string& user, bool /*keep_sys_time*/) {
  return Unexpected(fmt::format("-u {}: this tempusd was built without libcap (install libcap-dev)", user));
}
#endif

}  // namespace tempus::daemon

// Capabilities and privilege dropping for tempusd (libcap when built with it).
//
// `clock system` needs CAP_SYS_TIME: the daemon checks for it before it builds the clock, and
// says so and exits instead of failing on the first step. `-u USER` switches to USER after the
// sockets are bound, keeping CAP_SYS_TIME (effective, permitted and bounding sets) only when the
// clock is system, and no other capability in any set.
#ifndef TEMPUS_APPS_TEMPUSD_PRIVILEGES_H_
#define TEMPUS_APPS_TEMPUSD_PRIVILEGES_H_

#include <string>

#include "base/result.h"

namespace tempus::daemon {

// Makes CAP_SYS_TIME effective (libcap: the current sets plus that bit, cap_set_proc) and says
// whether that worked: false when it is not in the permitted set, decided by the kernel without
// any clock call. Without libcap: whether it is already effective (capget). Under an LD_PRELOAD
// clock simulator that stubs cap_set_proc (clknetsim, as for chronyd's privilege drop) this is
// true, and the clock calls it would guard go to the simulator.
bool MakeSysTimeEffective();

// Becomes `user` (its uid, gid, and only that group), keeping CAP_SYS_TIME when `keep_sys_time`,
// dropping every other capability, the ambient set and the bounding set.
[[nodiscard]] Result<void, std::string> DropPrivileges(const std::string& user, bool keep_sys_time);

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_PRIVILEGES_H_

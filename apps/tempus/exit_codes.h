// Exit statuses of the `tempus` tool, one per outcome, so scripts and cron can tell them apart.
#ifndef TEMPUS_APPS_TEMPUS_EXIT_CODES_H_
#define TEMPUS_APPS_TEMPUS_EXIT_CODES_H_

namespace tempus::app {

enum ExitCode : int {
  kExitOk = 0,           // query: a server answered; sync: the clock was synced (or the offset reported)
  kExitUsage = 1,        // bad command line: unknown option, bad value, unresolvable host
  kExitNoReply = 2,      // no server answered: every one refused (ICMP port unreachable)
  kExitTimeout = 3,      // no server answered in time
  kExitKissOfDeath = 4,  // the servers that answered sent kiss-o'-death (RATE, DENY, RSTR, ...)
  kExitNoAgreement = 5,  // sync: the servers' times do not agree (no majority), or none is synchronized
  kExitClockError = 6,   // sync: the clock could not be set (e.g. no CAP_SYS_TIME)
  kExitAboveLimit = 7,   // cluster: skew above --max-skew
};

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_EXIT_CODES_H_

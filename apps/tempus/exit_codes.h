// Exit statuses of the `tempus` tool, one per outcome, so scripts and cron can tell them apart.
// Every subcommand maps the same condition to the same status (ExitCodeOf in subcommands.h): a
// closed port is 2 for query, sync, cluster, peers and status alike.
#ifndef TEMPUS_APPS_TEMPUS_EXIT_CODES_H_
#define TEMPUS_APPS_TEMPUS_EXIT_CODES_H_

namespace tempus::app {

enum ExitCode : int {
  kExitOk = 0,           // query: a server answered; sync: the clock was synced (or the offset reported)
  kExitUsage = 1,        // bad command line: unknown option, bad value, unresolvable host, bad file
  kExitNoReply = 2,      // no server can answer: refused (ICMP port unreachable) or unreachable
  kExitTimeout = 3,      // no server answered in time (or only with unusable answers)
  kExitKissOfDeath = 4,  // the servers refused: kiss-o'-death (RATE, DENY, ...), a mode 6 error answer, a crypto-NAK
  kExitNoAgreement = 5,  // not synchronized (query, sync, status, waitsync: LI 3, stratum 16), or sync: no majority
  kExitClockError = 6,   // sync: the clock could not be set (e.g. no CAP_SYS_TIME)
  kExitAboveLimit = 7,   // cluster: skew above --max-skew; sim: a [limits] line; waitsync: above --max-offset
};

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_EXIT_CODES_H_

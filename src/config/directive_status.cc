// The directive status table (see directive_status.h). Rows follow docs/ntp.conf.md.
#include "config/directive_status.h"

#include <fmt/format.h>

#include <array>

namespace tempus::config {
namespace {

constexpr DirectiveStatus kSupported = DirectiveStatus::kSupported;
constexpr DirectiveStatus kWarned = DirectiveStatus::kWarned;

// Notes shared by several rows.
constexpr std::string_view kStatsOnlyTwo = "tempusd writes only peerstats and loopstats; this file is not written";
constexpr std::string_view kUnpeerEarly =
    "tempus never demobilizes an association on an authentication failure (it drops the packet and counts it); "
    "ignored";
constexpr std::string_view kKernelSwitch =
    "tempus chooses how it steers the clock itself ('clock system' uses clock_adjtime); ignored";
constexpr std::string_view kCalibrate = "reference clock calibration has no meaning in tempus; ignored";
constexpr std::string_view kLocalFudge = "the LOCAL clock takes only 'stratum' in tempus; ignored";
constexpr std::array kRows = std::to_array<DirectiveRow>({
    // Associations.
    {"server", kSupported, "", "server 192.0.2.1 iburst minpoll 4 maxpoll 10 prefer"},
    {"pool", kSupported, "", "pool pool.example.org iburst"},
    {"peer", kSupported, "", "peer 192.0.2.2 minpoll 4"},
    {"server 127.127.1.u", kSupported, "", "server 127.127.1.0"},
    {"server 127.127.1.u options", kWarned,
     "the LOCAL clock has no poll interval, key or selection options in tempus; options ignored",
     "server 127.127.1.0 prefer"},
    {"server 127.127.t.u", kWarned, "reference clock drivers are not supported by tempus; line ignored",
     "server 127.127.20.0 mode 17"},
    {"server mode", kWarned, "refclock modes have no effect in tempus; ignored", "server 192.0.2.1 mode 3"},
    {"server ttl", kWarned, "tempus has no manycast or broadcast mode to give a TTL to; ignored",
     "server 192.0.2.1 ttl 8"},
    {"server bias", kWarned, "offset bias is not supported by tempus; the measured offset is used",
     "server 192.0.2.1 bias 0.001"},
    {"server xleave", kWarned, "interleaved mode is not supported by tempus; basic mode is used",
     "server 192.0.2.1 xleave"},
    {"server preempt", kWarned,
     "tempus keeps configured associations; a pool line replaces its unreachable servers by itself; ignored",
     "pool pool.example.org preempt"},
    {"server autokey", kWarned, "Autokey (RFC 5906) was dropped by modern NTP daemons; ignored",
     "server 192.0.2.1 autokey"},
    {"server nts", kSupported, "", "server 192.0.2.1 nts"},
    {"server noval", kSupported, "", "server 192.0.2.1 nts noval"},
    {"server ca", kSupported, "", "server 192.0.2.1 nts ca /etc/ca.pem"},
    {"server aead", kSupported, "", "server 192.0.2.1 nts aead AES_SIV_CMAC_256"},
    {"peer iburst", kWarned, "iburst and burst apply to server and pool lines only (as ntpd); ignored for peer",
     "peer 192.0.2.2 iburst"},
    {"peer burst", kWarned, "iburst and burst apply to server and pool lines only (as ntpd); ignored for peer",
     "peer 192.0.2.2 burst"},
    {"fudge", kSupported, "", "server 127.127.1.0\nfudge 127.127.1.0 stratum 10"},
    {"fudge 127.127.t.u", kWarned, "reference clock drivers are not supported by tempus; line ignored",
     "fudge 127.127.22.0 time1 0.1 flag3 1 refid PPS"},
    {"fudge time1", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 time1 0.5"},
    {"fudge time2", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 time2 0.5"},
    {"fudge refid", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 refid GPS"},
    {"fudge flag1", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 flag1 1"},
    {"fudge flag2", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 flag2 1"},
    {"fudge flag3", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 flag3 1"},
    {"fudge flag4", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 flag4 1"},
    {"fudge minjitter", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 minjitter 0.001"},
    {"fudge mode", kWarned, kLocalFudge, "server 127.127.1.0\nfudge 127.127.1.0 mode 1"},
    {"refclock", kWarned, "reference clocks are not supported by tempus; line ignored", "refclock shm unit 0"},
    {"unpeer", kWarned, "a runtime command with no effect in a configuration file; line ignored", "unpeer 192.0.2.1"},
    // Access control.
    {"restrict", kSupported, "", "restrict default kod limited nomodify nopeer noquery notrap"},
    {"restrict lowpriotrap", kWarned, "tempus has no mode 6 traps; ignored", "restrict default lowpriotrap"},
    {"restrict mssntp", kWarned, "MS-SNTP signing is not supported by tempus; ignored", "restrict default mssntp"},
    {"restrict ntpport", kWarned,
     "tempus does not match on the source port: the line applies to packets from every port",
     "restrict 192.0.2.0/24 ntpport noquery"},
    {"restrict flake", kWarned, "tempus does not drop packets at random; ignored", "restrict default flake"},
    {"restrict ippeerlimit", kWarned,
     "tempus limits passive peers in all (8 at once, tempusd.md), not per address; ignored",
     "restrict default ippeerlimit 2"},
    {"restrict serverresponse", kWarned, "tempus does not fuzz its replies; ignored",
     "restrict default serverresponse fuzz"},
    {"unrestrict", kSupported, "", "restrict default noquery\nunrestrict default noquery"},
    {"interface", kSupported, "", "interface ignore wildcard\ninterface listen eth0"},
    {"nic", kSupported, "", "nic listen 192.0.2.0/24"},
    {"discard", kSupported, "", "discard average 3 minimum 2 monitor 3000"},
    {"limit", kSupported, "", "limit kod 16"},
    {"limit average", kWarned, "tempus rate-limits with 'discard average' and 'discard minimum'; ignored",
     "limit average 1"},
    {"limit burst", kWarned, "tempus rate-limits with 'discard average' and 'discard minimum'; ignored",
     "limit burst 8"},
    // Files and monitoring.
    {"driftfile", kSupported, "", "driftfile /var/lib/ntp/drift"},
    {"leapfile", kSupported, "", "leapfile /usr/share/zoneinfo/leap-seconds.list"},
    {"logfile", kSupported, "", "logfile /var/log/tempusd.log"},
    {"statsdir", kSupported, "", "statsdir /var/log/ntpstats/"},
    {"statistics", kSupported, "", "statistics loopstats peerstats"},
    {"statistics clockstats", kWarned, kStatsOnlyTwo, "statistics clockstats"},
    {"statistics cryptostats", kWarned, kStatsOnlyTwo, "statistics cryptostats"},
    {"statistics protostats", kWarned, kStatsOnlyTwo, "statistics protostats"},
    {"statistics rawstats", kWarned, kStatsOnlyTwo, "statistics rawstats"},
    {"statistics sysstats", kWarned, kStatsOnlyTwo, "statistics sysstats"},
    {"statistics timingstats", kWarned, kStatsOnlyTwo, "statistics timingstats"},
    {"statistics usestats", kWarned, kStatsOnlyTwo, "statistics usestats"},
    {"filegen", kSupported, "", "filegen peerstats file peerstats type day enable"},
    {"filegen clockstats", kWarned, kStatsOnlyTwo, "filegen clockstats file clockstats type day enable"},
    {"filegen cryptostats", kWarned, kStatsOnlyTwo, "filegen cryptostats enable"},
    {"filegen protostats", kWarned, kStatsOnlyTwo, "filegen protostats enable"},
    {"filegen rawstats", kWarned, kStatsOnlyTwo, "filegen rawstats enable"},
    {"filegen sysstats", kWarned, kStatsOnlyTwo, "filegen sysstats enable"},
    {"filegen timingstats", kWarned, kStatsOnlyTwo, "filegen timingstats enable"},
    {"filegen usestats", kWarned, kStatsOnlyTwo, "filegen usestats enable"},
    {"logconfig", kWarned, "tempus logs every event to stderr, its logfile or syslog; line ignored",
     "logconfig =syncall +clockall"},
    // Authentication.
    {"keys", kSupported, "", "keys /etc/ntp.keys"},
    {"trustedkey", kSupported, "", "trustedkey 1 2-4"},
    {"controlkey", kWarned,
     "tempus answers mode 6 (ntpq) read-only, so no request needs this key; checked against the keys file, "
     "otherwise ignored",
     "controlkey 1"},
    {"requestkey", kWarned, "mode 7 (ntpdc) was dropped by modern NTP daemons; ignored", "requestkey 8"},
    // Selection and discipline knobs.
    {"tos", kSupported, "", "tos minclock 3 maxclock 10 minsane 2 mindist 0.001 maxdist 1.5 orphan 10 orphanwait 60"},
    {"tos maxdisp", kWarned, "tempus's selection uses 'tos maxdist' only; ignored", "tos maxdisp 16"},
    {"tos ceiling", kWarned, "tempus takes sources of any stratum up to 15; ignored", "tos ceiling 10"},
    {"tos floor", kWarned, "tempus takes sources of any stratum from 1; ignored", "tos floor 2"},
    {"tos cohort", kWarned, "tempus does not apply ntpd's cohort rule; ignored", "tos cohort 1"},
    {"tos beacon", kWarned, "tempus has no broadcast or manycast mode; ignored", "tos beacon 3600"},
    {"tos bcpollbstep", kWarned, "tempus has no broadcast client mode; ignored", "tos bcpollbstep 2"},
    {"tos basedate", kWarned, "tempus maps NTP eras to the era closest to its own clock; ignored",
     "tos basedate 2020-01-01"},
    {"tinker", kSupported, "", "tinker step 0.128 stepout 300 panic 0 freq 12.5"},
    {"tinker stepback", kWarned, "tempus uses one step threshold both ways ('tinker step'); ignored",
     "tinker stepback 0.5"},
    {"tinker stepfwd", kWarned, "tempus uses one step threshold both ways ('tinker step'); ignored",
     "tinker stepfwd 0.5"},
    {"tinker dispersion", kWarned, "tempus grows dispersion at RFC 5905's PHI (15 ppm); ignored",
     "tinker dispersion 0.00001"},
    {"tinker allan", kWarned, "tempus's discipline has no Allan intercept (docs/discipline.md); ignored",
     "tinker allan 11"},
    {"tinker huffpuff", kWarned, "tempus's discipline has no huff-n'-puff filter; ignored", "tinker huffpuff 7200"},
    {"tinker tick", kWarned, "tempus does not change the kernel tick; ignored", "tinker tick 0.01"},
    {"enable", kSupported, "", "enable stats"},
    {"disable", kSupported, "", "disable monitor"},
    {"enable auth", kSupported, "", "enable auth"},
    {"disable auth", kWarned,
     "tempus keeps authentication on (an unconfigured peer gets an association only with a valid MAC by a trusted "
     "key); ignored",
     "disable auth"},
    {"enable bclient", kWarned, "broadcast client mode is not supported by tempus; ignored", "enable bclient"},
    {"disable bclient", kSupported, "", "disable bclient"},
    {"enable calibrate", kWarned, kCalibrate, "enable calibrate"},
    {"disable calibrate", kWarned, kCalibrate, "disable calibrate"},
    {"enable kernel", kWarned, kKernelSwitch, "enable kernel"},
    {"disable kernel", kWarned, kKernelSwitch, "disable kernel"},
    {"enable mode7", kWarned, "mode 7 (ntpdc) was dropped by modern NTP daemons; ignored", "enable mode7"},
    {"disable mode7", kSupported, "", "disable mode7"},
    {"enable monitor", kWarned,
     "tempus keeps no MRU list (ntpq mrulist); it tracks clients only for 'restrict limited'; ignored",
     "enable monitor"},
    {"disable monitor", kSupported, "", "disable monitor"},
    {"enable ntp", kSupported, "", "enable ntp"},
    {"disable ntp", kWarned,
     "tempus always disciplines its clock; 'clock observe' leaves the system clock alone; ignored", "disable ntp"},
    {"enable stats", kSupported, "", "enable stats"},
    {"disable stats", kSupported, "", "disable stats"},
    {"enable peer_clear_digest_early", kWarned, kUnpeerEarly, "enable peer_clear_digest_early"},
    {"disable peer_clear_digest_early", kSupported, "", "disable peer_clear_digest_early"},
    {"enable unpeer_crypto_early", kWarned, kUnpeerEarly, "enable unpeer_crypto_early"},
    {"disable unpeer_crypto_early", kSupported, "", "disable unpeer_crypto_early"},
    {"enable unpeer_crypto_nak_early", kWarned, kUnpeerEarly, "enable unpeer_crypto_nak_early"},
    {"disable unpeer_crypto_nak_early", kSupported, "", "disable unpeer_crypto_nak_early"},
    {"enable unpeer_digest_early", kWarned, kUnpeerEarly, "enable unpeer_digest_early"},
    {"disable unpeer_digest_early", kSupported, "", "disable unpeer_digest_early"},
    {"leapsmearinterval", kWarned,
     "leap smearing is not done by tempus: a leap second is inserted or deleted as a leap, as ntpd does without "
     "smearing; ignored",
     "leapsmearinterval 86400"},
    {"includefile", kSupported, "", "includefile /etc/tempus/extra.conf"},
    // Modes and knobs modern daemons dropped, or that mean nothing to tempus.
    {"broadcast", kWarned, "broadcast mode was dropped by modern NTP daemons; line ignored", "broadcast 192.0.2.255"},
    {"broadcastclient", kWarned, "broadcast client mode was dropped by modern NTP daemons; line ignored",
     "broadcastclient"},
    {"broadcastdelay", kWarned, "broadcast client mode was dropped by modern NTP daemons; line ignored",
     "broadcastdelay 0.004"},
    {"manycastserver", kWarned, "manycast was dropped by modern NTP daemons; line ignored",
     "manycastserver 239.255.254.254"},
    {"manycastclient", kWarned, "manycast was dropped by modern NTP daemons; line ignored",
     "manycastclient 239.255.254.254"},
    {"multicastclient", kWarned, "multicast client mode was dropped by modern NTP daemons; line ignored",
     "multicastclient 224.0.1.1"},
    {"autokey", kWarned, "Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored", "autokey 12"},
    {"crypto", kWarned, "Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored", "crypto pw secret"},
    {"revoke", kWarned, "Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored", "revoke 17"},
    {"automax", kWarned, "Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored", "automax 12"},
    {"keysdir", kWarned, "Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored", "keysdir /etc/ntp"},
    {"ident", kWarned, "Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored", "ident group"},
    {"nts", kSupported, "", "nts enable cert /etc/tempus/nts.pem key /etc/tempus/nts.key"},
    {"nts ca", kSupported, "", "nts ca /etc/tempus/ca.pem"},
    {"nts tlsciphersuites", kWarned, "tempus's NTS-KE uses OpenSSL's default TLS 1.3 cipher suites; ignored",
     "nts tlsciphersuites TLS_AES_256_GCM_SHA384"},
    {"nts tlsecdhcurves", kWarned, "tempus's NTS-KE uses OpenSSL's default groups; ignored",
     "nts tlsecdhcurves X25519"},
    {"nts aead", kWarned, "tempus's NTS-KE offers AEAD_AES_SIV_CMAC_256 only (docs/nts.md); ignored",
     "nts aead AES_SIV_CMAC_512"},
    {"mru", kWarned, "tempus keeps no MRU list; its rate-limit table has a fixed size; line ignored",
     "mru maxdepth 1024"},
    {"nonvolatile", kWarned, "tempus writes the driftfile by its own rules (tempusd.md); line ignored",
     "nonvolatile 1e-7"},
    {"setvar", kWarned, "tempus has no user variables for mode 6; line ignored", "setvar name = value"},
    {"rlimit", kWarned, "tempus sets no resource limits of its own; line ignored", "rlimit memlock 32"},
    {"reset", kWarned, "a runtime command with no effect in a configuration file; line ignored", "reset allpeers"},
    {"phone", kWarned, "the modem reference clock is not supported by tempus; line ignored", "phone ATDT5551234"},
    {"mdnstries", kWarned, "tempus does not register with mDNS; line ignored", "mdnstries 5"},
    {"calldelay", kWarned, "the modem reference clock is not supported by tempus; line ignored", "calldelay 60"},
    {"saveconfigdir", kWarned, "tempus has no ntpq :config or saveconfig; line ignored", "saveconfigdir /var/ntp"},
    {"ttl", kWarned, "tempus has no manycast or broadcast mode; line ignored", "ttl 8"},
    {"trap", kWarned, "tempus has no mode 6 traps; line ignored", "trap 192.0.2.3"},
    {"dscp", kWarned, "tempus does not set the DSCP field; line ignored", "dscp 46"},
    // tempus directives.
    {"clock", kSupported, "", "clock virtual offset 0.5 freq -20"},
    {"listen", kSupported, "", "listen 127.0.0.1:11123 [::1]:11123"},
    {"control", kWarned,
     "tempusd answers mode 6 (ntpq) on its server sockets ('listen'); no separate control socket is opened",
     "control 127.0.0.1:11124"},
    {"metrics", kSupported, "", "metrics 127.0.0.1:9123"},
    {"local", kSupported, "", "local stratum 10"},
    {"makestep", kSupported, "", "makestep 1 3"},
    {"pidfile", kSupported, "", "pidfile /run/tempusd.pid"},
    {"workers", kSupported, "", "workers 2"},
});

}  // namespace

std::string_view DirectiveStatusName(DirectiveStatus status) {
  switch (status) {
    case DirectiveStatus::kSupported: return "supported";
    case DirectiveStatus::kWarned: return "warned";
    case DirectiveStatus::kError: return "error";
  }
  return "supported";
}

std::span<const DirectiveRow> DirectiveTable() { return kRows; }

const DirectiveRow* FindDirectiveRow(std::string_view key) {
  for (const DirectiveRow& row : kRows) {
    if (row.key == key) return &row;
  }
  return nullptr;
}

std::string DirectiveMessage(const DirectiveRow& row) {
  // Errors read as every reader error does: what was expected, what was found.
  if (row.status == DirectiveStatus::kError) {
    return fmt::format("expected what tempus supports, got '{}' ({})", row.key, row.note);
  }
  return fmt::format("'{}': {}", row.key, row.note);
}

}  // namespace tempus::config

// NTP packets captured from real implementations on loopback (chrony 4.3, NTPsec 1.2.2, ntpdig
// 1.2.2, openntpd 6.2p3; Debian 12), as UDP payload hex. Source: the project's peers lab capture
// (shared/peers/REFERENCE.md §6). Used as decode/re-encode vectors and as fuzzing seeds.
#ifndef TEMPUS_TESTS_TESTDATA_NTP_VECTORS_H_
#define TEMPUS_TESTS_TESTDATA_NTP_VECTORS_H_

#include <string_view>

namespace tempus::testdata {

struct NtpVector {
  std::string_view name;
  std::string_view hex;
};

inline constexpr NtpVector kRequests[] = {
    {"C1 chrony 4.3 client -> ntpsec",
     "230004200000000000000000000000000000000000000000000000000000000000000000000000002e86a86b6c02e2aa"},
    {"C2 chrony 4.3 client -> chrony",
     "23000420000000000000000000000000000000000000000000000000000000000000000000000000f9eff39608361db3"},
    {"C3 ntpsec 1.2.2 ntpd client -> chrony",
     "230000200000000000000000000000000000000000000000000000000000000000000000000000008e5deeca8f21aad8"},
    {"C4 ntpdig 1.2.2 -> ntpsec",
     "e3000000000000000000000000000000000000000000000000000000000000000000000000000000eeb62e966c570000"},
    {"C5 openntpd 6.2p3 client -> ntpsec",
     "23000000000000000000000000000000000000000000000000000000000000000000000000000000e23a28b4c95b21ba"},
    {"C6 chrony 4.3 client steady state -> ntpsec",
     "2300042000000000000000000000000000000000000000000000000000000000000000000000000004afad2aec3ae576"},
    {"O1 ntpdig -> openntpd",
     "e3000000000000000000000000000000000000000000000000000000000000000000000000000000eeb62fbf16f15000"},
};

inline constexpr NtpVector kResponses[] = {
    {"S1 chrony 4.3 server (local stratum 8) -> C2",
     "240804e600000000000000007f7f0101eeb62e39a1707cc8f9eff39608361db3eeb62e3aa94fafa1eeb62e3aa961ea6a"},
    {"S2 chrony 4.3 server -> C3 (ntpsec client)",
     "240800e600000000000000007f7f0101eeb62e770bd494688e5deeca8f21aad8eeb62e7882cf0dbbeeb62e7882e5e414"},
    {"N1 ntpsec 1.2.2 orphan server -> C6",
     "240804e800000000000000007f000001000000000000000004afad2aec3ae576eeb62e935eca6e67eeb62e935ecef175"},
    {"N2 ntpsec 1.2.2 orphan server, first second (LI3, INIT) -> C1",
     "e40004e80000000000000000494e495400000000000000002e86a86b6c02e2aaeeb62e3a75e1b82feeb62e3a75e42286"},
    {"N3 ntpsec 1.2.2 orphan server -> C4 (ntpdig)",
     "240800e800000000000000007f0000010000000000000000eeb62e966c570000eeb62e966c5ee599eeb62e966c63059a"},
    {"N4 ntpsec 1.2.2 orphan server -> C5 (openntpd)",
     "240800e800000000000000007f0000010000000000000000e23a28b4c95b21baeeb62f7394ec2ca4eeb62f7394f06262"},
    {"O2 openntpd 6.2p3 server -> O1 (ntpdig)",
     "240900e300000002000000007f000001eeb62fb51aa217ffeeb62fbf16f15000eeb62fbf16f8ffffeeb62fbf16f967ff"},
};

}  // namespace tempus::testdata

#endif  // TEMPUS_TESTS_TESTDATA_NTP_VECTORS_H_

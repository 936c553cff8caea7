// MakeTestCertificates: a local CA and a server certificate it signed, made with the openssl CLI
// (as the interop tests make theirs), for the NTS-KE tests. Files in `dir`: ca.pem, ca.key,
// server.pem (subjectAltName DNS:localhost, IP:127.0.0.1), server.key.
#ifndef TEMPUS_TESTS_IO_TEST_CA_H_
#define TEMPUS_TESTS_IO_TEST_CA_H_

#include <cstdlib>
#include <fstream>
#include <string>

namespace tempus::io::testing {

inline int Shell(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

// A CA (`ca_name`.pem, `ca_name`.key) in dir; true when openssl made it.
inline bool MakeTestCa(const std::string& dir, const std::string& ca_name) {
  return Shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + dir + "/" +
               ca_name + ".key -out " + dir + "/" + ca_name + ".pem -days 2 -subj /CN=tempus-test-" + ca_name) == 0;
}

// ca.pem/ca.key and server.pem/server.key signed by it; true when openssl made them all.
inline bool MakeTestCertificates(const std::string& dir) {
  std::ofstream(dir + "/ext.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  return MakeTestCa(dir, "ca") &&
         Shell("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + dir +
               "/server.key -out " + dir + "/server.csr -subj /CN=localhost") == 0 &&
         Shell("openssl x509 -req -in " + dir + "/server.csr -CA " + dir + "/ca.pem -CAkey " + dir +
               "/ca.key -CAcreateserial -days 2 -extfile " + dir + "/ext.cnf -out " + dir + "/server.pem") == 0;
}

}  // namespace tempus::io::testing

#endif  // TEMPUS_TESTS_IO_TEST_CA_H_

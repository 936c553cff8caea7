// OpenSslReason: OpenSSL's error queue as one line for an error message, shared by the NTS-KE
// listener and client. Thread-safe (OpenSSL's queue is per thread).
#ifndef TEMPUS_IO_OPENSSL_REASON_H_
#define TEMPUS_IO_OPENSSL_REASON_H_

#include <string>

namespace tempus::io {

// The oldest queued error as text ("" when none); the queue is emptied.
std::string OpenSslReason();

}  // namespace tempus::io

#endif  // TEMPUS_IO_OPENSSL_REASON_H_

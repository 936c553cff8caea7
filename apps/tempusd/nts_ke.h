// The daemon's NTS-KE server (`nts enable`, docs/nts.md): the cookie key file loaded (created or
// rotated), one io::NtsKeListener per server address on the NTS-KE port, and their requests
// answered by crypto::AnswerKeRequest with cookies sealed by the file's current key; the same
// keys (cookies()) open and renew those cookies on the NTP port (core::server::AnswerNts). The key
// file is read again every hour, so a rotation (daily by default, `nts rotate`; by another node
// with `nts rotate 0`) takes effect while the daemon runs. Runs on
// the PollLoop's thread; not thread-safe.
#ifndef TEMPUS_APPS_TEMPUSD_NTS_KE_H_
#define TEMPUS_APPS_TEMPUSD_NTS_KE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "config/config.h"
#include "core/report/node_snapshot.h"
#include "crypto/aes_siv_aead.h"
#include "crypto/cookie.h"
#include "crypto/jar_cookie_codec.h"
#include "io/nts_ke_listener.h"
#include "io/poll_loop.h"

namespace tempus::daemon {

class NtsKeServer {
 public:
  // Starts the server on each of `addresses` (the server sockets: their IPs with the port
  // `nts.port`; their own port is negotiated when it is not 123). `random` and
  // `loop` must outlive it. The error names the file or address that failed.
  [[nodiscard]] static Result<std::unique_ptr<NtsKeServer>, std::string> Start(
      const config::NtsServerConfig& nts, const std::vector<core::NetAddress>& addresses, io::PollLoop& loop,
      Random& random);
  NtsKeServer(const NtsKeServer&) = delete;
  NtsKeServer& operator=(const NtsKeServer&) = delete;
  ~NtsKeServer();

  // The cookie keys this server hands out, for the NTP port's NTS server (core::node::Node::SetNts):
  // the same keys, rotated with them. Live as long as the NtsKeServer.
  const core::nts::CookieCodec& cookies() const { return cookies_; }
  // The AEAD of NTS on the NTP port (AEAD_AES_SIV_CMAC_256, the only one negotiated).
  const core::nts::Aead& aead() const { return aead_; }
  // SIGHUP: every listener reads the certificate and key files again, for new connections (a
  // renewed certificate without a restart). A file that does not load keeps the certificate in
  // use; the error names it.
  [[nodiscard]] Result<void, std::string> ReloadCertificates();
  // Where it listens, for the log ("127.0.0.1:4460, ...").
  std::string Where() const;
  // The listeners' counters added up.
  io::NtsKeCounters Counters() const;
  // What mode 6's ntsinfo shows of this server (engine::Node::SetNtsServerCounts): NTS-KE
  // requests answered and dropped, and the cookies sealed (here and on the NTP port) and opened.
  core::report::NtsServerCounts Report() const;
  // Counters() as Prometheus text: tempus_nts_ke_connections_total, _answered_total and
  // _drops_total{reason}.
  std::string RenderMetrics() const;

 private:
  NtsKeServer(std::string cookie_file, int64_t rotate_s, io::PollLoop& loop, Random& random)
      : cookie_file_(std::move(cookie_file)), rotate_s_(rotate_s), loop_(loop), random_(random) {}
  // Reads (creates, rotates) the cookie key file into jar_.
  [[nodiscard]] Result<void, std::string> LoadKeys();
  void ScheduleKeyCheck();

  std::string cookie_file_;
  int64_t rotate_s_;  // 0: only read the file (another node rotates it)
  io::PollLoop& loop_;
  Random& random_;
  std::optional<crypto::CookieJar> jar_;
  crypto::JarCookieCodec cookies_{jar_};  // reads jar_ at each call: rotations reach the NTP port
  crypto::AesSivAead aead_;
  uint32_t key_id_ = 0;
  uint64_t ke_cookies_ = 0;  // cookies sealed in NTS-KE responses
  std::optional<io::PollLoop::TimerId> key_check_;
  std::vector<std::unique_ptr<io::NtsKeListener>> listeners_;
};

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_NTS_KE_H_

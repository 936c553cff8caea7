// nts_ke_load: NTS-KE handshakes against one server as fast as it takes them, for
// bench/nts_ke_bench.sh (docs/performance.md, "NTS-KE").
//
// Each of --concurrency threads runs whole exchanges one after the other, as a fresh client
// would (RFC 8915 §4): TCP connect, a full TLS 1.3 handshake (no session resumption) with ALPN
// "ntske/1", the server's certificate checked against --ca for the name --host, the request
// (Next Protocol NTPv4, AEAD 15, End of Message), the response read to its end and parsed with
// the project's codec (core::nts::ParseKeMessage): an exchange counts as answered only with NTPv4,
// AEAD 15 and at least one cookie. It stops after --count exchanges or --seconds, whichever comes
// first. With --server-pid (once per process of the server: chronyd's NTS-KE runs in a helper)
// the report gives the server's CPU time per answered exchange from /proc. Prints one JSON
// object. Never points anywhere but the benchmark's own servers on loopback.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/nts/ke_record.h"
#include "ntp_load/proc_stats.h"

namespace {

namespace nts = tempus::core::nts;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string address = "127.0.0.1";
  uint16_t port = nts::kKePort;
  std::string host = "localhost";  // the name the certificate must carry
  std::string ca;
  long count = 2000;
  double seconds = 20;
  int concurrency = 4;
  std::vector<int> server_pids;
};

enum class Outcome { kAnswered, kConnect, kHandshake, kBadResponse };

// One exchange on a fresh connection and TLS session.
Outcome Exchange(SSL_CTX* ctx, const Options& o, const addrinfo* target) {
  const int fd = socket(target->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Outcome::kConnect;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  // No Nagle: the request would wait up to 40 ms for the ACK of the last handshake flight when
  // a server sends its tickets late, and the figure would measure delayed ACKs, not the server.
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, target->ai_addr, target->ai_addrlen) != 0) {
    close(fd);
    return Outcome::kConnect;
  }
  SSL* ssl = SSL_new(ctx);
  Outcome outcome = Outcome::kHandshake;
  if (ssl != nullptr && SSL_set_fd(ssl, fd) == 1 && SSL_set_tlsext_host_name(ssl, o.host.c_str()) == 1 &&
      SSL_set1_host(ssl, o.host.c_str()) == 1 && SSL_connect(ssl) == 1) {
    outcome = Outcome::kBadResponse;
    std::array<uint8_t, 64> request{};
    nts::KeMessageWriter writer(request);
    const std::array<uint16_t, 1> ntp{nts::kProtocolNtpV4};
    const std::array<uint16_t, 1> aead{nts::kAeadAesSivCmac256};
    writer.Ids(nts::KeRecordType::kNextProtocol, true, ntp);
    writer.Ids(nts::KeRecordType::kAeadAlgorithm, false, aead);
    writer.End();
    std::vector<uint8_t> response;
    std::array<uint8_t, 4096> chunk{};
    if (SSL_write(ssl, writer.bytes().data(), static_cast<int>(writer.size())) > 0) {
      while (response.size() <= nts::kMaxKeMessageSize) {
        const int n = SSL_read(ssl, chunk.data(), static_cast<int>(chunk.size()));
        if (n <= 0) break;
        response.insert(response.end(), chunk.begin(), chunk.begin() + n);
        auto parsed = nts::ParseKeMessage(response);
        if (!parsed) {
          if (parsed.error() == nts::KeDecodeError::kIncomplete) continue;
          break;
        }
        const bool good = parsed->next_protocols && parsed->next_protocols->Contains(nts::kProtocolNtpV4) &&
                          parsed->aead_algorithms && parsed->aead_algorithms->Contains(nts::kAeadAesSivCmac256) &&
                          parsed->cookie_count > 0;
        if (good) outcome = Outcome::kAnswered;
        break;
      }
    }
    SSL_shutdown(ssl);
  }
  ERR_clear_error();
  SSL_free(ssl);
  close(fd);
  return outcome;
}

std::optional<tempus::bench::ProcSample> ServerCpu(const std::vector<int>& pids) {
  tempus::bench::ProcSample sum;
  for (int pid : pids) {
    auto s = tempus::bench::ReadProcSample(pid);
    if (!s) return std::nullopt;
    sum.run_ns += s->run_ns;
    sum.wait_ns += s->wait_ns;
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"NTS-KE handshakes against one server (bench/nts_ke_bench.sh)"};
  app.add_option("--address", o.address, "Server address")->required();
  app.add_option("--port", o.port, "Server NTS-KE port");
  app.add_option("--host", o.host, "Name the server's certificate must carry (SNI and check)");
  app.add_option("--ca", o.ca, "PEM file of the CA that signed the server's certificate")->required();
  app.add_option("--count", o.count, "Exchanges in all")->check(CLI::Range(1L, 10000000L));
  app.add_option("--seconds", o.seconds, "Stop after this long at most")->check(CLI::Range(0.1, 600.0));
  app.add_option("--concurrency", o.concurrency, "Exchanges at a time (threads)")->check(CLI::Range(1, 64));
  app.add_option("--server-pid", o.server_pids, "PID of a server process (repeat for each)");
  CLI11_PARSE(app, argc, argv);

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* target = nullptr;
  if (getaddrinfo(o.address.c_str(), std::to_string(o.port).c_str(), &hints, &target) != 0) {
    std::fprintf(stderr, "nts_ke_load: --address must be a numeric address, got '%s'\n", o.address.c_str());
    return 2;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  static constexpr unsigned char kAlpn[] = {7, 'n', 't', 's', 'k', 'e', '/', '1'};
  if (ctx == nullptr || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_load_verify_locations(ctx, o.ca.c_str(), nullptr) != 1 ||
      SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof kAlpn) != 0) {
    std::fprintf(stderr, "nts_ke_load: cannot set up TLS with CA %s\n", o.ca.c_str());
    return 2;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // every exchange a full handshake

  std::atomic<long> started{0};
  std::array<std::atomic<long>, 4> outcomes{};
  const auto begin_cpu = ServerCpu(o.server_pids);
  const auto begin = Clock::now();
  const auto end_by = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.concurrency; ++i) {
    threads.emplace_back([&] {
      while (started.fetch_add(1) < o.count && Clock::now() < end_by) {
        ++outcomes[static_cast<size_t>(Exchange(ctx, o, target))];
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  const auto end_cpu = ServerCpu(o.server_pids);
  freeaddrinfo(target);
  SSL_CTX_free(ctx);

  const long answered = outcomes[0];
  nlohmann::json report = {
      {"answered", answered},
      {"failed_connect", outcomes[1].load()},
      {"failed_handshake", outcomes[2].load()},
      {"bad_response", outcomes[3].load()},
      {"seconds", elapsed},
      {"per_second", answered / elapsed},
      {"concurrency", o.concurrency},
  };
  if (begin_cpu && end_cpu && answered > 0) {
    report["server_cpu_us_per_exchange"] = static_cast<double>(end_cpu->run_ns - begin_cpu->run_ns) / 1e3 / answered;
    report["server_wait_us_per_exchange"] = static_cast<double>(end_cpu->wait_ns - begin_cpu->wait_ns) / 1e3 / answered;
  }
  std::printf("%s\n", report.dump().c_str());
  return answered > 0 ? 0 : 1;
}

#include "crypto/ke_responder.h"

#include <array>

#include "core/nts/ke_record.h"

namespace tempus::crypto {
namespace {

namespace nts = core::nts;

size_t ErrorReply(uint16_t code, std::span<uint8_t> out) {
  nts::KeMessageWriter w(out);
  w.U16(nts::KeRecordType::kError, true, code);
  w.End();
  return w.ok() ? w.size() : 0;
}

}  // namespace

std::optional<SessionKeys> ExportSessionKeys(const TlsExporter& exporter, uint16_t protocol, uint16_t aead) {
  static constexpr std::string_view kLabel = "EXPORTER-network-time-security";
  SessionKeys keys;
  std::array<uint8_t, 5> context{static_cast<uint8_t>(protocol >> 8), static_cast<uint8_t>(protocol),
                                 static_cast<uint8_t>(aead >> 8), static_cast<uint8_t>(aead), 0x00};
  if (!exporter(kLabel, context, keys.c2s)) return std::nullopt;
  context[4] = 0x01;
  if (!exporter(kLabel, context, keys.s2c)) return std::nullopt;
  return keys;
}

std::optional<size_t> AnswerKeRequest(std::span<const uint8_t> request, const ExportKeys& export_keys,
                                      const CookieJar& jar, Random& random, const KeServerOptions& options,
                                      std::span<uint8_t> out) {
  auto m = nts::ParseKeMessage(request);
  if (!m && m.error() == nts::KeDecodeError::kIncomplete) return std::nullopt;
  if (!m) {
    return ErrorReply(m.error() == nts::KeDecodeError::kUnrecognizedCritical ? nts::kKeErrorUnrecognizedCritical
                                                                             : nts::kKeErrorBadRequest,
                      out);
  }
  if (auto problem = nts::RequestProblem(*m)) return ErrorReply(*problem, out);

  // §4.1.2 / §4.1.5: the protocols and algorithms we share with the client, none if we share none.
  const bool ntp = m->next_protocols->Contains(nts::kProtocolNtpV4);
  const bool siv = ntp && m->aead_algorithms->Contains(nts::kAeadAesSivCmac256);
  nts::KeMessageWriter w(out);
  const std::array<uint16_t, 1> protocol{nts::kProtocolNtpV4}, aead{nts::kAeadAesSivCmac256};
  w.Ids(nts::KeRecordType::kNextProtocol, true, std::span(protocol).first(ntp ? 1 : 0));
  if (ntp) w.Ids(nts::KeRecordType::kAeadAlgorithm, true, std::span(aead).first(siv ? 1 : 0));
  if (siv) {
    const auto keys = export_keys(nts::kProtocolNtpV4, nts::kAeadAesSivCmac256);
    if (!keys) return ErrorReply(nts::kKeErrorInternalServer, out);
    std::array<uint8_t, kCookieSize> cookie{};
    for (size_t i = 0; i < options.cookies; ++i) {
      jar.Seal(*keys, random, cookie);
      w.Record(nts::KeRecordType::kNewCookie, false, cookie);
    }
    if (options.server) {
      w.Record(nts::KeRecordType::kServer, true,
               std::span(reinterpret_cast<const uint8_t*>(options.server->data()), options.server->size()));
    }
    if (options.port) w.U16(nts::KeRecordType::kPort, true, *options.port);
  }
  w.End();
  return w.ok() ? w.size() : 0;
}

}  // namespace tempus::crypto

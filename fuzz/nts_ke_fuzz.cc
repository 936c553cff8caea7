// NTS-KE records (RFC 8915 §4): any input is parsed or refused with a typed error, never a crash;
// an accepted message is re-written record by record with KeMessageWriter and parses back to the
// same content, and every prefix of it is kIncomplete.
#include <array>
#include <cstdint>
#include <span>

#include "core/nts/ke_record.h"
#include "fuzz_check.h"

using tempus::core::nts::IdList;
using tempus::core::nts::KeDecodeError;
using tempus::core::nts::KeMessageWriter;
using tempus::core::nts::KeRecordType;
using tempus::core::nts::ParseKeMessage;

namespace {

void WriteIds(KeMessageWriter& w, KeRecordType type, const IdList& ids) {
  std::array<uint16_t, tempus::core::nts::kMaxKeMessageSize / 2> v{};
  for (size_t i = 0; i < ids.size(); ++i) v[i] = ids[i];
  w.Ids(type, true, std::span(v).first(ids.size()));
}

bool SameIds(const std::optional<IdList>& a, const std::optional<IdList>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  if (a->size() != b->size()) return false;
  for (size_t i = 0; i < a->size(); ++i) {
    if ((*a)[i] != (*b)[i]) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  auto m = ParseKeMessage(in);
  if (!m) {
    FUZZ_CHECK(static_cast<size_t>(m.error()) < tempus::core::nts::kKeDecodeErrorCount);
    return 0;
  }
  FUZZ_CHECK(m->size == size && size <= tempus::core::nts::kMaxKeMessageSize);
  for (size_t i = 0; i < m->cookie_count; ++i) {
    FUZZ_CHECK(m->cookies[i].data() >= data && m->cookies[i].data() + m->cookies[i].size() <= data + size);
  }
  // Without its last byte the End of Message record is cut: more must be read.
  FUZZ_CHECK(ParseKeMessage(in.first(size - 1)).error() == KeDecodeError::kIncomplete);
  (void)tempus::core::nts::RequestProblem(*m);

  // Re-write what was understood (unknown non-critical records are dropped) and parse it again.
  static std::array<uint8_t, tempus::core::nts::kMaxKeMessageSize> out;
  KeMessageWriter w(out);
  if (m->next_protocols) WriteIds(w, KeRecordType::kNextProtocol, *m->next_protocols);
  if (m->aead_algorithms) WriteIds(w, KeRecordType::kAeadAlgorithm, *m->aead_algorithms);
  if (m->error) w.U16(KeRecordType::kError, true, *m->error);
  if (m->warning) w.U16(KeRecordType::kWarning, true, *m->warning);
  if (m->port) w.U16(KeRecordType::kPort, true, *m->port);
  if (m->server) {
    w.Record(KeRecordType::kServer, true,
             std::span(reinterpret_cast<const uint8_t*>(m->server->data()), m->server->size()));
  }
  for (size_t i = 0; i < m->cookie_count; ++i) w.Record(KeRecordType::kNewCookie, false, m->cookies[i]);
  w.End();
  FUZZ_CHECK(w.ok());  // the same records, less any unknown ones: never larger
  auto again = ParseKeMessage(w.bytes());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(SameIds(again->next_protocols, m->next_protocols));
  FUZZ_CHECK(SameIds(again->aead_algorithms, m->aead_algorithms));
  FUZZ_CHECK(again->error == m->error && again->warning == m->warning && again->port == m->port);
  FUZZ_CHECK(again->server == m->server);
  FUZZ_CHECK(again->cookie_count == m->cookie_count);
  return 0;
}

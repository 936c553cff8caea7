#include "core/wire/mode6.h"

#include <algorithm>

namespace tempus::core::mode6 {
namespace {

uint16_t Get16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>((b[at] << 8) | b[at + 1]); }

void Put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

std::string Trim(std::string s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t' && c != '\r' && c != '\n'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnspecified: return "unspecified";
    case ErrorCode::kAuthenticationFailure: return "authentication failure";
    case ErrorCode::kBadFormat: return "invalid message length or format";
    case ErrorCode::kBadOpcode: return "invalid opcode";
    case ErrorCode::kUnknownAssociation: return "unknown association identifier";
    case ErrorCode::kUnknownVariable: return "unknown variable name";
    case ErrorCode::kBadValue: return "invalid variable value";
    case ErrorCode::kPermission: return "administratively prohibited";
  }
  return "?";
}

std::string_view Mode6ErrorName(Mode6Error error) {
  switch (error) {
    case Mode6Error::kTooShort: return "too_short";
    case Mode6Error::kNotControl: return "not_control";
    case Mode6Error::kBadVersion: return "bad_version";
    case Mode6Error::kBadCount: return "bad_count";
    case Mode6Error::kBadOffset: return "bad_offset";
  }
  return "?";
}

Result<Message, Mode6Error> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return Unexpected(Mode6Error::kTooShort);
  Header h;
  h.leap = bytes[0] >> 6;
  h.version = (bytes[0] >> 3) & 0x7;
  if ((bytes[0] & 0x7) != 6) return Unexpected(Mode6Error::kNotControl);
  if (h.version < kMinVersion || h.version > kMaxVersion) return Unexpected(Mode6Error::kBadVersion);
  h.response = (bytes[1] & 0x80) != 0;
  h.error = (bytes[1] & 0x40) != 0;
  h.more = (bytes[1] & 0x20) != 0;
  h.opcode = bytes[1] & 0x1f;
  h.sequence = Get16(bytes, 2);
  h.status = Get16(bytes, 4);
  h.association_id = Get16(bytes, 6);
  h.offset = Get16(bytes, 8);
  h.count = Get16(bytes, 10);
  if (h.count > bytes.size() - kHeaderSize) return Unexpected(Mode6Error::kBadCount);
  if (uint32_t{h.offset} + h.count > 0xffff) return Unexpected(Mode6Error::kBadOffset);
  return Message{h, bytes.subspan(kHeaderSize, h.count)};
}

std::vector<uint8_t> Encode(const Header& h, std::span<const uint8_t> data) {
  TEMPUS_CHECK(data.size() <= 0xffff);
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + data.size() + 3);
  out.push_back(static_cast<uint8_t>(((h.leap & 3) << 6) | ((h.version & 7) << 3) | 6));
  out.push_back(
      static_cast<uint8_t>((h.response ? 0x80 : 0) | (h.error ? 0x40 : 0) | (h.more ? 0x20 : 0) | (h.opcode & 0x1f)));
  Put16(out, h.sequence);
  Put16(out, h.status);
  Put16(out, h.association_id);
  Put16(out, h.offset);
  Put16(out, static_cast<uint16_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  while (out.size() % 4 != 0) out.push_back(0);
  return out;
}

std::vector<std::vector<uint8_t>> EncodeResponse(const Header& request, uint16_t status, uint16_t association_id,
                                                 std::span<const uint8_t> data, size_t max_data) {
  TEMPUS_CHECK(max_data >= 4 && max_data <= kMaxFragmentData && max_data % 4 == 0);
  TEMPUS_CHECK(data.size() <= 0xffff);
  std::vector<std::vector<uint8_t>> out;
  size_t at = 0;
  do {
    const size_t n = std::min(max_data, data.size() - at);
    Header h;
    h.version = request.version;
    h.response = true;
    h.more = at + n < data.size();
    h.opcode = request.opcode;
    h.sequence = request.sequence;
    h.status = status;
    h.association_id = association_id;
    h.offset = static_cast<uint16_t>(at);
    out.push_back(Encode(h, data.subspan(at, n)));
    at += n;
  } while (at < data.size());
  return out;
}

std::vector<uint8_t> EncodeError(const Header& request, ErrorCode code) {
  Header h;
  h.version = request.version;
  h.response = true;
  h.error = true;
  h.opcode = request.opcode;
  h.sequence = request.sequence;
  h.status = static_cast<uint16_t>(static_cast<uint16_t>(code) << 8);
  h.association_id = request.association_id;
  return Encode(h, {});
}

std::vector<uint8_t> EncodeRequest(Opcode opcode, uint16_t sequence, uint16_t association_id, std::string_view data,
                                   uint8_t version) {
  Header h;
  h.version = version;
  h.opcode = static_cast<uint8_t>(opcode);
  h.sequence = sequence;
  h.association_id = association_id;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  return Encode(h, std::span(p, data.size()));
}

Result<Reassembler::State, Reassembler::Error> Reassembler::Add(const Message& m) {
  const Header& h = m.header;
  if (!h.response) return Unexpected(Error::kNotResponse);
  if (h.sequence != sequence_) return Unexpected(Error::kWrongSequence);
  if (h.opcode != static_cast<uint8_t>(opcode_)) return Unexpected(Error::kWrongOpcode);
  if (h.error) {
    error_code_ = static_cast<ErrorCode>(h.status >> 8);
    return Unexpected(Error::kErrorResponse);
  }
  // RFC 9327 does not bound the fragment count; ntpq gives up after 32. So do we.
  if (fragments_.size() >= 32) return Unexpected(Error::kTooMany);
  const uint32_t begin = h.offset;
  const uint32_t end = begin + h.count;
  for (const Fragment& f : fragments_) {
    const uint32_t fb = f.offset;
    const uint32_t fe = fb + static_cast<uint32_t>(f.bytes.size());
    if (fb == begin && fe == end) return State::kIncomplete;  // a duplicate
    if (begin < fe && fb < end) return Unexpected(Error::kOverlap);
  }
  if (h.more && h.count == 0) return Unexpected(Error::kOverlap);
  fragments_.push_back(Fragment{h.offset, std::vector<uint8_t>(m.data.begin(), m.data.end())});
  std::sort(fragments_.begin(), fragments_.end(),
            [](const Fragment& a, const Fragment& b) { return a.offset < b.offset; });
  if (!h.more) {
    seen_last_ = true;
    status_ = h.status;
    association_id_ = h.association_id;
  }
  if (!seen_last_) return State::kIncomplete;
  uint32_t next = 0;
  for (const Fragment& f : fragments_) {
    if (f.offset != next) return State::kIncomplete;  // a hole
    next += static_cast<uint32_t>(f.bytes.size());
  }
  data_.clear();
  for (const Fragment& f : fragments_) data_.insert(data_.end(), f.bytes.begin(), f.bytes.end());
  return State::kComplete;
}

Result<std::vector<AssociationStatus>, Mode6Error> ParseStatusList(std::span<const uint8_t> data) {
  if (data.size() % 4 != 0) return Unexpected(Mode6Error::kBadCount);
  std::vector<AssociationStatus> out;
  for (size_t i = 0; i < data.size(); i += 4) out.push_back({Get16(data, i), Get16(data, i + 2)});
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseVariables(std::span<const uint8_t> data) {
  std::vector<std::string> items;
  std::string cur;
  bool quoted = false;
  for (uint8_t b : data) {
    const char c = static_cast<char>(b);
    if (c == '"') {
      quoted = !quoted;
      cur += c;
    } else if (!quoted && c == ',') {
      items.push_back(std::move(cur));
      cur.clear();
    } else if (b > 0 && b < 127) {
      cur += c;
    }
  }
  if (!Trim(cur).empty()) items.push_back(std::move(cur));
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    std::string name = Trim(item.substr(0, eq));
    std::string value = eq == std::string::npos ? std::string() : Trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (name.empty()) continue;
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace tempus::core::mode6

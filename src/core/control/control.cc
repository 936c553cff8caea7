#include "core/control/control.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>

#include "core/control/nts_variables.h"
#include "core/time/constants.h"
#include "core/time/leap_table.h"

namespace tempus::core::control {

using assoc::AssociationSnapshot;
using report::NodeSnapshot;
using report::SourceSnapshot;
using system::Refusal;
using system::RefusalFlash;
using system::RefusalName;
using system::SystemSnapshot;

namespace {

using mode6::ErrorCode;
using mode6::Opcode;

// System variables in the order ntpd sends them for `rv` with no list (RFC 9327 §4.1 names).
// tai, leapsec and expire are omitted without a leap table (ntpd: when zero); tempus adds
// sysclk_offset (only with clock observe) and `reason` at the end.
constexpr std::array<std::string_view, 24> kSystemDefaults = {"leap",       "stratum",    "precision",     "rootdelay",
                                                              "rootdisp",   "refid",      "reftime",       "tc",
                                                              "peer",       "offset",     "frequency",     "sys_jitter",
                                                              "clk_jitter", "clock",      "processor",     "system",
                                                              "version",    "clk_wander", "tai",           "leapsec",
                                                              "expire",     "mintc",      "sysclk_offset", "reason"};

// Peer variables in the order ntpd sends them for `rv &N` and `ntpq -p` with no list (NTPsec
// puts the clock filter's stages around pmode: keyid, filtdelay, filtoffset, pmode, filtdisp).
// srchost is sent for a reference clock only (as ntpd, which sends it when it has a host name);
// tempus adds `reason`, then NTPsec's ntscookies and, for an NTS association, its NTS state
// (nts_variables.h).
constexpr std::array<std::string_view, 30> kPeerDefaults = {
    "srcadr",    "srcport",    "srchost",   "dstadr",    "dstport",  "leap",   "hmode",      "stratum",
    "ppoll",     "hpoll",      "precision", "rootdelay", "rootdisp", "refid",  "reftime",    "rec",
    "xmt",       "reach",      "unreach",   "delay",     "offset",   "jitter", "dispersion", "keyid",
    "filtdelay", "filtoffset", "pmode",     "filtdisp",  "flash",    "reason"};

// ntpd's TEST13 (peer_unreach): set whenever the reach register is empty.
constexpr unsigned kFlashUnreachable = 0x1000;

// ntpd keeps a peer's dispersion at MAXDISPERSE (16 s) until it has samples.
constexpr double kMaxDispersionMs = kMaxDispersion.Seconds() * 1000;

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
std::string Int(int64_t v) { return std::to_string(v); }
std::string Uint(uint64_t v) { return std::to_string(v); }
std::string Ms(NtpDuration d, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, d.Seconds() * 1000.0);
  return buf;
}
std::string Ts(NtpTimestamp t) { return TimestampText(t); }
std::string Hex(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}
std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// ntpd's ctl_putarray: the eight filter stages, newest first, each " %.2f" in milliseconds.
// Without a source view every stage is empty: 0 delay and offset, MAXDISP dispersion.
std::string FilterArray(const std::optional<system::SourceView>& source, NtpDuration filter::StageView::*field) {
  std::string out;
  for (size_t i = 0; i < filter::ClockFilter::kStages; ++i) {
    const filter::StageView stage = source ? source->stages[i] : filter::StageView{};
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.2f", (stage.*field).Seconds() * 1000.0);
    out += buf;
  }
  return out;
}

// As ntpd shows a refid: the kiss/reference code for stratum 0, 1 and 16, else the dotted quad.
std::string RefIdText(RefId refid, uint8_t stratum) {
  if (stratum <= 1 || stratum >= kMaxStratum) {
    std::string code = refid.AsCode();
    if (!code.empty()) return code;
  }
  return refid.AsDottedQuad();
}

// ntpq sysstats' ss_* variables, folded from the snapshot's counters (report::SysStats).
std::optional<std::string> SysStatsVariable(std::string_view name, const NodeSnapshot& v) {
  const uint64_t uptime = v.now > v.start ? static_cast<uint64_t>((v.now - v.start).Seconds()) : 0;
  if (name == "ss_uptime" || name == "ss_reset") return Uint(uptime);
  const report::Counters c = report::SysStats(v);
  if (name == "ss_numctlreq") return Uint(c.control_requests);
  if (name == "ss_received") return Uint(c.received);
  if (name == "ss_thisver") return Uint(c.this_version);
  if (name == "ss_oldver") return Uint(c.old_version);
  if (name == "ss_ver1") return Uint(c.version1);
  if (name == "ss_ver1client") return Uint(c.version1_client);
  if (name == "ss_ver1zero") return Uint(c.version1_zero);
  if (name == "ss_ver1symm") return Uint(c.version1_symmetric);
  if (name == "ss_badformat") return Uint(c.bad_format);
  if (name == "ss_badauth") return Uint(c.bad_auth);
  if (name == "ss_declined") return Uint(c.declined);
  if (name == "ss_restricted") return Uint(c.restricted);
  if (name == "ss_limited") return Uint(c.limited);
  if (name == "ss_kodsent") return Uint(c.kod_sent);
  if (name == "ss_processed") return Uint(c.processed);
  if (name == "ss_fwddrop") return Uint(c.forward_drops);  // tempus: counters.h forward_drops
  return std::nullopt;
}

std::optional<std::string> SystemVariable(std::string_view name, const NodeSnapshot& v) {
  const SystemSnapshot& s = v.system;
  if (name == "leap") return Int(static_cast<int>(s.leap));
  if (name == "stratum") return Int(s.stratum);
  if (name == "precision") return Int(s.precision);
  if (name == "rootdelay") return Ms(s.root_delay, 3);
  if (name == "rootdisp") return Ms(system::RootDispersionAt(s, v.clock_now), 3);
  if (name == "rootdist") {
    return Ms(s.root_delay.Half() + system::RootDispersionAt(s, v.clock_now), 3);
  }
  if (name == "refid") return RefIdText(s.refid, s.stratum);
  if (name == "reftime") return Ts(s.reference_time);
  if (name == "tc") return Int(v.discipline.poll.log2());
  if (name == "mintc") return Int(0);
  if (name == "peer") return Int(v.system_peer.value_or(0));
  // While the panic refusal lasts, the offset the discipline refused (its own estimate is stale).
  if (name == "offset") return Ms(v.panic_offset.value_or(v.discipline.offset), 6);
  if (name == "reason") return std::string(RefusalName(v.refusal));
  if (name == "frequency") return Fmt("%.6f", v.discipline.frequency_ppm);
  if (name == "sys_jitter") return Ms(v.system_jitter, 6);
  if (name == "clk_jitter") return Ms(v.discipline.jitter, 6);
  if (name == "clk_wander") return Fmt("%.6f", v.discipline.wander_ppm);
  if (name == "clock") return Ts(v.clock_now);
  if (name == "processor") return v.processor.empty() ? std::nullopt : std::optional(Quoted(v.processor));
  if (name == "system") return v.system_name.empty() ? std::nullopt : std::optional(Quoted(v.system_name));
  if (name == "version") return Quoted(v.version);
  // ntpd's CS_TAI, CS_LEAPTAB and CS_LEAPEND; the two times as ctl_putfs writes them (YYYYMMDDhhmm).
  if (name == "tai")
    return v.leap_table && v.leap_table->tai_utc > 0 ? std::optional(Int(v.leap_table->tai_utc)) : std::nullopt;
  if (name == "leapsec") {
    return v.leap_table && v.leap_table->last_leap > 0 ? std::optional(NtpDateMinute(v.leap_table->last_leap))
                                                       : std::nullopt;
  }
  if (name == "expire") {
    return v.leap_table && v.leap_table->expires > 0 ? std::optional(NtpDateMinute(v.leap_table->expires))
                                                     : std::nullopt;
  }
  if (name == "sysclk_offset")
    return v.system_clock_offset ? std::optional(Ms(*v.system_clock_offset, 6)) : std::nullopt;
  // ntpq sysstats also asks for each counter "since reset" (NAME_r); this node never resets.
  if (name.starts_with("ss_") && name.ends_with("_r")) return SystemVariable(name.substr(0, name.size() - 2), v);
  if (name.starts_with("ss_")) return SysStatsVariable(name, v);
  if (name.starts_with("nts_")) return NtsSystemVariable(name, v);
  return std::nullopt;
}

// Whether `name` is a system variable at all (an omitted optional one is still known).
bool KnownSystemVariable(std::string_view name, const NodeSnapshot& v) {
  return name == "processor" || name == "system" || name == "tai" || name == "leapsec" || name == "expire" ||
         name == "sysclk_offset" || SystemVariable(name, v).has_value();
}

std::optional<std::string> PeerVariable(std::string_view name, const SourceSnapshot& p, const NodeSnapshot& v) {
  const AssociationSnapshot& a = p.association;
  std::optional<Header> server;
  if (p.source && p.source->last_header) {
    server = p.source->last_header;
  } else if (a.last_measurement) {
    server = a.last_measurement->server;
  }
  const std::optional<filter::FilterOutput> f = p.source ? p.source->filtered : std::nullopt;
  const uint8_t stratum = server ? server->stratum : kMaxStratum;
  if (name == "srcadr") return a.config.address.ToString();
  if (name == "srcport") return Int(a.config.address.port());
  if (name == "srchost") return p.clock_name.empty() ? std::nullopt : std::optional(Quoted(p.clock_name));
  if (name == "dstadr") return v.local_address ? v.local_address->ToString() : std::string("0.0.0.0");
  if (name == "dstport") return Int(v.local_address ? v.local_address->port() : 123);
  if (name == "leap") return Int(server ? static_cast<int>(server->leap) : 3);
  if (name == "hmode") return Int(static_cast<int>(a.config.mode));
  if (name == "pmode") return Int(server ? static_cast<int>(server->mode) : 0);
  if (name == "stratum") return Int(stratum);
  if (name == "ppoll") return Int(a.ppoll.log2());
  if (name == "hpoll") return Int(a.hpoll.log2());
  if (name == "precision") return Int(server ? server->precision : 0);
  if (name == "rootdelay") return Ms(server ? server->root_delay.ToDuration() : NtpDuration(), 3);
  if (name == "rootdisp") return Ms(server ? server->root_dispersion.ToDuration() : NtpDuration(), 3);
  if (name == "refid") {
    if (server && !p.clock_name.empty()) return server->refid.AsCode();  // ntpd: a refclock's refid is text
    if (!server && p.nts && !p.nts->last_ke) return std::string("NTS");  // no NTS-KE has succeeded yet
    return server ? RefIdText(server->refid, stratum) : std::string("INIT");
  }
  if (name == "reftime") return Ts(server ? server->reference_time : NtpTimestamp());
  if (name == "rec") {
    if (!a.last_received) return Ts(NtpTimestamp());
    return Ts(v.clock_now - (v.now - *a.last_received));
  }
  if (name == "xmt") return Ts(server ? server->transmit_time : NtpTimestamp());
  if (name == "reach") return Hex(a.reach);
  if (name == "unreach") return Int(a.missed_polls);
  if (name == "delay") return Ms(f ? f->delay : NtpDuration(), 6);
  if (name == "offset") return Ms(f ? f->offset : NtpDuration(), 6);
  if (name == "jitter") return Ms(f ? f->jitter : NtpDuration(), 6);
  if (name == "dispersion") return f ? Ms(f->dispersion, 6) : Fmt("%.6f", kMaxDispersionMs);
  if (name == "rootdist") {
    return p.source ? Ms(p.source->root_distance, 6) : Fmt("%.6f", kMaxDispersionMs);
  }
  if (name == "filtdelay") return FilterArray(p.source, &filter::StageView::delay);
  if (name == "filtoffset") return FilterArray(p.source, &filter::StageView::offset);
  if (name == "filtdisp") return FilterArray(p.source, &filter::StageView::dispersion);
  if (name == "keyid") return Int(a.config.key_id.value_or(0));
  if (name == "flash") return Hex(FlashBits(p));
  if (name == "reason") return std::string(RefusalName(RefusalOf(p)));
  if (name == "headway") return Int(0);
  return NtsPeerVariable(name, p, v);
}

// Appends "name=value" to the text the way ntpd lays it out (", " between, a line break before
// 72 columns, CRLF at the end). Returns false when it would not fit in `limit` bytes.
class TextBuilder {
 public:
  explicit TextBuilder(size_t limit) : limit_(limit) {}
  bool Add(std::string_view name, const std::string& value) {
    std::string item(name);
    item += "=";
    item += value;
    std::string sep;
    if (!text_.empty()) sep = line_ + item.size() + 2 > 72 ? ",\r\n" : ", ";
    if (text_.size() + sep.size() + item.size() + 2 > limit_) return false;
    text_ += sep;
    if (sep == ",\r\n") line_ = 0;
    line_ += sep.size() + item.size();
    text_ += item;
    return true;
  }
  std::vector<uint8_t> Finish() const {
    std::string t = text_;
    if (!t.empty()) t += "\r\n";
    return std::vector<uint8_t>(t.begin(), t.end());
  }

 private:
  size_t limit_;
  std::string text_;
  size_t line_ = 0;
};

// The names of a READVAR request: comma-separated, each trimmed, "=value" ignored, empties
// skipped. Bytes outside printable ASCII make the whole list malformed.
Result<std::vector<std::string_view>, ErrorCode> ParseNames(std::span<const uint8_t> data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  // ntpq may pad its request with NULs; stop at the first.
  text = text.substr(0, text.find('\0'));
  std::vector<std::string_view> names;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find(',', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(at, end - at);
    item = item.substr(0, item.find('='));
    while (!item.empty() &&
           (item.front() == ' ' || item.front() == '\t' || item.front() == '\r' || item.front() == '\n')) {
      item.remove_prefix(1);
    }
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t' || item.back() == '\r' || item.back() == '\n')) {
      item.remove_suffix(1);
    }
    for (char c : item) {
      if (c <= ' ' || c >= 127) return Unexpected(ErrorCode::kBadFormat);
    }
    if (!item.empty()) names.push_back(item);
    at = end + 1;
  }
  return names;
}

const SourceSnapshot* FindPeer(const NodeSnapshot& v, uint16_t id) {
  for (const SourceSnapshot& p : v.sources) {
    if (p.association_id == id) return &p;
  }
  return nullptr;
}

Datagrams Respond(const mode6::Header& request, uint16_t status, uint16_t association_id,
                  std::span<const uint8_t> data) {
  return mode6::EncodeResponse(request, status, association_id, data);
}

Datagrams Error(const mode6::Header& request, ErrorCode code) { return {mode6::EncodeError(request, code)}; }

Datagrams ReadStatus(const mode6::Header& request, const NodeSnapshot& v) {
  if (request.association_id != 0) {
    const SourceSnapshot* p = FindPeer(v, request.association_id);
    if (!p) return Error(request, ErrorCode::kUnknownAssociation);
    return Respond(request, PeerStatusWord(*p, v.system_peer == p->association_id), p->association_id, {});
  }
  std::vector<uint8_t> data;
  for (const SourceSnapshot& p : v.sources) {
    if (data.size() + 4 > kMaxResponseFragments * mode6::kMaxFragmentData) break;
    const uint16_t status = PeerStatusWord(p, v.system_peer == p.association_id);
    data.push_back(static_cast<uint8_t>(p.association_id >> 8));
    data.push_back(static_cast<uint8_t>(p.association_id));
    data.push_back(static_cast<uint8_t>(status >> 8));
    data.push_back(static_cast<uint8_t>(status));
  }
  return Respond(request, SystemStatusWord(v), 0, data);
}

Datagrams ReadVariables(const mode6::Header& request, std::span<const uint8_t> data, const NodeSnapshot& v) {
  auto names = ParseNames(data);
  if (!names) return Error(request, names.error());
  const SourceSnapshot* peer = nullptr;
  if (request.association_id != 0) {
    peer = FindPeer(v, request.association_id);
    if (!peer) return Error(request, ErrorCode::kUnknownAssociation);
  }
  std::vector<std::string_view> wanted = *names;
  if (wanted.empty()) {
    if (peer) {
      wanted.assign(kPeerDefaults.begin(), kPeerDefaults.end());
      // NTPsec sends ntscookies with every peer (-1 without NTS); the others only for NTS (omitted below).
      wanted.insert(wanted.end(), kNtsPeerVariables.begin(), kNtsPeerVariables.end());
    } else {
      wanted.assign(kSystemDefaults.begin(), kSystemDefaults.end());
    }
  } else {
    for (std::string_view n : wanted) {
      const bool known = peer ? n == "srchost" || IsNtsPeerVariable(n) || PeerVariable(n, *peer, v).has_value()
                              : KnownSystemVariable(n, v);
      if (!known) return Error(request, ErrorCode::kUnknownVariable);
    }
  }
  TextBuilder text(kMaxResponseFragments * mode6::kMaxFragmentData);
  for (std::string_view n : wanted) {
    const std::optional<std::string> value = peer ? PeerVariable(n, *peer, v) : SystemVariable(n, v);
    if (!value) continue;  // an optional system variable that is not set
    if (!text.Add(n, *value)) break;
  }
  const std::vector<uint8_t> out = text.Finish();
  if (peer)
    return Respond(request, PeerStatusWord(*peer, v.system_peer == peer->association_id), peer->association_id, out);
  return Respond(request, SystemStatusWord(v), 0, out);
}

}  // namespace

std::string_view DropName(Drop drop) {
  switch (drop) {
    case Drop::kMalformed: return "malformed";
    case Drop::kNotRequest: return "not_request";
    case Drop::kFragmentedRequest: return "fragmented_request";
  }
  return "?";
}

std::string TimestampText(NtpTimestamp t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32 ".%08" PRIx32, t.seconds(), t.fraction());
  return buf;
}

uint16_t FlashBits(const SourceSnapshot& peer) {
  constexpr uint16_t kTest12Loop = 0x0800;  // ntpd's TEST12: synchronization loop
  unsigned bits = RefusalFlash(RefusalOf(peer)) | (peer.association.reach == 0 ? kFlashUnreachable : 0);
  if (peer.source && peer.source->loop) bits |= kTest12Loop;
  return static_cast<uint16_t>(bits);
}

int SelectCode(select::Tally tally) {
  switch (tally) {
    case select::Tally::kReject: return 0;
    case select::Tally::kFalseticker: return 1;
    case select::Tally::kExcess: return 2;
    case select::Tally::kOutlier: return 3;
    case select::Tally::kCandidate: return 4;
    case select::Tally::kBackup: return 5;
    case select::Tally::kSystemPeer: return 6;
    case select::Tally::kPpsPeer: return 7;
  }
  return 0;
}

uint16_t PeerStatusWord(const SourceSnapshot& peer, bool is_system_peer) {
  // Peer event codes (RFC 9327 §2.4.2.3): 1 mobilize, 3 unreachable, 4 reachable, 10 sys_peer.
  const AssociationSnapshot& a = peer.association;
  // A passive association was mobilized by its peer, not configured (ntpd's ephemeral).
  uint16_t status = a.config.mode == Mode::kSymmetricPassive ? 0 : mode6::kPeerConfigured;
  if (a.reach != 0) status |= mode6::kPeerReachable;
  // With a key, every reply taken passed its MAC check (RFC 5905 test 5), with NTS its
  // authenticator (RFC 8915 §5.7, checked by the host first): reachable is authentic.
  const bool authenticated = a.config.key_id || a.config.nts;
  if (authenticated) status |= mode6::kPeerAuthEnabled;
  if (authenticated && a.reach != 0) status |= mode6::kPeerAuthentic;
  const select::Tally tally = peer.source ? peer.source->tally : select::Tally::kReject;
  status |= static_cast<uint16_t>(SelectCode(is_system_peer ? select::Tally::kSystemPeer : tally) << 8);
  int event = 1;
  if (is_system_peer) {
    event = 10;
  } else if (a.reach != 0) {
    event = 4;
  } else if (a.stats.received > 0) {
    event = 3;
  }
  return static_cast<uint16_t>(status | (1 << 4) | event);
}

Refusal RefusalOf(const SourceSnapshot& peer) { return peer.source ? peer.source->refusal : peer.association.refusal; }

uint16_t SystemStatusWord(const NodeSnapshot& v) {
  // Clock source (RFC 9327 §2.4.1.2) 6: NTP; 5: the local clock; 0: unspecified. System events:
  // 5 clock_sync, 6 restart.
  const int leap = static_cast<int>(v.system.leap) & 3;
  int source = 0;
  if (v.system_peer) {
    const SourceSnapshot* peer = FindPeer(v, *v.system_peer);
    source = peer != nullptr && !peer->clock_name.empty() ? 5 : 6;
  }
  const int event = v.system.synchronized() && v.system_peer ? 5 : 6;
  return static_cast<uint16_t>((leap << 14) | (source << 8) | (1 << 4) | event);
}

Result<Datagrams, Drop> HandleControl(std::span<const uint8_t> request, const NodeSnapshot& view) {
  auto m = mode6::Decode(request);
  if (!m) return Unexpected(Drop::kMalformed);
  const mode6::Header& h = m->header;
  if (h.response || h.error) return Unexpected(Drop::kNotRequest);
  if (h.more) return Unexpected(Drop::kFragmentedRequest);
  if (h.offset != 0) return Error(h, ErrorCode::kBadFormat);
  switch (static_cast<Opcode>(h.opcode)) {
    case Opcode::kReadStatus: return ReadStatus(h, view);
    case Opcode::kReadVariables: return ReadVariables(h, m->data, view);
    case Opcode::kWriteVariables:
    case Opcode::kWriteClock:
    case Opcode::kSetTrap:
    case Opcode::kUnsetTrap:
    case Opcode::kConfigure:
    case Opcode::kSaveConfig: return Error(h, ErrorCode::kPermission);
    default: return Error(h, ErrorCode::kBadOpcode);
  }
}

}  // namespace tempus::core::control

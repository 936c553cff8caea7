#include "obs/prometheus.h"

#include <fmt/format.h>

namespace tempus::obs {
namespace {

// Label values escape backslash, double quote and newline (exposition format).
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

class Writer {
 public:
  // Starts a metric family.
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void Sample(std::string_view name, std::string_view labels, double value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
    }
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

const char* TallyState(core::select::Tally t) {
  switch (t) {
    case core::select::Tally::kReject: return "reject";
    case core::select::Tally::kFalseticker: return "falseticker";
    case core::select::Tally::kExcess: return "excess";
    case core::select::Tally::kOutlier: return "outlier";
    case core::select::Tally::kCandidate: return "candidate";
    case core::select::Tally::kBackup: return "backup";
    case core::select::Tally::kSystemPeer: return "system_peer";
    case core::select::Tally::kPpsPeer: return "pps_peer";
  }
  return "unknown";
}

using core::report::NodeSnapshot;
using core::report::SourceSnapshot;

void RenderSystem(const NodeSnapshot& snap, Writer& w) {
  const core::system::SystemSnapshot& s = snap.system;
  const auto& d = snap.discipline;
  w.Family("tempus_system_synchronized", "gauge", "1 when the node has a time worth serving (leap != 3, stratum < 16)");
  w.Sample("tempus_system_synchronized", "", s.synchronized() ? 1 : 0);
  w.Family("tempus_system_stratum", "gauge", "Stratum of this node (16: unsynchronized)");
  w.Sample("tempus_system_stratum", "", s.stratum);
  w.Family("tempus_system_leap", "gauge", "Leap indicator: 0 none, 1 insert, 2 delete, 3 unsynchronized");
  w.Sample("tempus_system_leap", "", static_cast<int>(s.leap));
  w.Family("tempus_system_offset_seconds", "gauge", "Combined offset of the selected sources at the last update");
  w.Sample("tempus_system_offset_seconds", "", snap.system_offset.Seconds());
  w.Family("tempus_system_jitter_seconds", "gauge", "System jitter");
  w.Sample("tempus_system_jitter_seconds", "", snap.system_jitter.Seconds());
  w.Family("tempus_system_frequency_ratio", "gauge", "Frequency correction of the clock (ppm x 1e-6)");
  w.Sample("tempus_system_frequency_ratio", "", d.frequency_ppm * 1e-6);
  w.Family("tempus_system_root_delay_seconds", "gauge", "Round-trip delay to the primary reference");
  w.Sample("tempus_system_root_delay_seconds", "", s.root_delay.Seconds());
  w.Family("tempus_system_root_dispersion_seconds", "gauge", "Dispersion to the primary reference");
  w.Sample("tempus_system_root_dispersion_seconds", "", s.root_dispersion.Seconds());
  w.Family("tempus_system_poll_seconds", "gauge", "Poll interval the discipline recommends");
  w.Sample("tempus_system_poll_seconds", "", snap.system_poll.Interval().Seconds());
  w.Family("tempus_clock_steps_total", "counter", "Times the clock was stepped");
  w.Sample("tempus_clock_steps_total", "", static_cast<double>(snap.counters.steps));
  if (const auto& off = snap.system_clock_offset) {
    w.Family("tempus_system_clock_offset_seconds", "gauge",
             "clock observe: the time served minus the uncorrected system clock (positive: it is behind)");
    w.Sample("tempus_system_clock_offset_seconds", "", off->Seconds());
  }
  w.Family("tempus_system_refusal", "gauge",
           "Why the node follows no source (none: it follows one or is the reference; panic: the offset is beyond "
           "tinker panic), one-hot");
  w.Sample("tempus_system_refusal", fmt::format("reason=\"{}\"", core::system::RefusalName(snap.refusal)), 1);
}

// Every source the System knows, NTP associations and the LOCAL clock alike, labelled by its
// address:port (the LOCAL clock's is ntpd's 127.127.1.u, as `ntpq rv` shows srcadr).
void RenderSources(const NodeSnapshot& snap, Writer& w) {
  struct Row {
    std::string labels;
    const core::system::SourceView* view;
    const core::assoc::AssociationSnapshot* assoc;
  };
  std::vector<Row> rows;
  for (const SourceSnapshot& s : snap.sources) {
    if (!s.source) continue;  // not (or no longer) a source of the System
    const std::string name = s.association.config.address.ToStringWithPort();
    rows.push_back({fmt::format("source=\"{}\"", Escape(name)), &*s.source, &s.association});
  }
  const auto each = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    w.Family(name, type, help);
    for (const auto& r : rows) {
      if (auto x = value(r)) w.Sample(name, r.labels, *x);
    }
  };
  using Opt = std::optional<double>;
  each("tempus_source_offset_seconds", "gauge", "Offset of the source (clock filter), positive: source ahead",
       [](const Row& r) { return r.view->filtered ? Opt(r.view->filtered->offset.Seconds()) : std::nullopt; });
  each("tempus_source_delay_seconds", "gauge", "Round-trip delay to the source (clock filter)",
       [](const Row& r) { return r.view->filtered ? Opt(r.view->filtered->delay.Seconds()) : std::nullopt; });
  each("tempus_source_jitter_seconds", "gauge", "Jitter of the source (clock filter)",
       [](const Row& r) { return r.view->filtered ? Opt(r.view->filtered->jitter.Seconds()) : std::nullopt; });
  each("tempus_source_root_distance_seconds", "gauge", "Root distance (error bound) of the source",
       [](const Row& r) { return r.view->filtered ? Opt(r.view->root_distance.Seconds()) : std::nullopt; });
  each("tempus_source_reach", "gauge", "Reach register (8 bits, newest poll in bit 0)",
       [](const Row& r) { return Opt(r.assoc->reach); });
  each("tempus_source_stratum", "gauge", "Stratum the source reports",
       [](const Row& r) { return r.view->last_header ? Opt(r.view->last_header->stratum) : std::nullopt; });
  each("tempus_source_poll_seconds", "gauge", "Poll interval of the source",
       [](const Row& r) { return Opt(r.assoc->hpoll.Interval().Seconds()); });
  each("tempus_source_requests_total", "counter", "Requests sent to the source",
       [](const Row& r) { return Opt(static_cast<double>(r.assoc->stats.sent)); });
  each("tempus_source_replies_total", "counter", "Replies from the source that passed every test",
       [](const Row& r) { return Opt(static_cast<double>(r.assoc->stats.accepted)); });
  each("tempus_source_auth_failures_total", "counter",
       "Replies from a source with a key dropped for a missing or failed MAC, or a crypto-NAK (RFC 5905 test 5)",
       [](const Row& r) {
         const core::assoc::AssociationStats& st = r.assoc->stats;
         return Opt(static_cast<double>(st.Rejected(core::assoc::AssocReject::kAuthFailed) +
                                        st.Rejected(core::assoc::AssocReject::kCryptoNak)));
       });
  w.Family("tempus_source_selection", "gauge", "Selection state of the source (the ntpq tally code), one-hot");
  for (const auto& r : rows) {
    w.Sample("tempus_source_selection", fmt::format("{},state=\"{}\"", r.labels, TallyState(r.view->tally)), 1);
  }
  w.Family("tempus_source_refusal", "gauge",
           "Why the source is not used (none: it is usable; a packet test, selection or panic reason), one-hot");
  for (const auto& r : rows) {
    w.Sample("tempus_source_refusal",
             fmt::format("{},reason=\"{}\"", r.labels, core::system::RefusalName(r.view->refusal)), 1);
  }
}

void RenderServer(const NodeSnapshot& snap, Writer& w) {
  const core::server::ServerStats& st = snap.counters.server;
  w.Family("tempus_server_requests_total", "counter", "Datagrams received by the server");
  w.Sample("tempus_server_requests_total", "", static_cast<double>(st.received));
  w.Family("tempus_server_replies_total", "counter", "Replies sent by the server");
  w.Sample("tempus_server_replies_total", "", static_cast<double>(st.replied));
  w.Family("tempus_server_nts_replies_total", "counter", "Of the replies, those authenticated by NTS (RFC 8915)");
  w.Sample("tempus_server_nts_replies_total", "", static_cast<double>(st.nts_answered));
  w.Family("tempus_worker_forward_drops_total", "counter",
           "Datagrams a worker thread dropped because its queue to the timing thread was full (workers N)");
  w.Sample("tempus_worker_forward_drops_total", "", static_cast<double>(snap.counters.node.forward_drops));
  w.Family("tempus_server_nts_replays_total", "counter",
           "Of the NTS replies, those to a cookie answered before (a replayed request, answered again)");
  w.Sample("tempus_server_nts_replays_total", "", static_cast<double>(st.nts_replayed));
  w.Family("tempus_server_drops_total", "counter", "Datagrams dropped by the server, by reason");
  for (size_t i = 0; i < core::server::kDropReasonCount; ++i) {
    const auto reason = static_cast<core::server::DropReason>(i);
    w.Sample("tempus_server_drops_total", fmt::format("reason=\"{}\"", core::server::DropReasonName(reason)),
             static_cast<double>(st.dropped[i]));
  }
}

void RenderControl(const NodeSnapshot& snap, Writer& w) {
  const core::report::ControlStats& c = snap.counters.control;
  w.Family("tempus_control_requests_total", "counter", "Mode 6 (ntpq) requests received");
  w.Sample("tempus_control_requests_total", "", static_cast<double>(c.requests));
  w.Family("tempus_control_answered_total", "counter", "Mode 6 requests answered");
  w.Sample("tempus_control_answered_total", "", static_cast<double>(c.answered));
  w.Family("tempus_control_drops_total", "counter", "Mode 6 requests dropped, by reason");
  for (size_t i = 0; i < core::report::kControlDropCount; ++i) {
    const auto reason = static_cast<core::report::ControlDrop>(i);
    w.Sample("tempus_control_drops_total", fmt::format("reason=\"{}\"", core::report::ControlDropName(reason)),
             static_cast<double>(c.dropped[i]));
  }
  w.Family("tempus_control_bytes_total", "counter", "Bytes of mode 6 requests received and responses sent");
  w.Sample("tempus_control_bytes_total", "direction=\"in\"", static_cast<double>(c.bytes_in));
  w.Sample("tempus_control_bytes_total", "direction=\"out\"", static_cast<double>(c.bytes_out));
}

}  // namespace

std::string RenderPrometheus(const NodeSnapshot& snapshot, std::string_view version) {
  Writer w;
  w.Family("tempus_build_info", "gauge", "Build information");
  w.Sample("tempus_build_info", fmt::format("version=\"{}\"", Escape(version)), 1);
  RenderSystem(snapshot, w);
  RenderSources(snapshot, w);
  RenderServer(snapshot, w);
  RenderControl(snapshot, w);
  return w.Take();
}

}  // namespace tempus::obs

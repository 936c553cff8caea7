#include "engine/node_log.h"

#include <fmt/format.h>

#include "engine/refusal_text.h"

namespace tempus::engine {
namespace {

using core::node::ClockStepped;
using core::node::LoopFound;
using core::node::NodeEvent;
using core::node::PassivePeerMobilized;
using core::node::ServingChanged;
using core::node::SourceDropped;
using core::node::SourceError;
using core::node::SourceReachable;
using core::node::SourceRefused;
using core::node::SystemPeerChanged;
using core::node::SystemRefused;
using core::node::UnauthenticatedPeer;

std::string Line(const SourceReachable& e) {
  return fmt::format("source {} {}", e.address.ToStringWithPort(), e.reachable ? "reachable" : "unreachable");
}

std::string Line(const SourceDropped& e) {
  if (e.kiss == core::KissCode::kNone) {
    return fmt::format("passive peer {} unreachable: demobilized", e.address.ToStringWithPort());
  }
  return fmt::format("source {} sent kiss-o'-death {}: dropped", e.address.ToStringWithPort(),
                     core::RefIdOf(e.kiss).AsCode());
}

std::string Line(const PassivePeerMobilized& e) {
  return fmt::format("passive peer {} mobilized{}", e.address.ToStringWithPort(),
                     e.key ? fmt::format(" (key {})", *e.key) : "");
}

std::string Line(const ClockStepped& e) {
  std::string line = fmt::format("clock stepped by {:+.6f} s", e.step.Seconds());
  if (e.beyond_panic) {
    line += fmt::format(" (beyond the panic threshold of {:.0f} s: allowed once at start, as ntpd -g)",
                        e.beyond_panic->Seconds());
  }
  return line;
}

std::string Line(const SystemPeerChanged& e) {
  if (e.source) return fmt::format("system peer {}", e.source->ToStringWithPort());
  if (e.local_unit) {
    return fmt::format("system peer LOCAL({}) (the local clock; serving stratum {})", *e.local_unit, e.local_stratum);
  }
  return e.orphan_parent ? "no system peer: orphan parent" : "no system peer";
}

std::string Line(const ServingChanged& e) {
  return e.synchronized ? fmt::format("serving as synchronized, stratum {}", e.stratum)
                        : std::string("serving as unsynchronized (stratum 16)");
}

std::string Line(const LoopFound& e) {
  return fmt::format("source {}: {}; never selected (a timing loop, RFC 5905 fit(), ntpd's TEST12)",
                     e.address.ToStringWithPort(),
                     e.own_address ? "this node's own address, not polled"
                                   : "synchronized to this node or to its system peer");
}

std::string Line(const SourceRefused& e) {
  std::string line = fmt::format("source {}: {}", e.address.ToStringWithPort(), SourceRefusalText(e.refusal));
  if (e.root_distance) {
    line += fmt::format(" ({:.3f} s > {:.3f} s)", e.root_distance->Seconds(), e.max_distance.Seconds());
  }
  return line;
}

std::string Line(const SystemRefused& e) {
  if (e.refusal == core::system::Refusal::kPanic && e.panic_offset) {
    return fmt::format("not synchronized: offset {:+.3f} s is beyond the panic threshold ({:.0f} s): refused; {}",
                       e.panic_offset->Seconds(), e.panic_threshold.Seconds(),
                       e.panic_allowed_at_start
                           ? "step the clock by hand, or restart tempusd (it steps once at start)"
                           : "step the clock by hand (`tinker panic` keeps the limit at start too)");
  }
  if (e.refusal == core::system::Refusal::kTooFewSources) {
    return fmt::format("no source to follow: fewer sources agree than tos minsane ({})", e.min_sane);
  }
  return fmt::format("no source to follow: {}", SystemRefusalText(e.refusal));
}

std::string Line(const UnauthenticatedPeer& e) {
  return fmt::format(
      "peer {}: symmetric active packet without a valid MAC by a trusted key: no association{}"
      " (see unauthenticated_peer drops){}",
      e.address.ToStringWithPort(), e.answered ? ", answered in mode 2" : "",
      e.suppressed ? fmt::format("; {} more source(s) not logged", e.suppressed) : "");
}

}  // namespace

std::string Describe(const NodeEvent& event) {
  return std::visit([](const auto& e) { return Line(e); }, event);
}

std::string DescribeSourceError(const SourceError& error) {
  if (error.kind == SourceError::Kind::kDuplicate) {
    return fmt::format("source {}: already an association", error.address.ToStringWithPort());
  }
  return fmt::format("source {}: {}", error.address.ToStringWithPort(),
                     core::assoc::AssociationConfigErrorName(error.invalid));
}

}  // namespace tempus::engine

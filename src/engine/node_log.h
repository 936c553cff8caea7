// The daemon's words for what its core::node::Node tells (core/node/actions.h): one log line per
// event, as operators of ntpd and chrony expect to read them.
#ifndef TEMPUS_ENGINE_NODE_LOG_H_
#define TEMPUS_ENGINE_NODE_LOG_H_

#include <string>

#include "core/node/actions.h"
#include "core/node/node.h"

namespace tempus::engine {

std::string Describe(const core::node::NodeEvent& event);
std::string DescribeSourceError(const core::node::SourceError& error);

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_NODE_LOG_H_

// The name this node reports its `run` ticks under (node_run, /metrics label `node`): the
// config's [run] node, else the host name, so one node works without configuration and many
// nodes on one database tell themselves apart.
#pragma once

#include "monitor/config/config.hpp"

#include <string>

namespace smtpprobe::monitor {

// config.run.node when set, else gethostname() (at most 253 bytes; "localhost" if it fails).
std::string node_name(const config::Config& config);

} // namespace smtpprobe::monitor

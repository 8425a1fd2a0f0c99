// This node's name (see node_name.hpp).
#include "monitor/run/node_name.hpp"

#include <unistd.h>

namespace smtpprobe::monitor {

std::string node_name(const config::Config& config)
{
    if (!config.run.node.empty()) {
        return config.run.node;
    }
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return std::string(name).substr(0, 253);
}

} // namespace smtpprobe::monitor

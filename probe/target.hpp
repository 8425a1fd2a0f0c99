// A probe target as the user writes it: "example.com", "mx.example.com:2525", "192.0.2.1",
// "[2001:db8::1]:25", "2001:db8::1". Parsing only; resolution is probe/dns's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace smtpprobe::probe {

struct Target {
    std::string text; // as given
    std::string host; // without brackets or port
    std::uint16_t port = 25;
    bool port_given = false;
    bool is_ip = false;
};

// Parses HOST[:PORT]; default_port when none. nullopt with *error set when malformed (empty,
// bad port, characters that cannot be in a host name).
std::optional<Target> parse_target(const std::string& text, std::uint16_t default_port,
                                   std::string* error);

} // namespace smtpprobe::probe

// A file compiled into the binary by cmake/Embed.cmake (schema migrations, rule data, web
// assets). The bytes live for the whole program; nothing is read from disk at run time.
#pragma once

#include <span>
#include <string_view>

namespace smtpprobe {

struct EmbeddedFile {
    std::string_view name; // path relative to the embedding folder, e.g. "001_init.sql"
    std::string_view data;
};

} // namespace smtpprobe

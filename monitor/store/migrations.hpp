// The numbered SQL migrations of schema/, compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

namespace smtpprobe::store {

struct Migration {
    int version;           // the NNN of NNN_name.sql
    std::string_view name; // the file name
    std::string_view sql;
};

// Every migration in ascending version order. File names must start with a number followed
// by '_'; a malformed name is a build mistake and aborts at the first call (tested).
const std::vector<Migration>& migrations();

} // namespace smtpprobe::store

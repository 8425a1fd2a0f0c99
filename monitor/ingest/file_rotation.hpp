// Finding a log file again after rotation. A cursor remembers the file's identity
// (device:inode) and content identity (checksum of its first line). When the path now names
// another file, the old one is looked for among its usual rotated names (PATH.1, PATH.0,
// PATH-YYYYMMDD, each also .gz): by identity when it was only renamed, by content when it
// was compressed or copied (copytruncate).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace smtpprobe::ingest {

struct FileFacts {
    std::string identity; // device:inode
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
};

// nullopt when path cannot be stat'ed.
std::optional<FileFacts> file_facts(const std::string& path);

// The checksum of the first complete line of path (gzip read through), nullopt when there is
// none yet.
std::optional<std::string> content_identity(const std::string& path);

// Whether the line ending at offset in path has this checksum (offset 0: always true).
bool line_before_matches(const std::string& path, std::uint64_t offset,
                         const std::string& checksum);

// The rotated file that holds the log a cursor was in, or nullopt.
std::optional<std::string> find_rotated(const std::string& path, const std::string& identity,
                                        const std::string& content_id);

} // namespace smtpprobe::ingest

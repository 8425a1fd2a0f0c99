// Finding a log file again after rotation. A cursor remembers the file's identity
// (device:inode) and content identity (checksum of its first line). When the path now names
// another file, the old one is looked for among its rotated generations (PATH.0, PATH.1,
// PATH.2, ... and PATH-YYYYMMDD, each also .gz): by identity when it was only renamed, by
// content when it was compressed or copied (copytruncate). When several rotations happened
// since the last run (a machine that was off over a weekend with daily rotation), the
// generations newer than the old file were never read: they are returned too, oldest first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// The rotated generations of path that exist, newest first: PATH.0, PATH.1, ... (plain or
// .gz, up to k_max_generations), then PATH-* (dateext) by modification time.
inline constexpr int k_max_generations = 60;
std::vector<std::string> rotated_generations(const std::string& path);

struct RotatedLog {
    std::string old_file;           // where the cursor's log lives now
    std::vector<std::string> newer; // generations rotated after it, oldest first (never read)
};

// The rotated file that holds the log a cursor was in, with the generations newer than it;
// nullopt when it is not among the generations.
std::optional<RotatedLog> find_rotated(const std::string& path, const std::string& identity,
                                       const std::string& content_id);

} // namespace smtpprobe::ingest

// Rotation detection helpers (see file_rotation.hpp).
#include "monitor/ingest/file_rotation.hpp"

#include "monitor/ingest/line_reader.hpp"

#include <algorithm>
#include <dirent.h>
#include <sys/stat.h>
#include <vector>

namespace smtpprobe::ingest {

std::optional<FileFacts> file_facts(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    FileFacts facts;
    facts.identity = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
                     std::to_string(static_cast<unsigned long long>(st.st_ino));
    facts.size = static_cast<std::uint64_t>(st.st_size);
    facts.mtime = static_cast<std::int64_t>(st.st_mtime);
    return facts;
}

std::optional<std::string> content_identity(const std::string& path)
{
    try {
        LineReader reader(path, false);
        Line line;
        if (!reader.next(line)) {
            return std::nullopt;
        }
        return line_checksum(line.text);
    } catch (const ReadError&) {
        return std::nullopt;
    }
}

bool line_before_matches(const std::string& path, std::uint64_t offset, const std::string& checksum)
{
    if (offset == 0) {
        return true;
    }
    try {
        LineReader reader(path, false);
        std::uint64_t window = LineReader::k_default_max_line + 2;
        reader.seek(offset > window ? offset - window : 0);
        Line line;
        while (reader.next(line)) {
            if (line.end == offset) {
                return line_checksum(line.text) == checksum;
            }
            if (line.end > offset) {
                return false;
            }
        }
    } catch (const ReadError&) {
    }
    return false;
}

std::optional<std::string> find_rotated(const std::string& path, const std::string& identity,
                                        const std::string& content_id)
{
    std::vector<std::string> candidates = {path + ".1", path + ".0", path + ".1.gz",
                                           path + ".0.gz"};
    // dateext: PATH-20261122[.gz], newest first.
    std::size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::vector<std::pair<std::int64_t, std::string>> dated;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* entry = ::readdir(d)) {
            std::string name = entry->d_name;
            if (name.size() > base.size() + 1 && name.compare(0, base.size(), base) == 0 &&
                name[base.size()] == '-') {
                std::string full = dir + "/" + name;
                if (auto facts = file_facts(full)) {
                    dated.emplace_back(facts->mtime, full);
                }
            }
        }
        ::closedir(d);
    }
    std::sort(dated.begin(), dated.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; i < dated.size() && i < 3; ++i) {
        candidates.push_back(dated[i].second);
    }
    for (const std::string& candidate : candidates) {
        auto facts = file_facts(candidate);
        if (facts && facts->identity == identity) {
            return candidate;
        }
    }
    for (const std::string& candidate : candidates) {
        if (file_facts(candidate) && content_identity(candidate) == content_id) {
            return candidate;
        }
    }
    return std::nullopt;
}

} // namespace smtpprobe::ingest

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

std::vector<std::string> rotated_generations(const std::string& path)
{
    std::vector<std::string> generations;
    for (int n = 0; n <= k_max_generations; ++n) {
        const std::string plain = path + "." + std::to_string(n);
        if (file_facts(plain)) {
            generations.push_back(plain);
        } else if (file_facts(plain + ".gz")) {
            generations.push_back(plain + ".gz");
        }
    }
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
    std::sort(dated.begin(), dated.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second > b.second;
    });
    for (auto& [mtime, file] : dated) {
        generations.push_back(std::move(file));
    }
    return generations;
}

std::optional<RotatedLog> find_rotated(const std::string& path, const std::string& identity,
                                       const std::string& content_id)
{
    const std::vector<std::string> generations = rotated_generations(path);
    auto found = std::find_if(generations.begin(), generations.end(), [&](const std::string& f) {
        // An inode number is reused once gzip frees it: the first line must agree too.
        auto facts = file_facts(f);
        return facts && facts->identity == identity &&
               (content_id.empty() || content_identity(f) == content_id);
    });
    if (found == generations.end()) {
        found = std::find_if(generations.begin(), generations.end(), [&](const std::string& f) {
            return content_identity(f) == content_id;
        });
    }
    if (found == generations.end()) {
        return std::nullopt;
    }
    RotatedLog log;
    log.old_file = *found;
    // Newest first in both numeric schemes (logrotate's PATH.1, PATH.2.gz; savelog's PATH.0,
    // PATH.1.gz) and for dateext: everything before the old file was rotated after it.
    for (auto it = generations.begin(); it != found; ++it) {
        log.newer.insert(log.newer.begin(), *it);
    }
    return log;
}

} // namespace smtpprobe::ingest

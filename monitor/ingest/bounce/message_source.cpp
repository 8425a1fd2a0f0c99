// Reads bounce messages from files, mboxes, Maildirs and stdin (see message_source.hpp).
#include "monitor/ingest/bounce/message_source.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/mbox_splitter.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <system_error>
#include <vector>

namespace smtpprobe::ingest {

namespace fs = std::filesystem;

namespace {

// Read buffer size: the only part of an mbox held besides the current message.
constexpr std::size_t k_read_chunk = 256 * 1024;

// Reads in from start to end: an mbox (first bytes "From ") is split as it streams by; any
// other input is one message, held up to k_max_message_bytes and skipped as oversized beyond.
bool read_stream(std::istream& in, const std::string& path, const MessageSink& sink,
                 std::int64_t file_time = 0)
{
    std::vector<char> buffer(k_read_chunk);
    LineEndingNormaliser normaliser;
    SourceMessage message;
    message.path = path;
    std::uint64_t index = 0;
    MboxSplitter splitter(k_max_message_bytes, [&](std::string& content, bool oversized) {
        message.index = index++;
        message.oversized = oversized;
        message.content.swap(content); // the splitter's buffer keeps its capacity
        const bool go_on = sink(message);
        message.content.swap(content);
        return go_on;
    });
    enum class Kind { unknown, mbox, single } kind = Kind::unknown;
    std::string text;   // normalised bytes of the current chunk
    std::string single; // the whole message when the input is not an mbox
    bool oversized = false;
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) {
            break;
        }
        const std::string_view chunk(buffer.data(), got);
        if (kind == Kind::mbox && normaliser.unchanged(chunk)) {
            // The usual mbox chunk (LF only): split straight from the read buffer, no copy.
            if (!splitter.feed(chunk)) {
                return false;
            }
            continue;
        }
        if (kind != Kind::unknown) {
            text.clear();
        }
        normaliser.normalise(chunk, text);
        if (kind == Kind::unknown) {
            if (text.size() < 5) {
                continue; // too little to tell yet
            }
            kind = text.starts_with("From ") ? Kind::mbox : Kind::single;
        }
        if (kind == Kind::mbox) {
            if (!splitter.feed(text)) {
                return false;
            }
        } else if (!oversized) {
            single.append(text);
            if (single.size() > k_max_message_bytes) {
                oversized = true;
                std::string().swap(single);
                break; // the rest is not needed
            }
        }
    }
    if (in.bad()) {
        throw SourceError("cannot read " + path);
    }
    if (kind == Kind::unknown) {
        single = text; // under 5 bytes: not an mbox
    } else if (kind == Kind::mbox) {
        return splitter.finish();
    }
    message.index = 0;
    message.oversized = oversized;
    message.content = std::move(single);
    message.delivered_at = file_time;
    return sink(message);
}

bool read_file(const fs::path& file, const MessageSink& sink)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw SourceError("cannot read " + file.string());
    }
    struct stat st {};
    const std::int64_t mtime = ::stat(file.c_str(), &st) == 0 ? st.st_mtime : 0;
    return read_stream(in, file.string(), sink, mtime);
}

// Regular files of a folder, sorted by name (Maildir names start with the delivery time).
std::vector<fs::path> files_in(const fs::path& dir)
{
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] != '.' && it->is_regular_file(ec)) {
            out.push_back(it->path());
        }
    }
    if (ec) {
        throw SourceError("cannot list " + dir.string() + ": " + ec.message());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Two 64-bit FNV-1a hashes of text with different offset bases, in one pass (the two
// multiply chains are independent, so they overlap in the pipeline).
std::pair<std::uint64_t, std::uint64_t> fnv1a_pair(std::string_view text, std::uint64_t a,
                                                   std::uint64_t b)
{
    constexpr std::uint64_t k_prime = 0x100000001b3ULL;
    for (unsigned char c : text) {
        a = (a ^ c) * k_prime;
        b = (b ^ c) * k_prime;
    }
    return {a, b};
}

} // namespace

void normalise_line_endings(std::string& text)
{
    if (text.find('\r') == std::string::npos) {
        return;
    }
    std::string out;
    LineEndingNormaliser().normalise(text, out);
    text = std::move(out);
}

void split_mbox(std::string_view mbox, const std::function<bool(std::string&&)>& each)
{
    MboxSplitter splitter(std::string::npos / 2,
                          [&](std::string& message, bool) { return each(std::move(message)); });
    if (splitter.feed(mbox)) {
        splitter.finish();
    }
}

std::string top_message_id(std::string_view content)
{
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t end = find_char(content, '\n', pos);
        if (end == std::string_view::npos) {
            end = content.size();
        }
        std::string_view line = content.substr(pos, end - pos);
        if (line.empty()) {
            break; // end of the header
        }
        if (line.size() >= 11 && (line[0] == 'M' || line[0] == 'm')) {
            std::string name(line.substr(0, 11));
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (name == "message-id:") {
                std::string_view value = line.substr(11);
                // The id may be folded onto the next line.
                if (value.find_first_not_of(" \t") == std::string_view::npos &&
                    end < content.size()) {
                    std::size_t next_end = content.find('\n', end + 1);
                    value = content.substr(end + 1, next_end == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : next_end - end - 1);
                }
                std::size_t b = value.find_first_not_of(" \t");
                std::size_t e = value.find_last_not_of(" \t");
                return b == std::string_view::npos ? std::string()
                                                   : std::string(value.substr(b, e - b + 1));
            }
        }
        pos = end + 1;
    }
    return {};
}

std::string message_key(std::string_view content)
{
    // Two independent 64-bit FNV-1a passes: 128 bits, fast enough for a Maildir rescan.
    const auto [a, b] = fnv1a_pair(content, 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL);
    char hex[40];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return top_message_id(content).substr(0, 998) + "|" + hex;
}

void read_messages(const std::string& path, const MessageSink& sink)
{
    if (path == "-") {
        read_stream(std::cin, "-", sink);
        return;
    }
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        throw SourceError("cannot read " + path + ": no such file or directory");
    }
    if (fs::is_directory(status)) {
        const fs::path dir(path);
        const bool maildir = fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec);
        std::vector<fs::path> files;
        if (maildir) {
            for (const char* sub : {"cur", "new"}) {
                if (fs::is_directory(dir / sub, ec)) {
                    std::vector<fs::path> part = files_in(dir / sub);
                    files.insert(files.end(), part.begin(), part.end());
                }
            }
        } else {
            files = files_in(dir);
        }
        for (const fs::path& file : files) {
            if (!read_file(file, sink)) {
                return;
            }
        }
        return;
    }
    read_file(path, sink);
}

} // namespace smtpprobe::ingest

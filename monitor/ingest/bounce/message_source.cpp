// Reads bounce messages from files, mboxes, Maildirs and stdin (see message_source.hpp).
#include "monitor/ingest/bounce/message_source.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>
#include <vector>

namespace smtpprobe::ingest {

namespace fs = std::filesystem;

namespace {

// Reads at most limit + 1 bytes so an oversized input is noticed without loading it whole.
std::string read_bounded(std::istream& in, std::size_t limit)
{
    std::string out;
    char buffer[65536];
    while (in && out.size() <= limit) {
        in.read(buffer, sizeof buffer);
        out.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    return out;
}

bool is_mbox(std::string_view content)
{
    return content.substr(0, 5) == "From ";
}

// mbox files can hold many messages: allow them to be bigger than one message.
constexpr std::size_t k_max_mbox_bytes = 4ULL * 1024 * 1024 * 1024;

bool deliver(const std::string& path, std::uint64_t index, std::string&& content,
             const MessageSink& sink)
{
    SourceMessage message;
    message.path = path;
    message.index = index;
    if (content.size() > k_max_message_bytes) {
        message.oversized = true;
    } else {
        message.content = std::move(content);
    }
    return sink(message);
}

// One file or stdin's whole content: an mbox or a single message.
bool read_content(const std::string& path, std::string&& content, const MessageSink& sink)
{
    normalise_line_endings(content);
    if (!is_mbox(content)) {
        return deliver(path, 0, std::move(content), sink);
    }
    std::uint64_t index = 0;
    bool go_on = true;
    split_mbox(content, [&](std::string&& message) {
        go_on = deliver(path, index++, std::move(message), sink);
        return go_on;
    });
    return go_on;
}

bool read_file(const fs::path& file, const MessageSink& sink)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw SourceError("cannot read " + file.string());
    }
    std::string content = read_bounded(in, k_max_mbox_bytes);
    if (content.size() > k_max_mbox_bytes) {
        throw SourceError(file.string() + ": larger than 4 GiB, not read");
    }
    return read_content(file.string(), std::move(content), sink);
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

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash)
{
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

} // namespace

void normalise_line_endings(std::string& text)
{
    if (text.find('\r') == std::string::npos) {
        return;
    }
    std::size_t out = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            text[out++] = '\n';
            if (i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
        } else {
            text[out++] = text[i];
        }
    }
    text.resize(out);
}

namespace {

// A From_ line in its full form, "From sender Www Mmm dd hh:mm:ss yyyy": some writers put it
// right after the previous message's last line, without the blank line mboxo asks for. A body
// line "From ..." without the weekday, month, time and year is not taken for one.
bool is_strict_from_line(std::string_view line)
{
    static constexpr std::string_view k_days[] = {"Mon ", "Tue ", "Wed ", "Thu ",
                                                  "Fri ", "Sat ", "Sun "};
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) {
        line.remove_suffix(1);
    }
    if (line.size() < 30 || line.size() > 300 || !line.starts_with("From ")) {
        return false;
    }
    const std::string_view year = line.substr(line.size() - 4);
    if (!std::all_of(year.begin(), year.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    const bool has_day = std::any_of(std::begin(k_days), std::end(k_days), [&](std::string_view d) {
        return line.find(d) != std::string_view::npos;
    });
    const std::size_t colon = line.find(':', 5);
    return has_day && colon != std::string_view::npos && colon + 3 < line.size() &&
           line[colon + 3] == ':';
}

} // namespace

void split_mbox(std::string_view mbox, const std::function<bool(std::string&&)>& each)
{
    std::string current;
    bool in_message = false;
    bool previous_blank = true;
    std::size_t pos = 0;
    auto flush = [&]() {
        if (!in_message) {
            return true;
        }
        // The blank line before the next From_ line belongs to the separator.
        if (current.size() >= 2 && current.ends_with("\n\n")) {
            current.pop_back();
        }
        return each(std::move(current));
    };
    while (pos < mbox.size()) {
        std::size_t end = mbox.find('\n', pos);
        std::size_t next = end == std::string_view::npos ? mbox.size() : end + 1;
        std::string_view line = mbox.substr(pos, next - pos);
        pos = next;
        if ((previous_blank || is_strict_from_line(line)) && line.starts_with("From ")) {
            if (!flush()) {
                return;
            }
            current.clear();
            in_message = true;
            previous_blank = false;
            continue;
        }
        previous_blank = line == "\n";
        if (!in_message) {
            continue;
        }
        // mboxrd: ">From ", ">>From " ... lose one '>'.
        std::size_t quotes = line.find_first_not_of('>');
        if (quotes != 0 && quotes != std::string_view::npos &&
            line.substr(quotes).starts_with("From ")) {
            line.remove_prefix(1);
        }
        current.append(line);
    }
    flush();
}

std::string top_message_id(std::string_view content)
{
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t end = content.find('\n', pos);
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
    const std::uint64_t a = fnv1a(content, 0xcbf29ce484222325ULL);
    const std::uint64_t b = fnv1a(content, 0x84222325cbf29ce4ULL);
    char hex[40];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return top_message_id(content).substr(0, 998) + "|" + hex;
}

void read_messages(const std::string& path, const MessageSink& sink)
{
    if (path == "-") {
        std::string content = read_bounded(std::cin, k_max_mbox_bytes);
        read_content("-", std::move(content), sink);
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

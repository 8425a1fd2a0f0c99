// Reads a log as lines, whatever it is stored in: a plain file, a gzip file (rotated logs,
// detected by its magic bytes) or stdin (plain or gzip). Every line is bounded: a line longer
// than the limit is counted and skipped, never returned and never kept in memory whole.
// Lines with NUL bytes (binary garbage) are returned; the caller checks the few it keeps
// (has_nul) and reports them with count_binary(), which saves a scan of every line. Lines are views
// into the reader's buffer, valid until the next call to next().
//
// Offsets are byte offsets in the uncompressed stream, so a cursor can resume a gzip file too.
// A live file's last line without a newline may still be being written: it is returned only
// when the reader was told the file is complete.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

struct Line {
    std::string_view text;    // without the newline (and without a trailing CR)
    std::uint64_t offset = 0; // where the line starts
    std::uint64_t end = 0;    // just past its newline: where the next line starts
};

inline bool has_nul(std::string_view text)
{
    return text.find('\0') != std::string_view::npos;
}

class ReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class LineReader {
public:
    static constexpr std::size_t k_default_max_line = 16 * 1024;

    // Opens path ("-" for stdin). Throws ReadError naming the path when it cannot be read.
    // complete: the last line counts even without a newline (rotated files, stdin).
    explicit LineReader(const std::string& path, bool complete = false,
                        std::size_t max_line = k_default_max_line);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // Skips to offset (uncompressed) before the first next(). Throws ReadError if the stream
    // is shorter.
    void seek(std::uint64_t offset);
    // The next line, or false at the end of the input.
    bool next(Line& line);

    bool compressed() const { return m_gz != nullptr; }
    // Bytes consumed from the underlying file (compressed bytes for gzip): for progress.
    std::uint64_t raw_position() const;
    std::uint64_t overlong_lines() const { return m_overlong; }
    std::uint64_t binary_lines() const { return m_binary; }
    void count_binary();
    const std::string& path() const { return m_path; }

private:
    std::size_t fill(); // reads more; 0 at EOF
    std::size_t read_some(char* into, std::size_t capacity);

    std::string m_path;
    int m_fd = -1;
    void* m_gz = nullptr; // gzFile
    bool m_complete;
    std::size_t m_max_line;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0; // unread data is [m_begin, m_end)
    std::size_t m_end = 0;
    std::uint64_t m_offset = 0; // stream offset of m_buffer[m_begin]
    bool m_eof = false;
    bool m_skipping = false; // inside an over-long line, dropping bytes to its newline
    std::uint64_t m_overlong = 0;
    std::uint64_t m_binary = 0;
    std::uint64_t m_raw_plain = 0;
};

// FNV-1a 64-bit of text as 16 lower-case hex digits: the checksum of a cursor's last line
// and the content identity of a log (its first line).
std::string line_checksum(std::string_view text);
// The same as a number, and a number as those 16 hex digits.
std::uint64_t line_hash(std::string_view text);
std::string hash_text(std::uint64_t hash);

} // namespace smtpprobe::ingest

// Bounded line reading over plain files, gzip files and stdin (see line_reader.hpp).
#include "monitor/ingest/line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

namespace smtpprobe::ingest {

namespace {

constexpr std::size_t k_chunk = 1 << 20;

std::string errno_text()
{
    return std::strerror(errno);
}

} // namespace

LineReader::LineReader(const std::string& path, bool complete, std::size_t max_line)
    : m_path(path), m_complete(complete), m_max_line(max_line)
{
    m_buffer.resize(k_chunk + m_max_line + 1);
    if (path == "-") {
        // stdin: zlib's transparent mode reads plain text as is and gunzips gzip.
        m_complete = true;
        int fd = ::dup(STDIN_FILENO);
        m_gz = fd < 0 ? nullptr : gzdopen(fd, "rb");
        if (m_gz == nullptr) {
            throw ReadError("cannot read stdin");
        }
        gzbuffer(static_cast<gzFile>(m_gz), 256 * 1024);
        return;
    }
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        throw ReadError(path + ": " + errno_text());
    }
    unsigned char magic[2] = {0, 0};
    if (::pread(m_fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        m_gz = gzdopen(m_fd, "rb");
        if (m_gz == nullptr) {
            ::close(m_fd);
            throw ReadError(path + ": cannot open as gzip");
        }
        m_fd = -1;         // owned by zlib now
        m_complete = true; // a compressed log is never being written to
        gzbuffer(static_cast<gzFile>(m_gz), 256 * 1024);
    } else {
        ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
}

LineReader::~LineReader()
{
    if (m_gz != nullptr) {
        gzclose(static_cast<gzFile>(m_gz));
    }
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void LineReader::seek(std::uint64_t offset)
{
    if (m_gz != nullptr) {
        // gzseek decompresses forward; it stops at the end without failing, so check by reading.
        std::uint64_t left = offset;
        while (left > 0) {
            std::size_t want = left < k_chunk ? static_cast<std::size_t>(left) : k_chunk;
            std::size_t got = read_some(m_buffer.data(), want);
            if (got == 0) {
                throw ReadError(m_path + ": shorter than the saved offset " +
                                std::to_string(offset));
            }
            left -= got;
        }
    } else {
        if (::lseek(m_fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
            throw ReadError(m_path + ": " + errno_text());
        }
        m_raw_plain = offset;
    }
    m_offset = offset;
    m_begin = m_end = 0;
}

std::size_t LineReader::read_some(char* into, std::size_t capacity)
{
    if (m_gz != nullptr) {
        int got = gzread(static_cast<gzFile>(m_gz), into, static_cast<unsigned>(capacity));
        int code = Z_OK;
        const char* msg = gzerror(static_cast<gzFile>(m_gz), &code);
        if (got < 0) {
            throw ReadError(m_path + ": corrupt gzip data (" + (msg ? msg : "gzip error") +
                            "); the lines before it were read");
        }
        // zlib ends a cut stream like a whole one and only notes Z_BUF_ERROR: a truncated
        // .gz (an interrupted copy or rotation) must not pass for the whole log.
        if (got == 0 && code == Z_BUF_ERROR) {
            throw ReadError(m_path + ": truncated gzip file (" + (msg ? msg : "unexpected end") +
                            "); the lines before the cut were read");
        }
        return static_cast<std::size_t>(got);
    }
    for (;;) {
        ssize_t got = ::read(m_fd, into, capacity);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw ReadError(m_path + ": " + errno_text());
        }
        m_raw_plain += static_cast<std::uint64_t>(got);
        return static_cast<std::size_t>(got);
    }
}

std::size_t LineReader::fill()
{
    if (m_eof) {
        return 0;
    }
    if (m_begin > 0) {
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    std::size_t room = m_buffer.size() - m_end;
    std::size_t got = read_some(m_buffer.data() + m_end, room);
    if (got == 0) {
        m_eof = true;
    }
    m_end += got;
    return got;
}

void LineReader::count_binary()
{
    ++m_binary;
}

bool LineReader::next(Line& line)
{
    for (;;) {
        const char* base = m_buffer.data();
        std::size_t avail = m_end - m_begin;
        const void* nl = std::memchr(base + m_begin, '\n', avail);
        if (m_skipping) {
            // Dropping the rest of an over-long line up to its newline.
            if (nl == nullptr) {
                m_offset += avail;
                m_begin = m_end;
                if (fill() == 0) {
                    return false;
                }
                continue;
            }
            std::size_t len =
                static_cast<std::size_t>(static_cast<const char*>(nl) - (base + m_begin)) + 1;
            m_offset += len;
            m_begin += len;
            m_skipping = false;
            continue;
        }
        std::size_t len;
        std::size_t consumed;
        if (nl != nullptr) {
            len = static_cast<std::size_t>(static_cast<const char*>(nl) - (base + m_begin));
            consumed = len + 1;
        } else if (avail > m_max_line) {
            ++m_overlong;
            m_skipping = true;
            continue;
        } else if (!m_eof) {
            fill();
            continue;
        } else if (avail > 0 && m_complete) {
            len = avail;
            consumed = avail;
        } else {
            return false; // the end, or a partial last line still being written
        }
        if (len > m_max_line) {
            ++m_overlong;
            m_offset += consumed;
            m_begin += consumed;
            continue;
        }
        std::string_view text(base + m_begin, len);
        std::uint64_t start = m_offset;
        m_offset += consumed;
        m_begin += consumed;
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        line.text = text;
        line.offset = start;
        line.end = m_offset;
        return true;
    }
}

std::uint64_t LineReader::raw_position() const
{
    if (m_gz != nullptr) {
        return static_cast<std::uint64_t>(gzoffset(static_cast<gzFile>(m_gz)));
    }
    return m_raw_plain;
}

std::uint64_t line_hash(std::string_view text)
{
    std::uint64_t hash = 1469598103934665603ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return hash;
}

std::string hash_text(std::uint64_t hash)
{
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = k_hex[hash & 0xf];
        hash >>= 4;
    }
    return out;
}

std::string line_checksum(std::string_view text)
{
    return hash_text(line_hash(text));
}

} // namespace smtpprobe::ingest

// Part content decoding for the fast path (see part_content.hpp).
#include "monitor/ingest/bounce/part_content.hpp"

#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/mime_reader.hpp"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <memory>
#include <utility>

namespace smtpprobe::ingest {

namespace {

bool is_ascii(std::string_view text)
{
    std::size_t at = 0;
#if defined(__SSE2__)
    // Sixteen bytes at a time: the high bits of a block, gathered by movemask, are all zero.
    for (; at + 16 <= text.size(); at += 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
        if (_mm_movemask_epi8(block) != 0) {
            return false;
        }
    }
#endif
    for (; at < text.size(); ++at) {
        if (static_cast<unsigned char>(text[at]) >= 0x80) {
            return false;
        }
    }
    return true;
}

// What g_mime_text_part_get_text does to a text part's decoded bytes: GMime's own charset
// filter (iconv from charset to UTF-8, its handling of invalid input) run over them, then a
// final flush; no filter (the bytes unchanged) when GMime cannot open a converter for charset.
// GMime charset filters kept per charset name for this thread: opening the iconv converter
// (glibc's gconv lookup) costs more than converting a bounce's text. A kept filter is reset
// (converter state and held-back bytes) before each use, so it converts as a new one would.
class CharsetFilters {
public:
    CharsetFilters() = default;
    CharsetFilters(const CharsetFilters&) = delete;
    CharsetFilters& operator=(const CharsetFilters&) = delete;
    ~CharsetFilters()
    {
        for (auto& [name, filter] : m_filters) {
            if (filter != nullptr) {
                g_object_unref(filter);
            }
        }
    }

    // The reset filter from charset to UTF-8, nullptr when GMime has no converter for it.
    GMimeFilter* get(const std::string& charset)
    {
        for (auto& [name, filter] : m_filters) {
            if (name == charset) {
                if (filter != nullptr) {
                    g_mime_filter_reset(filter);
                }
                return filter;
            }
        }
        GMimeFilter* filter = g_mime_filter_charset_new(charset.c_str(), "utf-8");
        if (m_filters.size() < k_max_kept) {
            m_filters.emplace_back(charset, filter);
        } else {
            m_spare.reset(filter); // beyond the bound: used once, freed on the next call
        }
        return filter;
    }

private:
    static constexpr std::size_t k_max_kept = 16; // charset names are peer data
    struct Unref {
        void operator()(GMimeFilter* filter) const
        {
            if (filter != nullptr) {
                g_object_unref(filter);
            }
        }
    };
    std::vector<std::pair<std::string, GMimeFilter*>> m_filters;
    std::unique_ptr<GMimeFilter, Unref> m_spare;
};

void convert_as_gmime(std::string& text, const std::string& charset)
{
    init_gmime();
    thread_local CharsetFilters filters;
    GMimeFilter* filter = filters.get(charset);
    if (filter == nullptr) {
        return;
    }
    std::string out;
    char* buffer = nullptr;
    std::size_t size = 0;
    std::size_t prespace = 0;
    g_mime_filter_filter(filter, text.data(), text.size(), 0, &buffer, &size, &prespace);
    out.append(buffer, size);
    char empty[1] = {0};
    g_mime_filter_complete(filter, empty, 0, 0, &buffer, &size, &prespace);
    out.append(buffer, size);
    text = std::move(out);
}

} // namespace

// The part's transfer encoding as GMime reads it (g_mime_content_encoding_from_string), where
// the fast path knows it: identity (none, 7bit, 8bit, binary), quoted-printable or base64.
std::optional<GMimeContentEncoding> transfer_encoding(const std::vector<RawField>& fields)
{
    const std::string value =
        lower_ascii(decoded_value(first_field(fields, "content-transfer-encoding")));
    if (value.empty() || value == "7bit" || value == "8bit" || value == "binary") {
        return GMIME_CONTENT_ENCODING_DEFAULT;
    }
    if (value == "quoted-printable") {
        return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
    }
    if (value == "base64") {
        return GMIME_CONTENT_ENCODING_BASE64;
    }
    return std::nullopt;
}

// The bytes of a part's content with its transfer encoding undone, bounded to
// k_max_part_bytes: what decoded_bytes (mime_reader.cpp) gives. Quoted-printable and base64 are
// undone by GMime's own decoders (the ones its data wrapper's filter runs), without objects.
std::string transfer_decoded(std::string_view content, GMimeContentEncoding encoding)
{
    if (encoding == GMIME_CONTENT_ENCODING_DEFAULT) {
        return std::string(content.substr(0, k_max_part_bytes));
    }
    GMimeEncoding state;
    g_mime_encoding_init_decode(&state, encoding);
    std::string out(g_mime_encoding_outlen(&state, content.size()), '\0');
    const std::size_t size =
        g_mime_encoding_flush(&state, content.data(), content.size(), out.data());
    out.resize(std::min(size, k_max_part_bytes));
    return out;
}

// The decoded bytes of a text part as part_text (mime_reader.cpp) leaves them: false when
// GMime would convert them from their charset (non-ASCII bytes in a named charset, or any
// charset that is not a superset of ASCII); else cut at the first NUL, as GMime's text is.
bool as_text_part(std::string& text, const std::string* charset)
{
    if (charset != nullptr && !(is_ascii(text) && is_ascii_superset(*charset))) {
        // GMime runs the text through iconv from the charset to UTF-8: for valid UTF-8 text
        // (glib's validator, as strict as iconv's decoder) in UTF-8 that is the text itself.
        const std::string name = lower_ascii(*charset);
        const bool utf8 = name == "utf-8" || name == "utf8";
        if (!utf8 || text.find('\0') != std::string::npos ||
            !g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
            if (text.size() >= k_max_part_bytes) {
                return false; // GMime converts the whole part, not its first k_max_part_bytes
            }
            convert_as_gmime(text, *charset);
        }
    }
    const std::size_t nul = text.find('\0');
    if (nul != std::string::npos) {
        text.resize(nul);
    }
    return true;
}

} // namespace smtpprobe::ingest

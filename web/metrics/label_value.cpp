// The Prometheus sink: label values of the text exposition format (see metrics.hpp).
#include "probe/text/utf8.hpp"
#include "web/metrics/metrics.hpp"

namespace smtpprobe::web {

namespace {

// A label value longer than this is cut (an ingest path, a hostile host name): a scrape
// must stay small whatever the peers wrote.
constexpr std::size_t k_max_label_bytes = 1024;

} // namespace

std::string escape_label_value(std::string_view value)
{
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(value.size() + 2);
    for (std::size_t i = 0; i < value.size();) {
        if (out.size() >= k_max_label_bytes) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(value[i]);
        // The format's own escapes: backslash, double quote, line feed.
        if (c == '\\' || c == '"') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (c == '\n') {
            out += "\\n";
            ++i;
            continue;
        }
        const Utf8Char u = decode_utf8(value, i);
        if (u.length > 0 && !is_display_control(u.code_point)) {
            out.append(value, i, u.length);
            i += u.length;
            continue;
        }
        // Anything else (controls, bidi overrides, bytes that are not UTF-8) is shown as the
        // text \xHH: an escaped backslash then the hex, so the value stays valid UTF-8.
        out += "\\\\x";
        out += k_hex[c >> 4];
        out += k_hex[c & 0x0F];
        ++i;
    }
    return out;
}

} // namespace smtpprobe::web

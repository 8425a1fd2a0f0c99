// Plain text of an HTML part (see html_to_text in text_report.hpp): tags dropped, the common
// entities decoded, block tags as newlines.
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/text_report.hpp"

#include <algorithm>
#include <array>

namespace smtpprobe::ingest {

std::string html_to_text(std::string_view html)
{
    std::string out;
    out.reserve(html.size());
    std::size_t pos = 0;
    while (pos < html.size()) {
        const char c = html[pos];
        if (c == '<') {
            const std::size_t close = html.find('>', pos);
            if (close == std::string_view::npos) {
                break;
            }
            const std::string tag =
                lower_ascii(html.substr(pos + 1, std::min<std::size_t>(close - pos - 1, 6)));
            if (tag.starts_with("br") || tag.starts_with("p") || tag.starts_with("/p") ||
                tag.starts_with("div") || tag.starts_with("/div") || tag.starts_with("tr") ||
                tag.starts_with("/tr") || tag.starts_with("li") || tag.starts_with("h")) {
                out += '\n';
            } else if (tag.starts_with("td") || tag.starts_with("/td")) {
                out += ' ';
            }
            pos = close + 1;
            continue;
        }
        if (c == '&') {
            static const std::array<std::pair<std::string_view, char>, 6> entities = {{
                {"&lt;", '<'},
                {"&gt;", '>'},
                {"&amp;", '&'},
                {"&quot;", '"'},
                {"&#39;", '\''},
                {"&nbsp;", ' '},
            }};
            bool done = false;
            for (const auto& [name, ch] : entities) {
                if (html.substr(pos, name.size()) == name) {
                    out += ch;
                    pos += name.size();
                    done = true;
                    break;
                }
            }
            if (done) {
                continue;
            }
        }
        out += c;
        ++pos;
    }
    return out;
}

} // namespace smtpprobe::ingest

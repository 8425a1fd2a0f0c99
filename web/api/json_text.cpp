// Direct JSON text output (see json_text.hpp).
#include "web/api/json_text.hpp"

namespace smtpprobe::web {

void append_json_optional(std::string& out, const std::optional<std::string>& text)
{
    if (text) {
        append_json_string(out, std::string_view(*text));
    } else {
        out += "null";
    }
}

void append_json_int(std::string& out, std::int64_t value)
{
    out += std::to_string(value);
}

} // namespace smtpprobe::web

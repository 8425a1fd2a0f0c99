// Recipient addresses from report fields (see recipient_address.hpp).
#include "monitor/ingest/bounce/recipient_address.hpp"

#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/text_report.hpp"

namespace smtpprobe::ingest {

namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// "IMCEASMTP-user+40example+2Eorg@gateway" -> "user@example.org"; "" when it is not that.
std::string decode_imceasmtp(std::string_view address)
{
    const std::size_t dash = address.find('-');
    const std::size_t at = address.rfind('@');
    if (dash == std::string_view::npos || at == std::string_view::npos || at < dash) {
        return {};
    }
    const std::string_view encoded = address.substr(dash + 1, at - dash - 1);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '+' && i + 2 < encoded.size()) {
            const int high = hex_value(encoded[i + 1]);
            const int low = hex_value(encoded[i + 2]);
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        out += encoded[i];
    }
    return is_mail_address(out) ? out : std::string();
}

} // namespace

bool is_mail_address(std::string_view text)
{
    if (text.empty() || text.size() > 320) {
        return false;
    }
    const std::size_t at = text.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= text.size()) {
        return false;
    }
    const std::string_view domain = text.substr(at + 1);
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.') {
        return false;
    }
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '>' || c == ',' ||
            c == ';' || c == '(' || c == ')') {
            return false;
        }
    }
    return true;
}

std::string recipient_field_address(std::string_view value)
{
    value = trim(value);
    const std::size_t semicolon = value.find(';');
    if (semicolon != std::string_view::npos && semicolon < 16) {
        const std::string_view type = trim(value.substr(0, semicolon));
        const bool mail_type = starts_with_folded(type, "rfc822") ||
                               starts_with_folded(type, "utf-8") ||
                               starts_with_folded(type, "unknown");
        if (!mail_type && type.find_first_of(" <@\"") == std::string_view::npos) {
            return {}; // X400, x-local-part ...: not a mail address
        }
    }
    std::string address = clean_address(strip_type(value));
    if (!is_mail_address(address)) {
        address = first_address(strip_type(value)); // "user@example.org (comment)"
    }
    if (starts_with_folded(address, "imceasmtp-")) {
        return decode_imceasmtp(address);
    }
    if (starts_with_folded(address, "imcea")) {
        return {}; // IMCEAEX-/IMCEAX400-: a directory name, not the recipient's address
    }
    return is_mail_address(address) ? address : std::string();
}

std::vector<std::string> failed_recipients_header(std::string_view value)
{
    std::vector<std::string> out;
    while (!value.empty() && out.size() < 1000) {
        const std::size_t comma = value.find(',');
        const std::string address = lower_ascii(clean_address(value.substr(0, comma)));
        if (is_mail_address(address)) {
            out.push_back(address);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        value.remove_prefix(comma + 1);
    }
    return out;
}

} // namespace smtpprobe::ingest

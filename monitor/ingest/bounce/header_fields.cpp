// Field blocks: unfolding and lookup (see header_fields.hpp).
#include "monitor/ingest/bounce/header_fields.hpp"

#include "monitor/ingest/bounce/folded_text.hpp"

#include <algorithm>
#include <cstring>

namespace smtpprobe::ingest {

std::string lower_ascii(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

namespace {

bool is_trimmed(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

std::string_view trim(std::string_view text)
{
    // Plain loops: find_first_not_of with a set calls memchr once per byte.
    std::size_t b = 0;
    while (b < text.size() && is_trimmed(text[b])) {
        ++b;
    }
    std::size_t e = text.size();
    while (e > b && is_trimmed(text[e - 1])) {
        --e;
    }
    return text.substr(b, e - b);
}

std::size_t find_text(std::string_view text, std::string_view needle, std::size_t from)
{
    if (from > text.size()) {
        return std::string_view::npos;
    }
    if (needle.empty()) {
        return from;
    }
    if (text.size() - from >= 512) {
        const void* at =
            memmem(text.data() + from, text.size() - from, needle.data(), needle.size());
        return at == nullptr ? std::string_view::npos
                             : static_cast<std::size_t>(static_cast<const char*>(at) - text.data());
    }
    // Short texts (a line): a plain loop; memmem's set-up costs more than the search.
    const char first = needle[0];
    for (std::size_t at = from; at + needle.size() <= text.size(); ++at) {
        if (text[at] == first &&
            std::memcmp(text.data() + at + 1, needle.data() + 1, needle.size() - 1) == 0) {
            return at;
        }
    }
    return std::string_view::npos;
}

std::vector<Field> parse_field_group(std::string_view text, std::size_t* consumed)
{
    std::vector<Field> fields;
    fields.reserve(8);
    std::string buffer;
    const std::size_t used =
        visit_field_group(text, buffer, [&](std::string_view name, std::string_view value) {
            fields.push_back(Field{lower_ascii(name), std::string(value)});
        });
    if (consumed != nullptr) {
        *consumed = used;
    }
    return fields;
}

std::vector<Field> parse_selected_fields(std::string_view text,
                                         std::initializer_list<std::string_view> wanted)
{
    std::vector<Field> fields;
    fields.reserve(8);
    std::string buffer;
    visit_field_group(text, buffer, [&](std::string_view name, std::string_view value) {
        for (const std::string_view w : wanted) {
            if (w.size() == name.size() && starts_with_folded(name, w)) {
                fields.push_back(Field{lower_ascii(name), std::string(value)});
                return;
            }
        }
    });
    return fields;
}

std::vector<std::vector<Field>> parse_field_groups(std::string_view text)
{
    std::vector<std::vector<Field>> groups;
    std::size_t pos = 0;
    while (pos < text.size() && groups.size() < k_max_fields) {
        std::size_t used = 0;
        std::vector<Field> group = parse_field_group(text.substr(pos), &used);
        if (used == 0) {
            break;
        }
        pos += used;
        if (!group.empty()) {
            groups.push_back(std::move(group));
        }
    }
    return groups;
}

const std::string& field_value(const std::vector<Field>& fields, std::string_view name)
{
    static const std::string empty;
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == name; });
    return it == fields.end() ? empty : it->value;
}

std::string_view strip_type(std::string_view value)
{
    value = trim(value);
    const std::size_t semi = value.find(';');
    if (semi != std::string_view::npos && semi < 16) {
        std::string_view type = value.substr(0, semi);
        if (type.find_first_of(" <@\"") == std::string_view::npos) {
            return trim(value.substr(semi + 1));
        }
    }
    return value;
}

std::string clean_address(std::string_view value)
{
    value = trim(value);
    const std::size_t lt = value.find('<');
    const std::size_t gt = value.find('>', lt == std::string_view::npos ? 0 : lt);
    if (lt != std::string_view::npos && gt != std::string_view::npos) {
        value = value.substr(lt + 1, gt - lt - 1);
    }
    while (!value.empty() && (value.front() == '"' || value.front() == '\'' ||
                              value.front() == ' ' || value.front() == '<')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == '"' || value.back() == '\'' || value.back() == '.' ||
                              value.back() == ':' || value.back() == ' ' || value.back() == '>' ||
                              value.back() == ',' || value.back() == ';')) {
        value.remove_suffix(1);
    }
    return std::string(value.substr(0, 320));
}

} // namespace smtpprobe::ingest

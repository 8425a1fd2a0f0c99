// Repair of a multipart message whose declared boundary never occurs (see boundary_repair.hpp).
#include "monitor/ingest/bounce/boundary_repair.hpp"

#include "monitor/ingest/bounce/header_fields.hpp"

namespace smtpprobe::ingest {

namespace {

// The value of the top-level boundary parameter as written in the header block, "" if none.
std::string declared_boundary(std::string_view head)
{
    const std::string lower = lower_ascii(head);
    const std::size_t at = lower.find("boundary=");
    if (at == std::string::npos) {
        return {};
    }
    std::string_view value = head.substr(at + 9);
    if (value.starts_with("\"")) {
        value.remove_prefix(1);
        return std::string(value.substr(0, value.find('"')));
    }
    const std::size_t end = value.find_first_of("; \t\n");
    return std::string(value.substr(0, end));
}

} // namespace

std::string with_repaired_boundary(std::string_view content)
{
    const std::size_t head_end = content.find("\n\n");
    if (head_end == std::string_view::npos) {
        return {};
    }
    const std::string_view head = content.substr(0, head_end + 1);
    const std::string declared = declared_boundary(head);
    if (declared.empty() || declared.size() > 200) {
        return {};
    }
    const std::string_view body = content.substr(head_end + 1);
    if (body.find("\n--" + declared) != std::string_view::npos) {
        return {};
    }
    std::size_t pos = 0;
    while (pos < body.size() && pos < 64 * 1024) {
        std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) {
            break;
        }
        const std::string_view line = body.substr(pos, end - pos);
        const std::string_view next = body.substr(end + 1, 8);
        pos = end + 1;
        if (line.size() > 3 && line.size() < 200 && line.starts_with("--") &&
            lower_ascii(next) == "content-") {
            std::string actual(line.substr(2));
            while (!actual.empty() && (actual.back() == ' ' || actual.back() == '\t')) {
                actual.pop_back();
            }
            if (actual.empty() || actual.find('"') != std::string::npos) {
                return {};
            }
            std::string repaired(head);
            repaired.replace(repaired.find(declared), declared.size(), actual);
            repaired.append(body);
            return repaired;
        }
    }
    return {};
}

} // namespace smtpprobe::ingest

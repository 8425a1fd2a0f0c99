// Nullable store values as JSON, shared by the API endpoints (see api.hpp).
#include "web/api/api.hpp"

namespace smtpprobe::web {

Json json_or_null(const std::optional<std::string>& value)
{
    return value ? Json(*value) : Json(nullptr);
}

Json json_or_null(const std::optional<std::int64_t>& value)
{
    return value ? Json(*value) : Json(nullptr);
}

Json json_document(const std::optional<std::string>& text)
{
    if (!text) {
        return nullptr;
    }
    Json parsed = Json::parse(*text, nullptr, false);
    if (parsed.is_discarded()) {
        return *text;
    }
    return parsed;
}

} // namespace smtpprobe::web

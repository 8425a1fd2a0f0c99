// Column readers and small store facts shared by the API endpoints (see api.hpp).
#include "web/api/api.hpp"


namespace smtpprobe::web {

Json column_json_text(const store::Statement& stmt, int column)
{
    if (stmt.is_null(column)) {
        return nullptr;
    }
    return stmt.column_text(column);
}

Json column_json_int(const store::Statement& stmt, int column)
{
    if (stmt.is_null(column)) {
        return nullptr;
    }
    return stmt.column_int(column);
}

Json column_json_document(const store::Statement& stmt, int column)
{
    if (stmt.is_null(column)) {
        return nullptr;
    }
    std::string text = stmt.column_text(column);
    Json parsed = Json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        return text;
    }
    return parsed;
}

} // namespace smtpprobe::web

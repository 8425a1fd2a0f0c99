// GMime owners, header readers and ParsedEntity (see gmime_entity.hpp).
#include "monitor/ingest/bounce/gmime_entity.hpp"

namespace smtpprobe::ingest {

namespace {

// The value of the last name field of object (GMimeMessage keeps the last Message-ID and
// Subject), nullptr if none.
const char* last_header(GMimeObject* object, const char* name)
{
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    const char* value = nullptr;
    const int count = g_mime_header_list_get_count(headers);
    for (int i = 0; i < count; ++i) {
        GMimeHeader* field = g_mime_header_list_get_header_at(headers, i);
        if (g_ascii_strcasecmp(g_mime_header_get_name(field), name) == 0) {
            value = g_mime_header_get_value(field);
        }
    }
    return value;
}

template <typename T>
T* parse(std::string_view text, T* (*construct)(GMimeParser*, GMimeParserOptions*))
{
    GObjectRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
    GObjectRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.ptr));
    return construct(parser.ptr, nullptr);
}

} // namespace

std::string owned_string(char* text)
{
    if (text == nullptr) {
        return {};
    }
    std::string out(text);
    g_free(text);
    return out;
}

std::string header(GMimeObject* object, const char* name)
{
    const char* value = g_mime_object_get_header(object, name);
    return value == nullptr ? std::string() : std::string(value);
}

ParsedEntity::ParsedEntity(std::string_view text)
{
    m_entity = parse(text, g_mime_parser_construct_part);
    if (m_entity == nullptr) {
        m_message = parse(text, g_mime_parser_construct_message);
    }
}

ParsedEntity::~ParsedEntity()
{
    if (m_entity != nullptr) {
        g_object_unref(m_entity);
    }
    if (m_message != nullptr) {
        g_object_unref(m_message);
    }
}

GMimeObject* ParsedEntity::headers() const
{
    return m_message != nullptr ? GMIME_OBJECT(m_message) : m_entity;
}

GMimeObject* ParsedEntity::body() const
{
    return m_message != nullptr ? g_mime_message_get_mime_part(m_message) : m_entity;
}

std::string ParsedEntity::message_id() const
{
    if (m_message != nullptr) {
        const char* id = g_mime_message_get_message_id(m_message);
        return id != nullptr ? std::string(id) : std::string();
    }
    if (m_entity == nullptr) {
        return {};
    }
    const char* id = last_header(m_entity, "Message-ID");
    return id != nullptr ? owned_string(g_mime_utils_decode_message_id(id)) : std::string();
}

std::string ParsedEntity::subject() const
{
    const char* subject = nullptr;
    if (m_message != nullptr) {
        subject = g_mime_message_get_subject(m_message);
    } else if (m_entity != nullptr) {
        subject = last_header(m_entity, "Subject");
    }
    return subject != nullptr ? std::string(subject) : std::string();
}

} // namespace smtpprobe::ingest

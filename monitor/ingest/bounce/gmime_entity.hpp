// Small owners and readers over GMime 3 objects for mime_reader: a GObject reference, a
// g_free'd string, header lookups, and ParsedEntity, one message text parsed by GMime.
//
// Contract: ParsedEntity parses the text as one MIME entity (GMime then builds no
// GMimeMessage: its address lists and field bookkeeping cost a third of a parse) and only
// when GMime refuses that (a leading "From " line, ...) as a message; either way its
// message_id() and subject() are what GMimeMessage would give. Internal to the bounce parser.
#pragma once

#include <gmime/gmime.h>
#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// Owns one GObject reference.
template <typename T>
struct GObjectRef {
    T* ptr = nullptr;
    explicit GObjectRef(T* p) : ptr(p) {}
    ~GObjectRef()
    {
        if (ptr != nullptr) {
            g_object_unref(ptr);
        }
    }
    GObjectRef(const GObjectRef&) = delete;
    GObjectRef& operator=(const GObjectRef&) = delete;
};

// The text, then g_free()s it; "" for nullptr.
std::string owned_string(char* text);

// The (decoded) value of the first name field of object, "" if none.
std::string header(GMimeObject* object, const char* name);

// One message text parsed by GMime (see the file comment). The text must outlive it.
class ParsedEntity {
public:
    explicit ParsedEntity(std::string_view text);
    ~ParsedEntity();
    ParsedEntity(const ParsedEntity&) = delete;
    ParsedEntity& operator=(const ParsedEntity&) = delete;

    // The object holding the top-level header; nullptr when GMime could not parse the text.
    GMimeObject* headers() const;
    // The top-level MIME entity (the message body); nullptr when there is none.
    GMimeObject* body() const;
    // The Message-ID without angle brackets, as g_mime_message_get_message_id gives it.
    std::string message_id() const;
    // The decoded Subject, as g_mime_message_get_subject gives it (the last one).
    std::string subject() const;

private:
    GMimeObject* m_entity = nullptr;
    GMimeMessage* m_message = nullptr;
};

} // namespace smtpprobe::ingest

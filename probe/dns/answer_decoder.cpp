// See answer_decoder.hpp. Record parsing is c-ares' (ares_parse_*_reply); this file maps its
// status codes onto our Status and its structures onto Answer.
#include "probe/dns/answer_decoder.hpp"

#include <algorithm>
#include <ares.h>
#include <array>
#include <cstring>
#include <netinet/in.h>

namespace smtpprobe::dns {

namespace {

Answer failed(Status status, std::string reason)
{
    Answer answer;
    answer.status = status;
    answer.error = std::move(reason);
    return answer;
}

// Maps a non-success c-ares status.
Answer from_status(RecordType type, const std::string& name, int status)
{
    const std::string what = std::string(record_type_name(type)) + " " + name + ": ";
    switch (status) {
    case ARES_ENOTFOUND:
        return failed(Status::nxdomain, what + "no such name (NXDOMAIN)");
    case ARES_ENODATA:
        return failed(Status::nodata, what + "no records of this type");
    case ARES_ETIMEOUT:
        return failed(Status::timeout, what + "timed out waiting for the DNS server");
    case ARES_ESERVFAIL:
        return failed(Status::error, what + "DNS server failure (SERVFAIL)");
    case ARES_EREFUSED:
        return failed(Status::error, what + "query refused by the DNS server (REFUSED)");
    case ARES_ECONNREFUSED:
        return failed(Status::error,
                      what + "the DNS server refused the query or could not be reached");
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
        return failed(Status::error, what + "cancelled");
    case ARES_EBADNAME:
        return failed(Status::error, what + "not a valid DNS name");
    default:
        return failed(Status::error, what + ares_strerror(status));
    }
}

Answer parse_failed(RecordType type, const std::string& name, int status)
{
    if (status == ARES_ENODATA) {
        return from_status(type, name, status);
    }
    return failed(Status::error, std::string(record_type_name(type)) + " " + name +
                                     ": malformed answer (" + ares_strerror(status) + ")");
}

std::string without_trailing_dot(const char* text)
{
    std::string out = text != nullptr ? text : "";
    if (!out.empty() && out.back() == '.') {
        out.pop_back();
    }
    return out;
}

Answer decode_a(const std::string& name, const unsigned char* response, int length)
{
    std::array<ares_addrttl, 64> records{};
    int count = static_cast<int>(records.size());
    const int rc = ares_parse_a_reply(response, length, nullptr, records.data(), &count);
    if (rc != ARES_SUCCESS) {
        return parse_failed(RecordType::a, name, rc);
    }
    Answer answer;
    answer.status = Status::ok;
    for (int i = 0; i < count; ++i) {
        boost::asio::ip::address_v4::bytes_type bytes;
        std::memcpy(bytes.data(), &records[static_cast<std::size_t>(i)].ipaddr, bytes.size());
        answer.addresses.emplace_back(boost::asio::ip::address_v4(bytes));
    }
    if (answer.addresses.empty()) {
        return from_status(RecordType::a, name, ARES_ENODATA);
    }
    return answer;
}

Answer decode_aaaa(const std::string& name, const unsigned char* response, int length)
{
    std::array<ares_addr6ttl, 64> records{};
    int count = static_cast<int>(records.size());
    const int rc = ares_parse_aaaa_reply(response, length, nullptr, records.data(), &count);
    if (rc != ARES_SUCCESS) {
        return parse_failed(RecordType::aaaa, name, rc);
    }
    Answer answer;
    answer.status = Status::ok;
    for (int i = 0; i < count; ++i) {
        boost::asio::ip::address_v6::bytes_type bytes;
        std::memcpy(bytes.data(), &records[static_cast<std::size_t>(i)].ip6addr, bytes.size());
        answer.addresses.emplace_back(boost::asio::ip::address_v6(bytes));
    }
    if (answer.addresses.empty()) {
        return from_status(RecordType::aaaa, name, ARES_ENODATA);
    }
    return answer;
}

Answer decode_mx(const std::string& name, const unsigned char* response, int length)
{
    ares_mx_reply* head = nullptr;
    const int rc = ares_parse_mx_reply(response, length, &head);
    if (rc != ARES_SUCCESS) {
        return parse_failed(RecordType::mx, name, rc);
    }
    Answer answer;
    answer.status = Status::ok;
    for (ares_mx_reply* mx = head; mx != nullptr; mx = mx->next) {
        std::string host = without_trailing_dot(mx->host);
        answer.mx.push_back({mx->priority, std::move(host)});
    }
    ares_free_data(head);
    if (answer.mx.empty()) {
        return from_status(RecordType::mx, name, ARES_ENODATA);
    }
    return answer;
}

Answer decode_txt(const std::string& name, const unsigned char* response, int length)
{
    ares_txt_ext* head = nullptr;
    const int rc = ares_parse_txt_reply_ext(response, length, &head);
    if (rc != ARES_SUCCESS) {
        return parse_failed(RecordType::txt, name, rc);
    }
    Answer answer;
    answer.status = Status::ok;
    for (ares_txt_ext* chunk = head; chunk != nullptr; chunk = chunk->next) {
        // A TXT record is a sequence of <=255-byte strings; RFC 7208 and DNSBLs read them
        // concatenated, so one record gives one text.
        const char* bytes = reinterpret_cast<const char*>(chunk->txt);
        if (chunk->record_start != 0 || answer.texts.empty()) {
            answer.texts.emplace_back(bytes, chunk->length);
        } else {
            answer.texts.back().append(bytes, chunk->length);
        }
    }
    ares_free_data(head);
    if (answer.texts.empty()) {
        return from_status(RecordType::txt, name, ARES_ENODATA);
    }
    return answer;
}

Answer decode_ptr(const std::string& name, const unsigned char* response, int length,
                  const boost::asio::ip::address& address)
{
    hostent* host = nullptr;
    int rc = ARES_SUCCESS;
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        rc = ares_parse_ptr_reply(response, length, bytes.data(), static_cast<int>(bytes.size()),
                                  AF_INET, &host);
    } else {
        const auto bytes = address.to_v6().to_bytes();
        rc = ares_parse_ptr_reply(response, length, bytes.data(), static_cast<int>(bytes.size()),
                                  AF_INET6, &host);
    }
    if (rc != ARES_SUCCESS) {
        return parse_failed(RecordType::ptr, name, rc);
    }
    Answer answer;
    answer.status = Status::ok;
    // c-ares lists every PTR target among the aliases and the last one as h_name.
    for (char** alias = host->h_aliases; alias != nullptr && *alias != nullptr; ++alias) {
        answer.texts.push_back(without_trailing_dot(*alias));
    }
    std::string main_name = without_trailing_dot(host->h_name);
    if (!main_name.empty() &&
        std::find(answer.texts.begin(), answer.texts.end(), main_name) == answer.texts.end()) {
        answer.texts.push_back(std::move(main_name));
    }
    ares_free_hostent(host);
    if (answer.texts.empty()) {
        return from_status(RecordType::ptr, name, ARES_ENODATA);
    }
    return answer;
}

} // namespace

const char* record_type_name(RecordType type)
{
    switch (type) {
    case RecordType::a:
        return "A";
    case RecordType::aaaa:
        return "AAAA";
    case RecordType::mx:
        return "MX";
    case RecordType::txt:
        return "TXT";
    case RecordType::ptr:
        return "PTR";
    }
    return "?";
}

Answer decode_answer(RecordType type, const std::string& name, int status,
                     const unsigned char* response, int length,
                     const boost::asio::ip::address& ptr_address)
{
    if (status != ARES_SUCCESS) {
        return from_status(type, name, status);
    }
    if (response == nullptr || length <= 0) {
        return failed(Status::error,
                      std::string(record_type_name(type)) + " " + name + ": empty response");
    }
    switch (type) {
    case RecordType::a:
        return decode_a(name, response, length);
    case RecordType::aaaa:
        return decode_aaaa(name, response, length);
    case RecordType::mx:
        return decode_mx(name, response, length);
    case RecordType::txt:
        return decode_txt(name, response, length);
    case RecordType::ptr:
        return decode_ptr(name, response, length, ptr_address);
    }
    return failed(Status::error, "unknown record type");
}

} // namespace smtpprobe::dns

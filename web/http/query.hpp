// The request target of one HTTP request, split into a decoded path and validated query
// parameters. Everything here is peer text: sizes are bounded, percent-escapes are checked,
// and every typed accessor throws BadRequest (answered as a 400 JSON error) on a value it
// cannot take, never a generic exception that would become a 500.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smtpprobe::web {

// A request the client can fix: answered 400 with {"error": what()}.
class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Query {
public:
    // Splits target ("/api/episodes?ip=192.0.2.1&scope=x") into path and parameters.
    // Throws BadRequest on a malformed escape, a NUL byte anywhere, a repeated parameter or
    // too many parameters.
    explicit Query(std::string_view target);

    const std::string& path() const { return m_path; }
    bool has(const std::string& name) const { return m_params.count(name) != 0; }
    // Throws BadRequest when a parameter not in allowed is present (typos must not be ignored).
    void allow_only(std::initializer_list<std::string_view> allowed) const;

    // The raw (decoded) text, if given.
    std::optional<std::string> text(const std::string& name) const;
    // An integer in [min, max]; fallback when absent.
    std::int64_t integer(const std::string& name, std::int64_t fallback, std::int64_t min,
                         std::int64_t max) const;
    std::optional<std::int64_t> optional_integer(const std::string& name, std::int64_t min,
                                                 std::int64_t max) const;
    // One of values, if given (anything else: BadRequest naming the values).
    std::optional<std::string> one_of(const std::string& name,
                                      std::initializer_list<std::string_view> values) const;
    // An IPv4 or IPv6 address (as given, validated with inet_pton).
    std::optional<std::string> ip(const std::string& name) const;
    // A scope, zone or target name: 1..200 bytes (any text a stored scope can hold).
    std::optional<std::string> scope(const std::string& name) const;
    // A node name ([run] node): 1..253 bytes of any text.
    std::optional<std::string> node(const std::string& name) const;
    // A UTC time: "2026-03-11", "2026-03-11T20:18Z", "2026-03-11T20:18:23Z" (the Z is optional),
    // of a date that exists (2026-02-29 does not);
    // returned normalised to "YYYY-MM-DDTHH:MM:SSZ" so it compares with stored times.
    std::optional<std::string> time(const std::string& name) const;

private:
    std::string m_path;
    std::map<std::string, std::string> m_params;
};

// Percent-decodes text ('+' stays '+'; in a query, callers turn '+' into ' ' first).
// Returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

// Normalises a time as Query::time() does; nullopt when it is not such a time.
std::optional<std::string> normalise_time(std::string_view text);

} // namespace smtpprobe::web

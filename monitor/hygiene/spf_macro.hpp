// SPF macro expansion (RFC 7208 section 7) for domain-specs: %{s} %{l} %{o} %{d} %{i} %{p}
// %{v} %{h} with the digit / 'r' / delimiter transformers, %% %_ %-, and URL-escaping for
// upper-case macro letters. %{c} %{r} %{t} exist only in exp= texts, which we do not evaluate.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::hygiene {

struct MacroInputs {
    boost::asio::ip::address ip;
    std::string sender_local;  // local part of MAIL FROM ("postmaster" when empty)
    std::string sender_domain; // domain of MAIL FROM
    std::string domain;        // the domain being evaluated (changes with include/redirect)
    std::string helo;
};

// Expands `spec`. Returns nullopt and sets *error for a syntax error (an SPF permerror).
// The result is truncated from the left, label by label, to at most 253 bytes.
std::optional<std::string> expand_spf_macros(std::string_view spec, const MacroInputs& inputs,
                                             std::string* error);

} // namespace smtpprobe::hygiene

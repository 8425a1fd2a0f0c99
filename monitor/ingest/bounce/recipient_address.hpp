// The failed recipient's mail address from what a report writes for it: a Final-Recipient or
// Original-Recipient value ("rfc822; user@example.org", "X400; c=US;a= ;p=Org;...",
// "rfc822; IMCEASMTP-user+40example+2Eorg@exchange.example.org"), an X-Failed-Recipients
// header (Exim, Google), or an address the prose names. A recipient is a mail address or
// nothing: an X.400 address, an Exchange-encapsulated directory name (IMCEAEX-...) or an empty
// value yields "", so that the caller takes the address from another place that names the
// failed recipient (the Original-Recipient, the report's text, the returned message's To).
//
// Contract: pure functions on bounded text; addresses keep the case they are written in,
// except failed_recipients_header's (lower case, for comparison with the prose's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

// Whether text is one mail address (local@domain, the domain with a dot, no blanks).
bool is_mail_address(std::string_view text);

// The mail address of a recipient field value with its type (RFC 3464 section 2.3.2):
// rfc822/utf-8 types give the address; an Exchange IMCEASMTP address is decoded (+40 is '@',
// +2E is '.'); any other type, an IMCEAEX name or a value that is no address gives "".
std::string recipient_field_address(std::string_view value);

// The addresses of an X-Failed-Recipients header value (comma separated), lower case.
std::vector<std::string> failed_recipients_header(std::string_view value);

} // namespace smtpprobe::ingest

// The one place that says how to stop an MTA from sending success DSNs (return receipts)
// to whoever asks: used by `--dsn-test` advice and by the ingest summary when our own log shows
// receipts. Each remedy is written for the MTA's Debian 12 default configuration and was
// checked against the real daemon (tests/integration/test_dsn_test_mtas.cpp).
#pragma once

#include <string>
#include <string_view>

namespace smtpprobe::probe {

// The MTA from a banner and EHLO reply: "sendmail", "postfix", "exim", "opensmtpd",
// "exchange" or "" (unknown). banner and ehlo are the reply texts (any case); extensions are
// the EHLO keywords, upper case.
std::string mta_from_greeting(std::string_view banner, std::string_view ehlo_first_line,
                              const std::string* extensions, std::size_t extension_count);

// What to change so that `mta` ("sendmail", "postfix", ...) stops advertising DSN to (or
// honouring NOTIFY=SUCCESS from) untrusted clients; a generic text naming every MTA's remedy
// when mta is "" or not one of ours.
std::string dsn_remedy(std::string_view mta);

} // namespace smtpprobe::probe

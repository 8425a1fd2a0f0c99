// The identity the monitor integration tests send from, and the seed story's Outlook.com S3140
// refusal of it as a Postfix access-map line (smtpd_client_restrictions: the receiver refuses
// the client at connect, as Outlook.com does).
#pragma once

namespace smtpprobe::test {

// A loopback address of its own, so an access map can refuse it and a DNSBL zone can list it
// without touching the RFC 5782 test entries (127.0.0.1/2).
inline constexpr const char* k_identity_ip = "127.0.0.10";

inline constexpr const char* k_s3140_access_line =
    "127.0.0.10 550 5.7.1 Unfortunately, messages from [127.0.0.10] weren't sent. Please "
    "contact your Internet service provider since part of their network is on our block list "
    "(S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx"
    "#errors.";

} // namespace smtpprobe::test

// Validation of single config entries (identities, receivers, zones, alert channels): each
// check records a problem on the reader at the offending key; nothing throws.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/config/toml_reader.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::config {

// Whether text is an IPv4 or IPv6 address.
bool is_ip_address(const std::string& text);
// Whether text is a DNS host name (letters, digits, hyphens, dots; labels of 1-63).
bool is_host_name(const std::string& text);

// Whether name is an HTTP field name (RFC 9110 token) and value a field value: no CR, LF,
// NUL or other control character but tab (a header injected into the webhook request).
bool is_header_name(std::string_view name);
bool is_header_value(std::string_view value);
// Whether a webhook URL is http:// or https://, printable ASCII without spaces, with a valid
// host[:port] and an optional path.
bool is_webhook_url(const std::string& url);

void check_identity(TomlReader& r, const Identity& identity);
void check_receiver(TomlReader& r, const Receiver& receiver,
                    const std::vector<Identity>& identities);
void check_code(TomlReader& r, const DnsblCode& code);
void check_zone(TomlReader& r, const DnsblZone& zone);
void check_webhook(TomlReader& r, const Webhook& hook);
void check_mail(TomlReader& r, const MailAlert& mail);
// A shell command of an alert channel (key "command" or "sendmail"): one line, and a program
// that exists: an absolute path to an executable file, or a name found on PATH.
void check_command(TomlReader& r, const std::string& key, const std::string& command);
void check_log(TomlReader& r, const LogSource& log);
void check_dns_server(TomlReader& r, const std::string& server);
void check_snds(TomlReader& r, const SndsSettings& snds);
// [run] node: 1-253 letters, digits, '.', '-', '_' (it becomes a Prometheus label and a row key).
void check_node_name(TomlReader& r, const std::string& node);

} // namespace smtpprobe::config

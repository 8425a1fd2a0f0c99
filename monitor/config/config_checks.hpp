// Validation of single config entries (identities, receivers, zones, alert channels): each
// check records a problem on the reader at the offending key; nothing throws.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/config/toml_reader.hpp"

#include <string>
#include <vector>

namespace smtpprobe::config {

// Whether text is an IPv4 or IPv6 address.
bool is_ip_address(const std::string& text);
// Whether text is a DNS host name (letters, digits, hyphens, dots; labels of 1-63).
bool is_host_name(const std::string& text);

void check_identity(TomlReader& r, const Identity& identity);
void check_receiver(TomlReader& r, const Receiver& receiver,
                    const std::vector<Identity>& identities);
void check_code(TomlReader& r, const DnsblCode& code);
void check_zone(TomlReader& r, const DnsblZone& zone);
void check_webhook(TomlReader& r, const Webhook& hook);
void check_mail(TomlReader& r, const MailAlert& mail);
void check_log(TomlReader& r, const LogSource& log);
void check_dns_server(TomlReader& r, const std::string& server);
void check_snds(TomlReader& r, const SndsSettings& snds);

} // namespace smtpprobe::config

// The monitor's configuration: who we are (sending identities), which receivers to probe and
// how often, which DNS blocklists to ask, which logs and bounce mailboxes to ingest, where
// alerts go, and the episode confirmations. Read from TOML (config_loader.hpp); every field
// has a default so an absent file still gives a working monitor (config_defaults.cpp).
//
// Contract: a Config returned by load_config() is valid: names are unique, intervals are
// positive, min_interval <= interval, fleet_min_interval <= interval, URLs and addresses parse.
// Nothing here does I/O.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::config {

// One sending identity: the IP our mail leaves from and how it introduces itself.
struct Identity {
    std::string name;      // "main" (unique; referenced by receivers)
    std::string ip;        // "192.0.2.10" or an IPv6 address
    std::string helo;      // HELO/EHLO name; should be the IP's PTR
    std::string mail_from; // envelope sender for probes ("postmaster@example.org")
};

// A receiver to probe: a domain (MX lookup) or an explicit host.
struct Receiver {
    std::string name;      // "outlook.com" (unique)
    std::string domain;    // resolved through MX when mx is empty
    std::string mx;        // explicit "host", "host:port" or "[v6]:port"; overrides domain
    int port = 25;         // SMTP port (for domain, or an mx without its own port)
    std::string recipient; // RCPT TO address
    std::string script = "block-check";
    std::vector<std::string> identities; // names; empty: every identity
    std::chrono::seconds interval{std::chrono::hours(1)};
    std::chrono::seconds min_interval{std::chrono::minutes(15)}; // never more often than this
    std::chrono::seconds jitter{std::chrono::minutes(5)};        // random delay added to interval
    bool enabled = true;
    // A script that sends DATA (a real message, like `deliver`) may run against this receiver
    // only with allow_data = true: a probe never sends mail unless asked.
    bool allow_data = false;
    // Across a fleet (issue 20: many nodes, each with its own IPs, on one database): the least
    // time between two sessions to this receiver from any node and IP (unset: min_interval / 15,
    // at least 1 s, so the 15 min default lets the whole fleet probe it once a minute), and how
    // many sessions to it may be open at once fleet-wide (monitor/probing/fleet_claim.hpp).
    std::optional<std::chrono::seconds> fleet_min_interval;
    int fleet_concurrency = 2;

    // What the probe connects to: mx if given, else domain; ":port" added when not 25 and
    // the mx does not carry its own.
    std::string target() const;
    // fleet_min_interval if set, else the default derived from min_interval.
    std::chrono::seconds fleet_spacing() const;
};

// What one DNSBL return code means.
struct DnsblCode {
    std::string code;    // "127.0.0.2"
    std::string meaning; // "SBL: Spamhaus SBL data"
    // listed: an abuse listing (blocks mail); policy: a policy listing such as the PBL
    // (not abuse, but many receivers refuse it); clean: not a listing (a reputation list's
    // good levels, e.g. Mailspike H1..H5); error: the list refuses to answer
    // (127.255.255.252/254/255: "unknown", never "listed").
    std::string kind = "listed";
};

// One DNS blocklist zone.
struct DnsblZone {
    std::string name;             // "Spamhaus ZEN" (unique)
    std::string zone;             // "zen.spamhaus.org"
    std::string delist_url;       // where to ask for removal
    std::vector<DnsblCode> codes; // empty: any 127.0.0.x answer is "listed"
    bool ipv6 = false;            // the zone answers nibble (IPv6) queries
    bool use_dqs = false;         // with [dnsbl] dqs_key: query <key>.<dqs_zone>
    std::string dqs_zone;         // "zen.dq.spamhaus.net"
    bool enabled = true;
};

struct DnsblSettings {
    std::chrono::seconds interval{std::chrono::minutes(30)};
    std::string dqs_key; // Spamhaus Data Query Service key ("" = public mirrors)
    std::vector<DnsblZone> zones;
};

// Sender hygiene checks (PTR/FCrDNS, SPF, DMARC) per identity.
struct HygieneSettings {
    bool enabled = true;
    std::chrono::seconds interval{std::chrono::hours(6)};
};

// Microsoft SNDS automated access (issue 19): `run` fetches the IP status and data feeds.
// The key is a secret: read from key_file (or key in the config file), whose permissions are
// checked when the config is loaded (config_loader.hpp); never logged, stored or shown.
struct SndsSettings {
    std::string key;      // the automated-access key ("" = SNDS off); filled from key_file
    std::string key_file; // a file holding the key (one line), "" when key is inline
    std::string url = "https://sendersupport.olc.protection.outlook.com/snds/"; // feeds' base
    std::chrono::seconds interval{std::chrono::hours(6)};
    std::chrono::seconds timeout{30};

    bool enabled() const { return !key.empty(); }
};

struct LogSource {
    std::string path;            // a maillog; rotated .gz files are read too
    std::string format = "auto"; // auto | sendmail | postfix | exim
};

struct BounceSource {
    std::string path; // one message file, an mbox, or a Maildir
};

struct Webhook {
    std::string name;
    std::string url;                            // http:// or https://
    std::map<std::string, std::string> headers; // extra headers ("Authorization" = "Bearer ...")
    std::chrono::seconds timeout{10};
    bool verify_tls = true;
};

struct CommandHook {
    std::string name;
    std::string command; // run by /bin/sh -c; the event JSON on stdin
    std::chrono::seconds timeout{30};
};

struct MailAlert {
    std::string name;
    std::string sendmail = "/usr/sbin/sendmail -t -i"; // run by /bin/sh -c
    std::string from;
    std::vector<std::string> to;
};

struct AlertSettings {
    std::vector<Webhook> webhooks;
    std::vector<CommandHook> commands;
    std::vector<MailAlert> mails;
    int max_attempts = 8; // per channel, over runs, with exponential back-off
    std::chrono::seconds retry_base{60};
};

struct EpisodeSettings {
    int open_after = 1;  // consecutive blocked evidence that opens an episode
    int close_after = 1; // consecutive clear evidence that closes it
};

struct ProbeSettings {
    std::chrono::seconds timeout{60}; // whole session deadline
    bool starttls = true;
};

// This node's own `run` ticks (issue 20): the name it reports under and how often its timer
// (systemd, cron) starts `run`, so a fleet's monitoring sees a node that has gone silent.
struct RunSettings {
    std::string node; // "" = the host name (monitor/run/node_name.hpp)
    std::chrono::seconds interval{std::chrono::minutes(15)}; // the shipped timer's period
};

struct Config {
    std::string source;     // the file it was read from ("" = built-in defaults)
    std::string db;         // "" = the CLI default
    std::string rules;      // a user rules file for the classifier ("" = none)
    std::string dns_server; // "" = the system resolver
    std::vector<Identity> identities;
    std::vector<Receiver> receivers;
    DnsblSettings dnsbl;
    HygieneSettings hygiene;
    SndsSettings snds;
    std::vector<LogSource> logs;
    std::vector<BounceSource> bounces;
    AlertSettings alerts;
    EpisodeSettings episodes;
    ProbeSettings probes;
    RunSettings run;

    // The IP to use when a source does not say which of ours sent (sendmail `relay=[]`):
    // the only identity's IP, else "" meaning "this server".
    std::string default_ip() const;
    // The DNS server every command resolves through: the --dns-server given (flag), else
    // dns_server, else "" (the system's resolver). dns::resolver_options() reads the text.
    std::string dns_server_for(const std::string& flag) const;
    // The identities a receiver is probed from (its list, else all; none: one empty identity).
    std::vector<Identity> identities_for(const Receiver& receiver) const;
};

// The built-in defaults: receivers Outlook.com, Gmail, Yahoo and a Microsoft 365 gateway;
// zones Spamhaus ZEN, SpamCop, Barracuda, PSBL, Mailspike and UCEPROTECT level 1.
Config default_config();
std::vector<DnsblZone> default_zones();
std::vector<Receiver> default_receivers();

} // namespace smtpprobe::config

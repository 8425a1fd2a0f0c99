// Real Postfix instances on loopback for integration tests. Each PostfixInstance owns a fresh
// directory /tmp/smtpprobe-postfix-XXXXXX holding its own config dir, queue_directory,
// data_directory, Maildir and maillog file; its own free smtpd port; its own myhostname. Many
// instances may run at once, from many test processes: nothing is shared between them and
// nothing global (/etc/postfix/main.cf, syslog, port 25) is touched.
//
// How it runs Postfix: `postfix -c DIR check` creates the queue with the right owners, then
// the master(8) is started directly in the foreground (`master -c DIR -d`) as our child, in its
// own process group, with PR_SET_PDEATHSIG so it dies with the test process. As root, with
// MAIL_CONFIG set by -c/-C, Postfix needs no alternate_config_directories entry in the default
// main.cf (that check applies only to unprivileged callers). Daemons log through postlogd to
// the instance's maillog_file. Needs root (tests skip otherwise: see is_root()).
//
// Every instance accepts mail for its `domain` into a Maildir (delivered_messages()), so a
// sending instance's own non-delivery reports (sender = someone@its domain) are readable too.
#pragma once

#include "tests/support/child_process.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace smtpprobe::test {

// A certificate and its private key, PEM files.
struct TlsFiles {
    std::string cert_path;
    std::string key_path;
};

// Makes a self-signed certificate (EC P-256, valid 2 days, CN and subjectAltName = common_name
// plus IP 127.0.0.1) in dir with openssl. Throws std::runtime_error when openssl fails.
TlsFiles make_self_signed_cert(const std::string& dir, const std::string& common_name);

// The access(5) maps every instance consults in smtpd_recipient_restrictions, in this order
// (so replies come at RCPT time): client, helo, sender, recipient.
enum class AccessMap { client, helo, sender, recipient };

// How to configure one instance. Everything not set has a test-friendly default.
struct PostfixConfig {
    // Domain accepted into the instance's Maildir; default "d-<unique>.test".
    std::string domain;
    // myhostname (also the banner name); default "mx.<domain>".
    std::string hostname;
    // When > 0 the instance relays all non-local mail to [127.0.0.1]:relay_port (a sending
    // instance); connection caching is off so each message opens a new session.
    int relay_port = 0;
    // Postfix's smtpd always prefixes access-map replies ("550 5.7.1 <localhost[127.0.0.1]>:
    // Client host rejected: TEXT"). When true, this instance's SMTP client strips that prefix
    // from replies it receives (smtp_reply_filter), so a sending instance logs and bounces
    // with "said: 550 5.7.1 TEXT" as it would for a non-Postfix MTA (Outlook, Gmail).
    bool strip_reject_prefix = true;
    // Initial contents of the access maps (access(5) lines, e.g. "127.0.0.1 550 5.7.1 text").
    std::string client_access;
    std::string helo_access;
    std::string sender_access;
    std::string recipient_access;
    // smtpd_discard_ehlo_keywords, e.g. "dsn" or "dsn, pipelining".
    std::string discard_ehlo_keywords;
    // When set, smtpd offers STARTTLS with these files (smtpd_tls_security_level = may).
    std::optional<TlsFiles> tls;
    // Extra main.cf lines ("name = value"), appended last so they override the defaults.
    std::vector<std::string> main_cf;
    // Extra master.cf lines, appended.
    std::vector<std::string> master_cf;
    // How long start() waits for the port and the 220 banner.
    std::chrono::milliseconds start_timeout{30'000};
};

// One running Postfix. Construct, then start(); the destructor stops it and removes its dirs.
class PostfixInstance {
public:
    explicit PostfixInstance(PostfixConfig config = {});
    ~PostfixInstance();
    PostfixInstance(const PostfixInstance&) = delete;
    PostfixInstance& operator=(const PostfixInstance&) = delete;

    // Writes the configuration, starts the master and returns once the smtpd port answers with
    // a 220 banner. Retries on a fresh port if another process took the chosen one. Throws
    // std::runtime_error (with the tail of the maillog) if Postfix does not come up.
    void start();
    // Stops the master (SIGTERM, as `postfix stop` does), kills whatever is left in its
    // process group and waits for it. Safe to call twice; the destructor calls it.
    void stop();
    bool running() const { return m_master_pid > 0; }

    int port() const { return m_port; }
    const std::string& domain() const { return m_config.domain; }
    const std::string& hostname() const { return m_config.hostname; }
    const std::string& root_dir() const { return m_root; }
    const std::string& config_dir() const { return m_config_dir; }
    const std::string& log_path() const { return m_log_path; }
    // The whole maillog so far.
    std::string log_text() const;
    // Polls the maillog until it contains needle; false after timeout.
    bool wait_for_log(std::string_view needle,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000)) const;
    // Polls until needle occurs at least count times in the maillog.
    bool wait_for_log_count(std::string_view needle, std::size_t count,
                            std::chrono::milliseconds timeout) const;

    // Replaces an access map's contents (postmap to a new file, renamed over the old .db, so
    // running smtpd processes notice the change before their next connection).
    void set_access_map(AccessMap map, const std::string& contents);
    // Sets main.cf parameters (`postconf -e`) and reloads the running master.
    void set_main_cf(const std::vector<std::string>& settings);
    // SIGHUP to the master, as `postfix reload` does.
    void reload();
    // Submits a message through this instance's sendmail (-C config dir). body is the message
    // text after the headers; From/To/Subject headers are added. Throws if sendmail fails.
    void send_mail(const std::string& from, const std::string& to, const std::string& body,
                   const std::string& subject = "smtpprobe test");
    // Submits a complete RFC 5322 message (headers included) as is.
    void send_raw(const std::string& from, const std::vector<std::string>& recipients,
                  const std::string& message);
    // `postqueue -c DIR -f`: attempts delivery of everything queued now.
    void flush();
    // Output of `postqueue -c DIR -p`.
    std::string queue_listing();
    // Messages delivered to the instance's Maildir (domain), oldest first, full text.
    std::vector<std::string> delivered_messages() const;

private:
    void write_main_cf();
    void write_master_cf();
    void write_access_maps();
    bool spawn_master_and_wait();
    std::string map_path(AccessMap map) const;

    PostfixConfig m_config;
    std::string m_root;
    std::string m_config_dir;
    std::string m_queue_dir;
    std::string m_data_dir;
    std::string m_mail_dir;
    std::string m_log_path;
    int m_port = 0;
    pid_t m_master_pid = -1;
};

// Removes /tmp/smtpprobe-postfix-* dirs whose owning test process is gone (it crashed before
// its destructors ran), killing a master that survived there. PostfixInstance calls it.
void remove_stale_postfix_dirs();

// smtp-sink(1) on a free loopback port: `smtp-sink -c [extra...] 127.0.0.1:PORT backlog`.
// Extra options are smtp-sink flags (e.g. "-d", dir, "-Q"...); as root "-u postfix" is added
// unless "-u" is given. Stopped and reaped on destruction.
class SmtpSink {
public:
    explicit SmtpSink(std::vector<std::string> extra_options = {}, int backlog = 1000);
    ~SmtpSink() = default;
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;
    int port() const { return m_port; }
    // smtp-sink's stdout/stderr (with -c it prints a message counter).
    std::string output() const { return read_file(m_dir.file("sink.out")); }

private:
    TempDir m_dir;
    int m_port = 0;
    std::unique_ptr<Daemon> m_daemon;
};

// What smtp-source(1) should send.
struct SmtpSourceOptions {
    int sessions = 1;     // -s: parallel sessions
    int messages = 1;     // -m: total messages
    int recipients = 1;   // -r: recipients per message
    int message_size = 0; // -l: body size in bytes (0 = smtp-source's default)
    std::string from = "sender@source.test";
    std::string to = "rcpt@sink.test";
    std::vector<std::string> extra_options; // more smtp-source flags
    std::chrono::milliseconds timeout{120'000};
};

// Runs smtp-source(1) against 127.0.0.1:port to completion.
RunResult run_smtp_source(int port, const SmtpSourceOptions& options = {});

} // namespace smtpprobe::test

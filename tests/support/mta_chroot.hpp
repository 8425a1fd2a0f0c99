// Real sendmail 8.17, Exim 4.96 and OpenSMTPD 6.8 (Debian 12 packages) for integration tests,
// each in its own chroot built once by scripts/build-mta-chroots.sh under
// $SMTPPROBE_MTA_CACHE (default /var/cache/smtpprobe-test): the three conflict as packages
// and Postfix lives on the host. An MtaChroot writes its test configuration into the chroot,
// clears the previous run's queue, log and mailboxes, and runs the daemon in the foreground
// as our child (chroot(8) + the daemon's own foreground flag). sendmail and OpenSMTPD log
// only through syslog(3): a SyslogCapture bound at the chroot's /dev/log (and at OpenSMTPD's
// privilege-separation roots) writes their lines to a file as rsyslog would ("Mmm dd
// hh:mm:ss HOST TAG[PID]: MESSAGE"); Exim writes its own mainlog.
//
// Routing (the chroot's /etc/hosts and the MTA's relay table, written by configure()):
//   outlook.test -> eur.olc.protection.outlook.com (127.0.0.5)   yahoo.test -> mta5.am0.
//   yahoodns.net (127.0.0.6)   ok.test -> mx.ok.test (127.0.0.7)   refused.test ->
//   mx.refused.test (127.0.0.3, nothing listens)   slow.test -> mx.slow.test (127.0.0.4,
//   never greets)   receipts.test -> mx.receipts.test (127.0.0.8, smtpprobe's --receive)
// all on the LoopbackReceiver's port; local mail for "sender" goes to /var/mail/sender.
// One chroot runs one daemon at a time (integration tests run serially). Needs root.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace smtpprobe::test {

enum class MtaKind { sendmail, exim, opensmtpd };
const char* mta_kind_name(MtaKind kind); // "sendmail", "exim", "opensmtpd"

// The chroot of kind, or nullopt (with why) when it was not built: the caller skips.
std::optional<std::string> mta_chroot_dir(MtaKind kind, std::string* why = nullptr);

// Receives syslog datagrams on Unix sockets and appends them to a file as syslog lines.
class SyslogCapture {
public:
    SyslogCapture(std::vector<std::string> socket_paths, std::string out_path,
                  std::string hostname);
    ~SyslogCapture();
    SyslogCapture(const SyslogCapture&) = delete;
    SyslogCapture& operator=(const SyslogCapture&) = delete;

private:
    void run();
    std::vector<int> m_fds;
    std::vector<std::string> m_paths;
    std::string m_out_path;
    std::string m_hostname;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

struct MtaOptions {
    int relay_port = 0;          // the LoopbackReceiver's port
    bool dsn_remedy = false;     // apply the MTA's documented remedy (no success DSNs)
    bool debian_default = false; // the package's own default configuration, only the port
                                 // changed (dsn-test against what a user has after install)
    bool dsn_after_starttls_only = false; // Exim: offer DSN only inside TLS (self-signed)
};

class MtaChroot {
public:
    MtaChroot(MtaKind kind, std::string root, MtaOptions options);
    ~MtaChroot();
    MtaChroot(const MtaChroot&) = delete;
    MtaChroot& operator=(const MtaChroot&) = delete;

    // Writes the configuration, clears old state, starts the daemon and waits for its 220.
    // Throws std::runtime_error (with the daemon's output and log tail) when it fails.
    void start();
    // SIGTERM, then SIGKILL, to every process whose root is inside the chroot.
    void stop();

    MtaKind kind() const { return m_kind; }
    int port() const { return m_port; }
    const std::string& domain() const { return m_domain; } // "mta.sendmail.test"
    std::string log_path() const;                          // on the host
    std::string log_text() const;
    std::string mailbox_path(const std::string& user) const; // mbox on the host
    // Polls the log until needle occurs at least count times.
    bool wait_for_log(const std::string& needle, std::size_t count,
                      std::chrono::milliseconds timeout) const;

private:
    void configure();
    void configure_sendmail();
    void configure_exim();
    void configure_opensmtpd();
    std::string path(const std::string& inside) const { return m_root + inside; }
    std::vector<std::string> daemon_argv() const;

    MtaKind m_kind;
    std::string m_root;
    MtaOptions m_options;
    std::string m_domain;
    int m_port = 0;
    std::unique_ptr<SyslogCapture> m_syslog;
    pid_t m_pid = -1;
};

} // namespace smtpprobe::test

// See mta_chroot.hpp.
#include "tests/support/mta_chroot.hpp"

#include "tests/support/child_process.hpp"
#include "tests/support/smtp_dialogue.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace smtpprobe::test {

namespace fs = std::filesystem;

const char* mta_kind_name(MtaKind kind)
{
    switch (kind) {
    case MtaKind::sendmail:
        return "sendmail";
    case MtaKind::exim:
        return "exim";
    case MtaKind::opensmtpd:
        break;
    }
    return "opensmtpd";
}

std::optional<std::string> mta_chroot_dir(MtaKind kind, std::string* why)
{
    const char* cache = std::getenv("SMTPPROBE_MTA_CACHE");
    std::string dir = std::string(cache && *cache ? cache : "/var/cache/smtpprobe-test") + "/" +
                      mta_kind_name(kind);
    if (!is_root()) {
        if (why) {
            *why = "chroot needs root";
        }
        return std::nullopt;
    }
    if (!fs::exists(dir + "/.smtpprobe-ready")) {
        if (why) {
            *why = dir + " not built (run scripts/build-mta-chroots.sh)";
        }
        return std::nullopt;
    }
    return dir;
}

// ---- syslog capture ---------------------------------------------------------------------

SyslogCapture::SyslogCapture(std::vector<std::string> socket_paths, std::string out_path,
                             std::string hostname)
    : m_paths(std::move(socket_paths)), m_out_path(std::move(out_path)),
      m_hostname(std::move(hostname))
{
    for (const std::string& p : m_paths) {
        fs::create_directories(fs::path(p).parent_path());
        ::unlink(p.c_str());
        int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (p.size() >= sizeof addr.sun_path) {
            throw std::runtime_error("syslog socket path too long: " + p);
        }
        std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("cannot bind " + p + ": " + std::strerror(errno));
        }
        ::chmod(p.c_str(), 0666);
        m_fds.push_back(fd);
    }
    m_thread = std::thread([this] { run(); });
}

SyslogCapture::~SyslogCapture()
{
    m_stopping = true;
    m_thread.join();
    for (int fd : m_fds) {
        ::close(fd);
    }
    for (const std::string& p : m_paths) {
        ::unlink(p.c_str());
    }
}

void SyslogCapture::run()
{
    std::ofstream out(m_out_path, std::ios::app);
    std::vector<pollfd> polls;
    for (int fd : m_fds) {
        polls.push_back({fd, POLLIN, 0});
    }
    auto drain = [&] {
        for (pollfd& p : polls) {
            char buf[8192];
            for (;;) {
                ssize_t n = ::recv(p.fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n <= 0) {
                    break;
                }
                std::string text(buf, static_cast<std::size_t>(n));
                while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) {
                    text.pop_back();
                }
                // "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG" -> "Mmm dd hh:mm:ss HOST TAG[PID]: MSG"
                if (!text.empty() && text.front() == '<') {
                    std::size_t close = text.find('>');
                    text.erase(0, close == std::string::npos ? 0 : close + 1);
                }
                if (text.size() > 16 && text[15] == ' ') {
                    text = text.substr(0, 15) + " " + m_hostname + text.substr(15);
                }
                out << text << "\n";
            }
        }
        out.flush();
    };
    while (!m_stopping) {
        if (::poll(polls.data(), polls.size(), 100) > 0) {
            drain();
        }
    }
    drain();
}

// ---- the chroot ---------------------------------------------------------------------------

namespace {

void write_text(const std::string& path, const std::string& text)
{
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

void clear_dir(const std::string& dir)
{
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        fs::remove_all(it->path(), ec);
    }
}

std::string replace(std::string text, const std::string& from, const std::string& to)
{
    std::size_t at = text.find(from);
    if (at == std::string::npos) {
        throw std::runtime_error("configuration template lacks '" + from + "'");
    }
    return text.replace(at, from.size(), to);
}

RunResult in_chroot(const std::string& root, const std::string& command)
{
    RunOptions options;
    options.timeout = std::chrono::seconds(60);
    RunResult r = run({"chroot", root, "/bin/sh", "-c", command}, options);
    if (r.exit_code != 0) {
        throw std::runtime_error("in chroot " + root + ": " + command + ": " + r.err + r.out);
    }
    return r;
}

const char* const k_hosts = "127.0.0.1 localhost\n"
                            "127.0.0.5 eur.olc.protection.outlook.com\n"
                            "127.0.0.6 mta5.am0.yahoodns.net\n"
                            "127.0.0.7 mx.ok.test\n"
                            "127.0.0.3 mx.refused.test\n"
                            "127.0.0.4 mx.slow.test\n"
                            "127.0.0.8 mx.receipts.test\n"
                            "127.0.0.9 ok.test\n"
                            "127.0.0.10 outlook.test\n"
                            "127.0.0.11 yahoo.test\n"
                            "127.0.0.12 refused.test\n"
                            "127.0.0.13 slow.test\n"
                            "127.0.0.15 receipts.test\n";

// Relay domain -> next-hop host name (resolved through the chroot's /etc/hosts).
const std::pair<const char*, const char*> k_routes[] = {
    {"outlook.test", "eur.olc.protection.outlook.com"},
    {"yahoo.test", "mta5.am0.yahoodns.net"},
    {"ok.test", "mx.ok.test"},
    {"refused.test", "mx.refused.test"},
    {"slow.test", "mx.slow.test"},
    {"receipts.test", "mx.receipts.test"},
};

} // namespace

MtaChroot::MtaChroot(MtaKind kind, std::string root, MtaOptions options)
    : m_kind(kind), m_root(std::move(root)), m_options(options),
      m_domain(std::string("mta.") + mta_kind_name(kind) + ".test")
{
}

MtaChroot::~MtaChroot()
{
    stop();
}

std::string MtaChroot::log_path() const
{
    return m_kind == MtaKind::exim ? path("/var/log/exim4/mainlog")
                                   : path("/var/log/smtpprobe-maillog");
}

std::string MtaChroot::log_text() const
{
    return read_file(log_path());
}

std::string MtaChroot::mailbox_path(const std::string& user) const
{
    return path("/var/mail/" + user);
}

bool MtaChroot::wait_for_log(const std::string& needle, std::size_t count,
                             std::chrono::milliseconds timeout) const
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::string text = log_text();
        std::size_t found = 0;
        for (std::size_t at = text.find(needle); at != std::string::npos;
             at = text.find(needle, at + needle.size())) {
            ++found;
        }
        if (found >= count) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void MtaChroot::configure()
{
    write_text(path("/etc/hosts"), "127.0.0.1 " + m_domain + "\n" + k_hosts);
    write_text(path("/etc/mailname"), m_domain + "\n");
    if (read_file(path("/etc/passwd")).find("\nsender:") == std::string::npos) {
        in_chroot(m_root, "useradd -m sender");
    }
    clear_dir(path("/var/mail"));
    fs::remove(log_path());
    fs::remove(path("/var/log/smtpprobe-daemon.out"));
    switch (m_kind) {
    case MtaKind::sendmail:
        configure_sendmail();
        break;
    case MtaKind::exim:
        configure_exim();
        break;
    case MtaKind::opensmtpd:
        configure_opensmtpd();
        break;
    }
}

void MtaChroot::configure_sendmail()
{
    // Debian's own sendmail.mc, changed only where a test must: the port, no MSP daemon, a
    // fixed $j and no DNS (the chroot has no network; neither touches DSN or privacy flags).
    std::string mc = read_file(path("/etc/mail/sendmail.mc"));
    mc = replace(mc, "Port=smtp, Addr=127.0.0.1",
                 "Port=" + std::to_string(m_port) + ", Addr=127.0.0.1");
    mc = replace(mc, "DAEMON_OPTIONS(`Family=inet,  Name=MSP-v4,", "dnl DAEMON_OPTIONS(`MSP-v4,");
    std::string extra = "define(`confDOMAIN_NAME', `" + m_domain +
                        "')dnl\n"
                        "define(`confSERVICE_SWITCH_FILE', `/etc/mail/service.switch-nodns')dnl\n";
    if (!m_options.debian_default) {
        extra += "define(`confTO_CONNECT', `5s')dnl\n"
                 "define(`confTO_ICONNECT', `5s')dnl\n"
                 "define(`confTO_INITIAL', `5s')dnl\n"
                 "define(`confTO_RCPT', `5s')dnl\n"
                 "define(`confTO_MAIL', `5s')dnl\n"
                 "define(`confTO_DATAINIT', `5s')dnl\n"
                 "define(`confTO_DATABLOCK', `5s')dnl\n"
                 "define(`confTO_DATAFINAL', `5s')dnl\n"
                 "define(`ESMTP_MAILER_ARGS', `TCP $h " +
                 std::to_string(m_options.relay_port) +
                 "')dnl\n"
                 "FEATURE(`mailertable', `hash -o /etc/mail/smtpprobe-mailertable')dnl\n";
    }
    mc = replace(mc, "FEATURE(`always_add_domain')dnl", extra + "FEATURE(`always_add_domain')dnl");
    if (m_options.dsn_remedy) {
        // The documented remedy: append ",noreceipts" to Debian's flag list.
        mc = replace(mc, "nobodyreturn,authwarnings')dnl",
                     "nobodyreturn,authwarnings,noreceipts')dnl");
    }
    write_text(path("/etc/mail/smtpprobe-test.mc"), mc);
    std::string table;
    for (const auto& [domain, host] : k_routes) {
        table += std::string(domain) + " esmtp:[" + host + "]\n";
    }
    write_text(path("/etc/mail/smtpprobe-mailertable"), table);
    in_chroot(m_root, "cd /etc/mail && m4 smtpprobe-test.mc > smtpprobe-test.cf && "
                      "makemap hash smtpprobe-mailertable < smtpprobe-mailertable");
    clear_dir(path("/var/spool/mqueue"));
    clear_dir(path("/var/spool/mqueue-client"));
    m_syslog = std::make_unique<SyslogCapture>(std::vector<std::string>{path("/dev/log")},
                                               log_path(), "mta-sendmail");
}

void MtaChroot::configure_exim()
{
    fs::remove(path("/etc/exim4/exim4.conf"));
    if (!m_options.debian_default) {
        std::string routes;
        for (const auto& [domain, host] : k_routes) {
            routes += std::string(routes.empty() ? "" : " ; ") + domain + " " + host + " byname";
        }
        std::string dsn = m_options.dsn_after_starttls_only
                              ? "dsn_advertise_hosts = ${if def:tls_in_cipher {*}{}}\n"
                          : m_options.dsn_remedy ? ""
                                                 : "dsn_advertise_hosts = *\n";
        write_text(path("/etc/exim4/exim4.conf"),
                   "primary_hostname = " + m_domain + "\ndomainlist local_domains = " + m_domain +
                       "\nqualify_domain = " + m_domain +
                       "\ndaemon_smtp_ports = " + std::to_string(m_port) +
                       "\nlocal_interfaces = 127.0.0.1\nacl_smtp_rcpt = acl_check_rcpt\n" + dsn +
                       "log_file_path = /var/log/exim4/%slog\nhost_lookup =\nrfc1413_hosts =\n"
                       "never_users = root\nkeep_environment =\n"
                       "begin acl\nacl_check_rcpt:\n  accept\n"
                       "begin routers\nmanual:\n  driver = manualroute\n  domains = ! "
                       "+local_domains\n  transport = remote_smtp\n  route_list = " +
                       routes +
                       "\n  host_find_failed = defer\nlocal_user:\n  driver = accept\n  domains = "
                       "+local_domains\n  check_local_user\n  transport = local_delivery\n"
                       "begin transports\nremote_smtp:\n  driver = smtp\n  port = " +
                       std::to_string(m_options.relay_port) +
                       "\n  connect_timeout = 5s\n  command_timeout = 5s\n  hosts_avoid_tls = *\n"
                       "local_delivery:\n  driver = appendfile\n  file = "
                       "/var/mail/${local_part_data}\n  delivery_date_add\n  envelope_to_add\n"
                       "  return_path_add\n  group = mail\n  mode = 0660\n"
                       "begin retry\n* * F,10m,4s\n");
    }
    for (const char* dir : {"/var/spool/exim4/input", "/var/spool/exim4/msglog",
                            "/var/spool/exim4/db", "/var/log/exim4"}) {
        clear_dir(path(dir));
    }
}

void MtaChroot::configure_opensmtpd()
{
    std::string listen = "listen on 127.0.0.1 port " + std::to_string(m_port) +
                         (m_options.dsn_remedy ? " no-dsn" : "");
    std::string conf;
    if (m_options.debian_default) {
        conf = replace(read_file(path("/etc/smtpd.conf")), "listen on localhost", listen);
    } else {
        conf = "table aliases file:/etc/aliases\n" + listen + " hostname " + m_domain +
               "\naction \"local\" mbox alias <aliases>\n"
               "match from any for domain \"" +
               m_domain + "\" action \"local\"\n";
        for (const auto& [domain, host] : k_routes) {
            conf += std::string("action \"") + domain + "\" relay host smtp://" + host + ":" +
                    std::to_string(m_options.relay_port) + "\nmatch from any for domain \"" +
                    domain + "\" action \"" + domain + "\"\n";
        }
    }
    write_text(path("/etc/smtpd-smtpprobe.conf"), conf);
    // smtpd refuses a spool that is not root's 0711 ("must be rwx--x--x") and makes the rest
    // itself: set it as the package does, whatever an earlier run or a re-created folder left.
    {
        std::error_code ec;
        fs::create_directories(path("/var/spool/smtpd"), ec);
        fs::permissions(path("/var/spool/smtpd"),
                        fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::replace, ec);
    }
    for (const char* dir :
         {"/var/spool/smtpd/queue", "/var/spool/smtpd/incoming", "/var/spool/smtpd/purge",
          "/var/spool/smtpd/corrupt", "/var/spool/smtpd/temporary", "/var/spool/smtpd/offline"}) {
        clear_dir(path(dir));
    }
    // smtpd's privilege-separated processes log from their own chroots.
    m_syslog = std::make_unique<SyslogCapture>(
        std::vector<std::string>{path("/dev/log"), path("/var/lib/opensmtpd/empty/dev/log"),
                                 path("/var/spool/smtpd/dev/log")},
        log_path(), "mta-opensmtpd");
}

std::vector<std::string> MtaChroot::daemon_argv() const
{
    switch (m_kind) {
    case MtaKind::sendmail:
        return {"chroot", m_root, "/usr/sbin/sendmail", "-bD", "-C", "/etc/mail/smtpprobe-test.cf",
                "-q2s"};
    case MtaKind::exim:
        return {"chroot", m_root, "/usr/sbin/exim4", "-bdf", "-q2s", "-oX", std::to_string(m_port)};
    case MtaKind::opensmtpd:
        break;
    }
    return {"chroot", m_root, "/usr/sbin/smtpd", "-F", "-f", "/etc/smtpd-smtpprobe.conf"};
}

void MtaChroot::start()
{
    stop();
    m_port = free_tcp_port();
    configure();
    std::string out = path("/var/log/smtpprobe-daemon.out");
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        std::vector<std::string> argv = daemon_argv();
        std::vector<char*> args;
        for (std::string& a : argv) {
            args.push_back(a.data());
        }
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    m_pid = pid;
    std::string why;
    if (wait_for_tcp("127.0.0.1", m_port, std::chrono::seconds(30))) {
        try {
            SmtpDialogue probe(m_port, std::chrono::seconds(15));
            if (probe.banner().code == 220) {
                probe.command("QUIT");
                return;
            }
            why = "banner " + probe.banner().text;
        } catch (const std::exception& e) {
            why = e.what();
        }
    } else {
        why = "port " + std::to_string(m_port) + " never answered";
    }
    std::string log = log_text();
    stop();
    throw std::runtime_error(std::string(mta_kind_name(m_kind)) + " did not start: " + why + "\n" +
                             read_file(out) + "\n" +
                             log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
}

void MtaChroot::stop()
{
    // Every process whose root lies inside the chroot is one this test started (the daemon
    // and what it forked, some of them chrooted further).
    auto ours = [&] {
        std::vector<pid_t> pids;
        std::error_code ec;
        for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
            std::string name = it->path().filename().string();
            if (name.find_first_not_of("0123456789") != std::string::npos) {
                continue;
            }
            std::error_code link_ec;
            std::string root = fs::read_symlink(it->path() / "root", link_ec).string();
            if (!link_ec && (root == m_root || root.rfind(m_root + "/", 0) == 0)) {
                pids.push_back(static_cast<pid_t>(std::stol(name)));
            }
        }
        return pids;
    };
    for (int round = 0; round < 30; ++round) {
        std::vector<pid_t> pids = ours();
        if (pids.empty()) {
            break;
        }
        for (pid_t pid : pids) {
            ::kill(pid, round < 15 ? SIGTERM : SIGKILL);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (m_pid > 0) {
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
    }
    m_syslog.reset();
}

} // namespace smtpprobe::test

// See postfix_instance.hpp. Configuration writing and the instance's runtime operations;
// starting/stopping the master process lives in postfix_master.cpp.
#include "tests/support/postfix_instance.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace smtpprobe::test {

namespace fs = std::filesystem;

namespace {

struct PostfixIds {
    uid_t uid;
    gid_t gid;
};

PostfixIds postfix_ids()
{
    const passwd* user = getpwnam("postfix");
    if (user == nullptr) {
        throw std::runtime_error("postfix_instance: no 'postfix' user (is postfix installed?)");
    }
    return {user->pw_uid, user->pw_gid};
}

void check_run(const std::vector<std::string>& argv, const RunResult& result)
{
    if (result.exit_code != 0) {
        std::string command;
        for (const std::string& arg : argv) {
            command += arg + " ";
        }
        throw std::runtime_error("postfix_instance: `" + command + "` failed (exit " +
                                 std::to_string(result.exit_code) + "): " + result.err +
                                 result.out);
    }
}

RunResult run_checked(const std::vector<std::string>& argv, const RunOptions& options = {})
{
    RunResult result = run(argv, options);
    check_run(argv, result);
    return result;
}

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Postfix programs wait (300 ms at a time) while main.cf is younger than a couple of seconds,
// in case an editor is still writing it. Our writes are complete: date them a minute back.
void backdate(const std::string& path)
{
    timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= 60;
    times[1] = times[0];
    utimensat(AT_FDCWD, path.c_str(), times, 0);
}

} // namespace

PostfixInstance::PostfixInstance(PostfixConfig config) : m_config(std::move(config))
{
    remove_stale_postfix_dirs();
    char pattern[] = "/tmp/smtpprobe-postfix-XXXXXX";
    const char* made = mkdtemp(pattern);
    if (made == nullptr) {
        throw std::runtime_error("postfix_instance: mkdtemp failed");
    }
    m_root = made;
    // Postfix wants root-owned, not group/world-writable parents of its queue.
    chmod(m_root.c_str(), 0755);
    write_file(m_root + "/owner", std::to_string(getpid()) + "\n");
    m_config_dir = m_root + "/conf";
    m_queue_dir = m_root + "/queue";
    m_data_dir = m_root + "/data";
    m_mail_dir = m_root + "/mail";
    m_log_path = m_root + "/maillog";
    for (const std::string& dir : {m_config_dir, m_queue_dir, m_data_dir, m_mail_dir}) {
        fs::create_directories(dir);
        chmod(dir.c_str(), 0755);
    }
    const PostfixIds ids = postfix_ids();
    for (const std::string& dir : {m_data_dir, m_mail_dir}) {
        if (chown(dir.c_str(), ids.uid, ids.gid) != 0) {
            throw std::runtime_error("postfix_instance: chown " + dir + " failed (not root?)");
        }
    }
    const std::string unique = lowercase(m_root.substr(m_root.rfind('-') + 1));
    if (m_config.domain.empty()) {
        m_config.domain = "d-" + unique + ".test";
    }
    if (m_config.hostname.empty()) {
        m_config.hostname = "mx." + m_config.domain;
    }
}

PostfixInstance::~PostfixInstance()
{
    stop();
    std::error_code ec;
    fs::remove_all(m_root, ec);
    if (ec) {
        // A killed daemon may still have been creating a file: one more try.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        fs::remove_all(m_root, ec);
    }
}

std::string PostfixInstance::map_path(AccessMap map) const
{
    switch (map) {
    case AccessMap::client:
        return m_config_dir + "/client_access";
    case AccessMap::helo:
        return m_config_dir + "/helo_access";
    case AccessMap::sender:
        return m_config_dir + "/sender_access";
    case AccessMap::recipient:
        return m_config_dir + "/recipient_access";
    }
    return {};
}

void PostfixInstance::write_main_cf()
{
    const PostfixIds ids = postfix_ids();
    std::string cf = "# One smtpprobe test instance (tests/support/postfix_instance.cpp).\n";
    auto set = [&cf](const std::string& name, const std::string& value) {
        cf += name + " = " + value + "\n";
    };
    set("compatibility_level", "3.6");
    set("queue_directory", m_queue_dir);
    set("data_directory", m_data_dir);
    set("mail_owner", "postfix");
    set("setgid_group", "postdrop");
    set("myhostname", m_config.hostname);
    set("mydomain", m_config.domain);
    set("myorigin", "$myhostname");
    set("mydestination", "$myhostname, localhost");
    set("inet_interfaces", "127.0.0.1");
    set("inet_protocols", "ipv4");
    set("mynetworks", "127.0.0.0/8");
    set("maillog_file", m_log_path);
    set("maillog_file_prefixes", m_root);
    set("alias_maps", "");
    set("alias_database", "");
    set("biff", "no");
    set("append_dot_mydomain", "no");
    set("smtp_dns_support_level", "disabled");
    set("smtp_address_preference", "ipv4");
    // The instance's own domain goes to a Maildir the test can read.
    set("virtual_mailbox_domains", m_config.domain);
    set("virtual_mailbox_base", m_mail_dir);
    set("virtual_mailbox_maps", "static:inbox/");
    set("virtual_uid_maps", "static:" + std::to_string(ids.uid));
    set("virtual_gid_maps", "static:" + std::to_string(ids.gid));
    set("virtual_minimum_uid", std::to_string(std::min<uid_t>(ids.uid, 100)));
    set("smtpd_recipient_restrictions",
        "check_client_access hash:" + map_path(AccessMap::client) +
            ", check_helo_access hash:" + map_path(AccessMap::helo) +
            ", check_sender_access hash:" + map_path(AccessMap::sender) +
            ", check_recipient_access hash:" + map_path(AccessMap::recipient));
    // Retries soon, so tests that defer and flush do not wait minutes.
    set("queue_run_delay", "5s");
    set("minimal_backoff_time", "5s");
    set("maximal_backoff_time", "10s");
    if (!m_config.discard_ehlo_keywords.empty()) {
        set("smtpd_discard_ehlo_keywords", m_config.discard_ehlo_keywords);
    }
    if (m_config.relay_port > 0) {
        set("relayhost", "[127.0.0.1]:" + std::to_string(m_config.relay_port));
        set("smtp_connection_cache_on_demand", "no");
    }
    if (m_config.strip_reject_prefix) {
        const std::string filter = m_config_dir + "/reply_filter";
        write_file(filter, "/^([245][0-9][0-9][ -][245]\\.[0-9]{1,3}\\.[0-9]{1,3} )<[^>]*>: "
                           "[A-Za-z ]+ rejected: (.*)$/ $1$2\n");
        set("smtp_reply_filter", "regexp:" + filter);
    }
    if (m_config.tls) {
        set("smtpd_tls_cert_file", m_config.tls->cert_path);
        set("smtpd_tls_key_file", m_config.tls->key_path);
        set("smtpd_tls_security_level", "may");
    }
    for (const std::string& line : m_config.main_cf) {
        cf += line + "\n";
    }
    write_file(m_config_dir + "/main.cf", cf);
    backdate(m_config_dir + "/main.cf");
}

void PostfixInstance::write_master_cf()
{
    // No chroot anywhere (column 5 = n): the instance lives outside any chroot jail.
    std::string cf = "# One smtpprobe test instance (tests/support/postfix_instance.cpp).\n";
    cf += "127.0.0.1:" + std::to_string(m_port) + " inet n - n - - smtpd\n";
    cf += R"(pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
)";
    for (const std::string& line : m_config.master_cf) {
        cf += line + "\n";
    }
    write_file(m_config_dir + "/master.cf", cf);
    backdate(m_config_dir + "/master.cf");
}

void PostfixInstance::write_access_maps()
{
    const std::pair<AccessMap, const std::string*> maps[] = {
        {AccessMap::client, &m_config.client_access},
        {AccessMap::helo, &m_config.helo_access},
        {AccessMap::sender, &m_config.sender_access},
        {AccessMap::recipient, &m_config.recipient_access},
    };
    for (const auto& [map, contents] : maps) {
        set_access_map(map, *contents);
    }
}

void PostfixInstance::set_access_map(AccessMap map, const std::string& contents)
{
    // Build the new map beside the old one and rename it into place: the old .db inode loses
    // its last link, which smtpd's dict_changed check notices before accepting the next
    // client (same-second rewrites in place would go unnoticed: it compares mtimes).
    const std::string path = map_path(map);
    const std::string next = path + ".next";
    write_file(next, contents.empty() || contents.back() == '\n' ? contents : contents + "\n");
    run_checked({"postmap", "-c", m_config_dir, "hash:" + next});
    fs::rename(next + ".db", path + ".db");
    fs::rename(next, path);
}

void PostfixInstance::set_main_cf(const std::vector<std::string>& settings)
{
    std::vector<std::string> argv{"postconf", "-c", m_config_dir, "-e"};
    argv.insert(argv.end(), settings.begin(), settings.end());
    run_checked(argv);
    backdate(m_config_dir + "/main.cf");
    reload();
}

std::string PostfixInstance::log_text() const
{
    return read_file(m_log_path);
}

bool PostfixInstance::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout) const
{
    return wait_for_log_count(needle, 1, timeout);
}

bool PostfixInstance::wait_for_log_count(std::string_view needle, std::size_t count,
                                         std::chrono::milliseconds timeout) const
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const std::string text = log_text();
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
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void PostfixInstance::send_mail(const std::string& from, const std::string& to,
                                const std::string& body, const std::string& subject)
{
    send_raw(from, {to},
             "From: <" + from + ">\nTo: <" + to + ">\nSubject: " + subject + "\n\n" + body +
                 (body.empty() || body.back() == '\n' ? "" : "\n"));
}

void PostfixInstance::send_raw(const std::string& from, const std::vector<std::string>& recipients,
                               const std::string& message)
{
    std::vector<std::string> argv{"/usr/sbin/sendmail", "-C", m_config_dir, "-i", "-f", from, "--"};
    argv.insert(argv.end(), recipients.begin(), recipients.end());
    RunOptions options;
    options.stdin_data = message;
    options.timeout = std::chrono::milliseconds(30'000);
    run_checked(argv, options);
}

void PostfixInstance::flush()
{
    run_checked({"postqueue", "-c", m_config_dir, "-f"});
}

std::string PostfixInstance::queue_listing()
{
    return run_checked({"postqueue", "-c", m_config_dir, "-p"}).out;
}

std::vector<std::string> PostfixInstance::delivered_messages() const
{
    std::vector<fs::path> files;
    for (const char* sub : {"/inbox/cur", "/inbox/new"}) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(m_mail_dir + sub, ec)) {
            if (entry.is_regular_file()) {
                files.push_back(entry.path());
            }
        }
    }
    // Maildir names start with the delivery time in seconds, then a unique part.
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    std::vector<std::string> messages;
    for (const fs::path& file : files) {
        messages.push_back(read_file(file.string()));
    }
    return messages;
}

} // namespace smtpprobe::test

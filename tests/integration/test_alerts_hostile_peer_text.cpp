// Issue 17: one hostile message must not silence the alarms, nor write control bytes to a
// terminal. `smtpprobe run` ingests, from a Maildir, a bounce whose Remote-MTA holds invalid
// UTF-8 and whose diagnostic carries a terminal reset (ESC c), BEL and C1/bidi characters;
// the next tick ingests a real Outlook.com S3140 block. Every alert channel (a webhook to a
// local HTTP receiver, a command hook, mail through a sendmail-compatible command) gets the
// real block, the runs never fail (exit 3), and `run` and `status` written to a pty carry no
// control byte and only valid UTF-8.
#include "tests/support/child_process.hpp"

#include <chrono>
#include <ctime>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <pty.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace smtpprobe::test;
using nlohmann::json;

namespace {

constexpr const char* k_ip = "192.0.2.10";

std::string rfc2822_now()
{
    std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &parts);
    return text;
}

std::string bounce(const std::string& id, const std::string& remote_mta,
                   const std::string& diagnostic)
{
    return "From: MAILER-DAEMON@relay.sender.test\r\nTo: postmaster@sender.test\r\n"
           "Date: " +
           rfc2822_now() + "\r\nMessage-ID: <" + id +
           "@relay.sender.test>\r\nSubject: Undelivered Mail Returned to Sender\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
           "report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\n"
           "Content-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n\r\n--b\r\n"
           "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.sender.test\r\n"
           "\r\nFinal-Recipient: rfc822; user@outlook.com\r\nAction: failed\r\nStatus: 5.7.1\r\n"
           "Remote-MTA: dns; " +
           remote_mta + "\r\nDiagnostic-Code: smtp; " + diagnostic + "\r\n\r\n--b--\r\n";
}

void deliver(const TempDir& dir, const std::string& name, const std::string& message)
{
    write_file(dir.file("Maildir/new/" + name), message);
}

std::vector<json> json_lines(const std::string& text)
{
    std::vector<json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            out.push_back(json::parse(line)); // throws (fails the test) on invalid JSON
        }
    }
    return out;
}

bool has_event(const std::vector<json>& events, const std::string& kind, const std::string& scope)
{
    for (const json& e : events) {
        if (e.value("event", "") == kind && e.value("scope", "") == scope) {
            return true;
        }
    }
    return false;
}

// Runs the binary under test on a pseudo-terminal (as a person or cron's mail would see it)
// and returns everything it wrote there.
std::string run_on_pty(const std::vector<std::string>& args, int* exit_code)
{
    int master = -1;
    pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::vector<char*> argv;
        std::string binary = SMTPPROBE_BINARY;
        argv.push_back(binary.data());
        std::vector<std::string> copy = args;
        for (std::string& a : copy) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        execv(binary.c_str(), argv.data());
        _exit(127);
    }
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{master, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) {
            if (waitpid(pid, nullptr, WNOHANG) == pid) {
                pid = -1;
                break;
            }
            continue;
        }
        char buffer[4096];
        ssize_t n = read(master, buffer, sizeof buffer);
        if (n <= 0) {
            break; // EIO: the child closed the terminal
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
    int status = 0;
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    close(master);
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

// The first byte that must not reach a terminal: C0 other than CR, LF and TAB, DEL, C1 (as
// UTF-8), or a byte that is not valid UTF-8. npos when there is none.
std::size_t first_unsafe_byte(const std::string& text)
{
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7F) {
                return i;
            }
            ++i;
            continue;
        }
        std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (length == 0 || i + length > text.size()) {
            return i;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
                return i;
            }
        }
        if (c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
            return i; // C1 control
        }
        i += length;
    }
    return std::string::npos;
}

} // namespace

TEST_CASE("a hostile bounce neither silences alerts nor reaches the terminal raw")
{
    TempDir dir;
    std::filesystem::create_directories(dir.file("Maildir/new"));
    std::filesystem::create_directories(dir.file("Maildir/cur"));
    std::filesystem::create_directories(dir.file("Maildir/tmp"));
    const int port = free_tcp_port();
    Daemon receiver({"python3", SMTPPROBE_SOURCE_DIR "/tests/support/webhook_receiver.py",
                     std::to_string(port), dir.file("webhook.jsonl")});
    REQUIRE(wait_for_tcp("127.0.0.1", port, std::chrono::seconds(10)));
    write_file(dir.file("fake-sendmail"), "#!/bin/sh\n# sendmail -t -i: the message on stdin\n"
                                          "cat >> '" +
                                              dir.file("mail.out") + "'\necho '----' >> '" +
                                              dir.file("mail.out") + "'\n");
    std::filesystem::permissions(dir.file("fake-sendmail"), std::filesystem::perms::owner_all);
    std::ostringstream config;
    config << "[[identity]]\nname = \"main\"\nip = \"" << k_ip << "\"\n"
           << "[probes]\ndefault_receivers = false\n[dnsbl]\ndefault_zones = false\n"
           << "[hygiene]\nenabled = false\n"
           << "[[bounce]]\npath = \"" << dir.file("Maildir") << "\"\n"
           << "[[alerts.webhook]]\nname = \"hook\"\nurl = \"http://127.0.0.1:" << port
           << "/alert\"\ntimeout = 5\n"
           << "[[alerts.command]]\nname = \"file\"\ncommand = \"cat >> "
           << dir.file("command.jsonl") << "\"\n"
           << "[[alerts.mail]]\nname = \"ops\"\nsendmail = \"" << dir.file("fake-sendmail")
           << " -t -i\"\nfrom = \"smtpprobe@sender.test\"\nto = [\"ops@sender.test\"]\n";
    write_file(dir.file("config.toml"), config.str());
    const std::vector<std::string> base = {"--config", dir.file("config.toml"), "--db",
                                           dir.file("history.db")};
    auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> all = base;
        all.insert(all.end(), more.begin(), more.end());
        return all;
    };

    // Tick 1: the hostile bounce. It names our IP, so whoever decides attribution may alert.
    deliver(dir, "1.hostile",
            bounce("hostile", "mx\xff\xfe.attacker.example",
                   std::string("550 5.7.1 \x1b"
                               "c\x07\x1b]0;owned\x07 \xc2\x9b"
                               "2J \xe2\x80\xae"
                               "detsil ") +
                       k_ip + " is blocked \x7f"));
    RunResult first = run_smtpprobe(with({"run"}));
    CAPTURE(first.out);
    CAPTURE(first.err);
    CHECK(first.exit_code != 3);
    CHECK(first.err.find("json.exception") == std::string::npos);

    // Tick 2: a real block. Every channel must carry it.
    deliver(dir, "2.s3140",
            bounce("s3140", "eur.olc.protection.outlook.com",
                   std::string("550 5.7.1 Unfortunately, messages from [") + k_ip +
                       "] weren't sent. Please contact your Internet service provider since part "
                       "of their network is on our block list (S3140). You can also refer your "
                       "provider to http://mail.live.com/mail/troubleshooting.aspx#errors."));
    RunResult second = run_smtpprobe(with({"run"}));
    CAPTURE(second.out);
    CAPTURE(second.err);
    CHECK(second.exit_code == 1); // something is blocked; no part failed
    receiver.stop();

    const auto webhook = json_lines(read_file(dir.file("webhook.jsonl")));
    const auto command = json_lines(read_file(dir.file("command.jsonl")));
    CHECK(has_event(webhook, "episode_opened", "microsoft-consumer/eur"));
    CHECK(has_event(command, "episode_opened", "microsoft-consumer/eur"));
    const std::string mail = read_file(dir.file("mail.out"));
    CHECK(mail.find("Subject: [smtpprobe] 192.0.2.10 blocked by microsoft-consumer/eur") !=
          std::string::npos);
    // The mail is text for people: nothing in it may act on a terminal or a mail reader.
    CHECK(first_unsafe_byte(mail) == std::string::npos);
    for (const std::string* channel : {&mail}) {
        CHECK(channel->find('\x1b') == std::string::npos);
    }
    // The JSON channels carry escapes, never the raw bytes.
    for (const std::string& file : {dir.file("webhook.jsonl"), dir.file("command.jsonl")}) {
        const std::string text = read_file(file);
        CHECK(first_unsafe_byte(text) == std::string::npos);
        CHECK(text.find("\xe2\x80\xae") == std::string::npos);
    }

    // What a person (or cron's mail, or the journal) sees.
    for (const std::vector<std::string>& args :
         {with({"run", "--now"}), with({"status"}), with({"run", "--json"}),
          with({"status", "--json"})}) {
        int code = -1;
        std::string shown = run_on_pty(args, &code);
        // status colours its own words on a terminal (red, green, yellow, bold, reset): those
        // escapes are ours; any other escape would be the peer's.
        for (const char* sgr : {"\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[1m", "\x1b[0m"}) {
            for (std::size_t at = shown.find(sgr); at != std::string::npos; at = shown.find(sgr)) {
                shown.erase(at, std::string(sgr).size());
            }
        }
        CAPTURE(args.back());
        CAPTURE(shown);
        CHECK(code != 3);
        CHECK(first_unsafe_byte(shown) == std::string::npos);
        CHECK(shown.find("\xe2\x80\xae") == std::string::npos);
    }
}

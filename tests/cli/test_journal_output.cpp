// How smtpprobe's stderr looks to journald: with JOURNAL_STREAM naming its stderr (as systemd
// sets it) a failure line carries the "<3>" error priority; otherwise, or when JOURNAL_STREAM
// names some other stream (a shell redirect inside the unit), it stays plain. Also: running
// as a service user with an unenterable HOME does not crash the config lookup.
#include "tests/support/child_process.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace smtpprobe::test;

namespace {

// Runs `smtpprobe --no-such-flag` with stderr to a file and JOURNAL_STREAM set to stream_of's
// device:inode, and returns what landed in the file.
std::string stderr_under_journal(const std::string& stream_of)
{
    TempDir dir;
    const std::string script = "f=" + dir.file("err") + "; : > \"$f\"; other=" + dir.file("other") +
                               "; : > \"$other\"; JOURNAL_STREAM=$(stat -c %d:%i " + stream_of +
                               ") \"$0\" --no-such-flag 2>\"$f\"; cat \"$f\"";
    return run({"sh", "-c", script, SMTPPROBE_BINARY}).out;
}

} // namespace

TEST_CASE("failure lines carry journald's error priority only when stderr is the journal")
{
    const std::string to_journal = stderr_under_journal("\"$f\"");
    CHECK(to_journal.rfind("<3>smtpprobe: ", 0) == 0);
    CHECK(to_journal.find("--no-such-flag") != std::string::npos);

    const std::string redirected = stderr_under_journal("\"$other\"");
    CHECK(redirected.rfind("smtpprobe: ", 0) == 0);

    const RunResult plain = run_smtpprobe({"--no-such-flag"});
    CHECK(plain.err.rfind("smtpprobe: ", 0) == 0);
    CHECK(plain.exit_code == 2);
}

TEST_CASE("a HOME the user may not enter is no user config, not a crash")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to switch to an unprivileged user");
    }
    // As nobody with HOME=/root (what `sudo -u smtpprobe` leaves): the default config lookup
    // must treat the unreadable ~/.config as absent and go on to the system path.
    RunOptions options;
    options.env["HOME"] = "/root";
    options.env["SMTPPROBE_CONFIG"] = "";
    const RunResult result = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                  SMTPPROBE_BINARY, "config", "check"},
                                 options);
    CHECK(result.err.find("terminate called") == std::string::npos);
    CHECK(result.err.find("Permission denied [/root") == std::string::npos);
    CHECK(result.exit_code >= 0);
}

TEST_CASE("a failed part of run is logged at error priority, so journalctl -p err shows it")
{
    // The SNDS part fails: its feed URL points at a port nothing listens on.
    TempDir dir;
    write_file(dir.file("snds.key"), "0123456789abcdef\n");
    ::chmod(dir.file("snds.key").c_str(), 0600);
    write_file(dir.file("config.toml"), "[probes]\ndefault_receivers = false\n"
                                        "[dnsbl]\ndefault_zones = false\n"
                                        "[snds]\nkey_file = \"" +
                                            dir.file("snds.key") + "\"\ntimeout = \"2s\"\n");
    const std::string url = "https://127.0.0.1:" + std::to_string(free_tcp_port());
    const std::string script = "f=" + dir.file("err") +
                               "; : > \"$f\"; JOURNAL_STREAM=$(stat -c %d:%i \"$f\") \"$0\" "
                               "--config " +
                               dir.file("config.toml") + " --db " + dir.file("history.db") +
                               " run --snds-url " + url + " 2>\"$f\"; echo \"exit=$?\"; cat \"$f\"";
    const RunResult r = run({"sh", "-c", script, SMTPPROBE_BINARY});
    CAPTURE(r.out);
    CHECK(r.out.find("exit=3") != std::string::npos);
    CHECK(r.out.find("<3>error: run: part snds failed: ") != std::string::npos);
    // The key never reaches the log.
    CHECK(r.out.find("0123456789abcdef") == std::string::npos);
}

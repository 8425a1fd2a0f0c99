// `smtpprobe probe` without TARGET probes the configuration's receivers (DESIGN.md CLI contract).
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace smtpprobe::test;

TEST_CASE("probe without TARGET uses the config's receivers and none configured is a usage error")
{
    TempDir dir;
    int closed_port = free_tcp_port(); // nothing listens: the probe must name it and give up
    write_file(dir.file("config.toml"),
               "[probes]\ndefault_receivers = false\n\n[[receiver]]\nname = \"local\"\n"
               "mx = \"127.0.0.1:" +
                   std::to_string(closed_port) + "\"\nrecipient = \"postmaster@example.test\"\n");
    auto r = run_smtpprobe({"--config", dir.file("config.toml"), "--db", dir.file("h.db"), "--json",
                            "probe", "--no-store", "--timeout", "all=3"});
    CAPTURE(r.out);
    CAPTURE(r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.out.find("127.0.0.1:" + std::to_string(closed_port)) != std::string::npos);

    write_file(dir.file("empty.toml"), "[probes]\ndefault_receivers = false\n");
    auto none = run_smtpprobe(
        {"--config", dir.file("empty.toml"), "--db", dir.file("h.db"), "probe", "--no-store"});
    CHECK(none.exit_code == 2);
    CHECK(none.err.find("no TARGET") != std::string::npos);
}

// The deploy/ tests' history (see fleet_history.hpp).
#include "tests/support/fleet_history.hpp"

#include <doctest/doctest.h>
#include <sstream>

namespace smtpprobe::test {

namespace {

std::string node_config(const ServedDashboard& served, const std::string& node,
                        int interval_seconds, bool failing)
{
    std::ostringstream c;
    c << "[[identity]]\nname = \"main\"\nip = \"" << k_fleet_ip << "\"\n"
      << "helo = \"mail.example.org\"\nmail_from = \"postmaster@example.org\"\n"
      << "[probes]\ndefault_receivers = false\n[dnsbl]\ndefault_zones = false\n"
      << "[hygiene]\nenabled = false\n"
      << "[run]\nnode = \"" << node << "\"\ninterval = " << interval_seconds << "\n";
    if (failing) {
        c << "[[log]]\npath = \"" << served.dir().file("missing/mail.log") << "\"\n";
    }
    const std::string path = served.dir().file("node-" + node + ".toml");
    write_file(path, c.str());
    return path;
}

// Runs smtpprobe on served's database; expected_exit 1 (a finding) also accepts 0 for ingests
// whose findings depend on the data (a receipt, a spoofed report), never 2 or 3.
void cli(const ServedDashboard& served, const std::string& config, std::vector<std::string> args,
         int expected_exit)
{
    std::vector<std::string> full{"--config", config, "--db", served.db_path()};
    full.insert(full.end(), args.begin(), args.end());
    const RunResult r = run_smtpprobe(full);
    CAPTURE(args.front());
    const bool ok = r.exit_code == expected_exit || (expected_exit == 1 && r.exit_code == 0);
    REQUIRE_MESSAGE(ok, std::string(r.out + r.err));
}

} // namespace

config::Config fleet_config()
{
    config::Config config;
    config.identities.push_back({"main", k_fleet_ip, "mail.example.org", "postmaster@example.org"});
    return config;
}

void run_node(const ServedDashboard& served, const std::string& node, int interval_seconds,
              bool failing)
{
    const std::string config = node_config(served, node, interval_seconds, failing);
    cli(served, config, {"-q", "run", "--now"}, failing ? 3 : 0);
}

void fill_fleet_history(const ServedDashboard& served)
{
    run_node(served, "mx1", 900, false);
    run_node(served, "mx2", 300, true);
    const std::string config = served.dir().file("node-mx1.toml");
    const std::string reports = std::string(SMTPPROBE_SOURCE_DIR) + "/tests/data/reports/";
    cli(served, config,
        {"-q", "ingest", "log", std::string(SMTPPROBE_CORPUS_DIR) + "/maillog/seed-sendmail.log"},
        1);
    cli(served, config,
        {"-q", "ingest", "snds", reports + "snds/data-red.csv",
         reports + "snds/ip-status-blocked.csv"},
        1);
    cli(served, config,
        {"-q", "ingest", "dmarc",
         reports + "dmarc/protection.outlook.com!example.com!1711756800!1711843200.xml"},
        1);
}

} // namespace smtpprobe::test

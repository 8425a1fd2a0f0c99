// See postfix_instance.hpp. Postfix's test tools (smtp-sink, smtp-source) on loopback, and a
// self-signed certificate for STARTTLS tests.
#include "tests/support/postfix_instance.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace smtpprobe::test {

TlsFiles make_self_signed_cert(const std::string& dir, const std::string& common_name)
{
    TlsFiles files{dir + "/" + common_name + ".crt", dir + "/" + common_name + ".key"};
    RunResult result =
        run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", "/CN=" + common_name, "-addext",
             "subjectAltName=DNS:" + common_name + ",IP:127.0.0.1", "-keyout", files.key_path,
             "-out", files.cert_path});
    if (result.exit_code != 0) {
        throw std::runtime_error("make_self_signed_cert: openssl failed: " + result.err);
    }
    return files;
}

SmtpSink::SmtpSink(std::vector<std::string> extra_options, int backlog)
{
    const std::string log = m_dir.file("sink.out");
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = free_tcp_port();
        std::vector<std::string> argv{"smtp-sink", "-c"};
        // As root smtp-sink insists on a user to drop privileges to.
        if (is_root() &&
            std::find(extra_options.begin(), extra_options.end(), "-u") == extra_options.end()) {
            argv.insert(argv.end(), {"-u", "postfix"});
        }
        argv.insert(argv.end(), extra_options.begin(), extra_options.end());
        argv.push_back("127.0.0.1:" + std::to_string(m_port));
        argv.push_back(std::to_string(backlog));
        m_daemon = std::make_unique<Daemon>(argv, log);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline && m_daemon->running()) {
            if (wait_for_tcp("127.0.0.1", m_port, std::chrono::milliseconds(100))) {
                return;
            }
        }
        if (m_daemon->running()) {
            break; // running but not listening: not a port race
        }
        // Exited: most likely the port was taken between free_tcp_port() and bind; retry.
    }
    m_daemon.reset();
    throw std::runtime_error("SmtpSink: smtp-sink did not start: " + read_file(log));
}

RunResult run_smtp_source(int port, const SmtpSourceOptions& options)
{
    std::vector<std::string> argv{"smtp-source",
                                  "-s",
                                  std::to_string(options.sessions),
                                  "-m",
                                  std::to_string(options.messages),
                                  "-r",
                                  std::to_string(options.recipients),
                                  "-f",
                                  options.from,
                                  "-t",
                                  options.to};
    if (options.message_size > 0) {
        argv.push_back("-l");
        argv.push_back(std::to_string(options.message_size));
    }
    argv.insert(argv.end(), options.extra_options.begin(), options.extra_options.end());
    argv.push_back("127.0.0.1:" + std::to_string(port));
    RunOptions run_options;
    run_options.timeout = options.timeout;
    return run(argv, run_options);
}

} // namespace smtpprobe::test

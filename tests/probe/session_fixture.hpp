// Runs one probe session synchronously for tests: a fresh io_context, short deadlines.
#pragma once

#include "probe/session.hpp"
#include "probe/tls_facts.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <string>

namespace smtpprobe::test {

// Deadlines of a second or two: every test ends fast whatever the peer does.
inline probe::Limits short_limits()
{
    probe::Limits limits;
    std::string error;
    limits.set("all=2", &error);
    limits.set("session=6", &error);
    return limits;
}

inline probe::SessionOptions session_options(const std::string& script_name)
{
    probe::SessionOptions o;
    o.script = *probe::builtin_script(script_name);
    o.values = {"probe@test.example", "user@test.example", "probe.test.example", "envid.1"};
    o.tls = probe::TlsMode::off;
    o.limits = short_limits();
    return o;
}

inline probe::ProbeResult run_route(const std::string& target_text, dns::MailRoute route,
                                    const probe::SessionOptions& options)
{
    boost::asio::io_context io;
    std::string error;
    auto target = probe::parse_target(target_text, 25, &error);
    auto future = boost::asio::co_spawn(io, probe::run_session(*target, std::move(route), options),
                                        boost::asio::use_future);
    io.run();
    return future.get();
}

// Runs options' script against an IP:PORT target.
inline probe::ProbeResult run_probe(const std::string& target_text,
                                    const probe::SessionOptions& options)
{
    boost::asio::io_context io;
    std::string error;
    auto target = probe::parse_target(target_text, 25, &error);
    auto future = boost::asio::co_spawn(io, probe::probe_target(*target, nullptr, options),
                                        boost::asio::use_future);
    io.run();
    return future.get();
}

} // namespace smtpprobe::test

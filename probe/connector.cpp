// connect_route: hosts in order, addresses in order, banner read under its deadline.
#include "probe/connector.hpp"

#include "probe/address_text.hpp"

#include <boost/asio/this_coro.hpp>

namespace smtpprobe::probe {

namespace asio = boost::asio;

void record_failure(ProbeResult& result, const ChatResult& chat)
{
    switch (chat.kind) {
    case ChatResult::Kind::timeout:
        result.outcome = Outcome::timeout;
        break;
    case ChatResult::Kind::cancelled:
        result.outcome = Outcome::cancelled;
        break;
    case ChatResult::Kind::protocol_error:
    case ChatResult::Kind::io_error:
        result.outcome = Outcome::protocol_error;
        break;
    case ChatResult::Kind::reply:
        break;
    }
    result.stage = chat.stage;
    result.error = chat.error;
}

namespace {

bool family_allowed(const asio::ip::address& a, dns::IpFamily family)
{
    return family == dns::IpFamily::any || (family == dns::IpFamily::v4 && a.is_v4()) ||
           (family == dns::IpFamily::v6 && a.is_v6());
}

} // namespace

asio::awaitable<std::unique_ptr<SmtpChannel>>
connect_route(const dns::MailRoute& route, std::uint16_t port, const SessionOptions& options,
              ProbeResult& result, SmtpChannel::Clock::time_point start,
              SmtpChannel::Clock::time_point end)
{
    auto executor = co_await asio::this_coro::executor;
    bool tried = false;
    for (const auto& host : route.hosts) {
        for (const auto& address : host.addresses) {
            if (!family_allowed(address, options.family)) {
                continue;
            }
            if (options.source && options.source->is_v4() != address.is_v4()) {
                continue;
            }
            tried = true;
            std::string ip = address_text(address);
            Attempt attempt{host.name, ip, port, {}};
            auto channel = std::make_unique<SmtpChannel>(executor, options.limits, start, end,
                                                         result.transcript, options.cancel);
            ChatResult c =
                co_await channel->connect(asio::ip::tcp::endpoint(address, port), options.source);
            if (!c.is_reply()) {
                attempt.result = c.error;
                result.attempts.push_back(attempt);
                result.outcome = c.kind == ChatResult::Kind::timeout ? Outcome::timeout
                                                                     : Outcome::connect_failed;
                if (c.kind == ChatResult::Kind::cancelled) {
                    result.outcome = Outcome::cancelled;
                    result.stage = Stage::connect;
                    result.error = c.error;
                    co_return nullptr;
                }
                result.stage = c.stage;
                result.error = host.name + " [" + ip + "]:" + std::to_string(port) + ": " + c.error;
                continue;
            }
            result.mx_host = host.name;
            result.ip = std::move(ip);
            result.port = port;
            result.source_ip = channel->local_address();
            ChatResult banner = co_await channel->read_reply(Stage::banner);
            StepRecord step;
            step.stage = Stage::banner;
            step.label = "banner";
            step.ms = channel->elapsed_ms();
            if (!banner.is_reply()) {
                step.error = banner.error;
                result.steps.push_back(step);
                attempt.result = "banner: " + banner.error;
                result.attempts.push_back(attempt);
                record_failure(result, banner);
                if (banner.kind == ChatResult::Kind::cancelled) {
                    co_return nullptr;
                }
                continue;
            }
            step.reply = banner.reply;
            result.steps.push_back(step);
            result.banner = banner.reply;
            if (banner.reply.code >= 400) {
                // A refusing banner: say goodbye politely, try the next host.
                attempt.result = "banner " + std::to_string(banner.reply.code);
                result.attempts.push_back(attempt);
                result.outcome = banner.reply.code >= 500 ? Outcome::rejected : Outcome::deferred;
                result.stage = Stage::banner;
                result.decisive = banner.reply;
                result.error.clear();
                co_await channel->command(Stage::quit, "QUIT");
                continue;
            }
            attempt.result = "connected";
            result.attempts.push_back(attempt);
            result.decisive.reset();
            result.error.clear();
            co_return channel;
        }
    }
    if (!tried) {
        result.outcome = Outcome::connect_failed;
        result.stage = Stage::connect;
        result.error = "no address of the route matches the requested family/source";
    }
    co_return nullptr;
}

} // namespace smtpprobe::probe

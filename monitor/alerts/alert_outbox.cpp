// The alert outbox: once-per-change events and their deliveries (see alert_outbox.hpp).
#include "monitor/alerts/alert_outbox.hpp"

#include "monitor/alerts/alert_events.hpp"
#include "monitor/alerts/command_runner.hpp"
#include "monitor/alerts/webhook_client.hpp"
#include "monitor/store/alert_rows.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

namespace smtpprobe::alerts {

namespace {

using nlohmann::json;

std::vector<std::string> channel_names(const config::Config& config)
{
    std::vector<std::string> names;
    for (const auto& hook : config.alerts.webhooks) {
        names.push_back("webhook:" + hook.name);
    }
    for (const auto& hook : config.alerts.commands) {
        names.push_back("command:" + hook.name);
    }
    for (const auto& mail : config.alerts.mails) {
        names.push_back("mail:" + mail.name);
    }
    return names;
}

// The whole message for sendmail -t: headers of ours only (From and To are validated config),
// the subject and text through the terminal sink (summary() escapes each peer field), the
// event through the JSON sink; no CR/LF reaches a header.
std::string mail_message(const config::MailAlert& mail, const json& payload)
{
    std::string from = mail.from;
    if (from.empty()) {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        from = std::string("smtpprobe@") + host;
    }
    std::string to;
    for (const std::string& address : mail.to) {
        to += (to.empty() ? "" : ", ") + address;
    }
    const std::string line = summary(payload);
    std::string text = line + "\n";
    if (payload.contains("action") && payload["action"].is_string() &&
        !payload["action"].get<std::string>().empty()) {
        text += "\nWhat to do: " + printable(payload["action"].get<std::string>(), 2000) + "\n";
    }
    text += "\nEvent:\n" + json_text(payload, 2) + "\n";
    return "From: " + from + "\nTo: " + to + "\nSubject: [smtpprobe] " + line +
           "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\nAuto-Submitted: auto-generated\n\n" +
           text;
}

struct Attempt {
    bool ok = false;
    bool retryable = true;
    std::string error;
};

Attempt send_one(const config::Config& config, const std::string& channel, const std::string& body)
{
    std::string kind = channel.substr(0, channel.find(':'));
    std::string name = channel.substr(channel.find(':') + 1);
    if (kind == "webhook") {
        for (const auto& hook : config.alerts.webhooks) {
            if (hook.name != name) {
                continue;
            }
            WebhookResult r;
            auto pause = std::chrono::milliseconds(500);
            for (int attempt = 0; attempt < 3; ++attempt) {
                r = post_json(hook, body);
                if (r.ok || !r.retryable) {
                    break;
                }
                if (attempt < 2) {
                    std::this_thread::sleep_for(pause);
                    pause *= 2;
                }
            }
            return {r.ok, r.retryable, r.error};
        }
    } else if (kind == "command") {
        for (const auto& hook : config.alerts.commands) {
            if (hook.name == name) {
                CommandResult r = run_command(hook.command, body + "\n", hook.timeout);
                return {r.exit_code == 0, true, r.error};
            }
        }
    } else if (kind == "mail") {
        for (const auto& mail : config.alerts.mails) {
            if (mail.name == name) {
                CommandResult r = run_command(mail.sendmail, mail_message(mail, json::parse(body)),
                                              std::chrono::seconds(60));
                return {r.exit_code == 0, true, r.error};
            }
        }
    }
    return {false, false, "channel no longer configured"};
}

} // namespace

EnqueueResult enqueue_alerts(store::Database& db, const config::Config& config,
                             monitor::Clock::time_point now)
{
    std::vector<AlertEvent> events = current_events(db, config);
    std::vector<std::string> channels = channel_names(config);
    EnqueueResult result;
    store::Transaction tx(db);
    store::AlertEventWriter writer(db);
    std::string created = monitor::iso_utc(now);
    for (const AlertEvent& event : events) {
        // The JSON sink: peer bytes in the payload (a hostile bounce's Remote-MTA) are
        // escaped or replaced, never a reason to throw and lose every later alert.
        std::optional<std::int64_t> id =
            writer.add_event(event.key, event.kind, created, json_text(event.payload));
        if (!id) {
            continue; // known change: alerted (or deliberately not) before
        }
        auto when = monitor::parse_iso_utc(event.time);
        if (when && *when < now - k_alert_max_age) {
            ++result.stale_events;
            continue;
        }
        ++result.new_events;
        for (const std::string& channel : channels) {
            writer.add_delivery(*id, channel, created);
        }
    }
    tx.commit();
    return result;
}

DispatchResult dispatch_alerts(store::Database& db, const config::Config& config,
                               monitor::Clock::time_point now)
{
    const std::vector<store::DueDelivery> due =
        store::read_due_deliveries(db, monitor::iso_utc(now));
    DispatchResult result;
    for (const store::DueDelivery& d : due) {
        // Sending happens outside any transaction: a slow webhook must not hold the db lock.
        // Whatever one channel does, the others are still tried.
        Attempt a;
        try {
            a = send_one(config, d.channel, d.payload);
        } catch (const std::exception& e) {
            a = Attempt{false, true, printable(e.what(), 300)};
        }
        int attempts = d.attempts + 1;
        std::string state = "pending";
        std::string next = monitor::iso_utc(now);
        if (a.ok) {
            state = "sent";
            ++result.sent;
        } else {
            result.errors.push_back(d.channel + ": " + a.error);
            if (!a.retryable || attempts >= config.alerts.max_attempts) {
                state = "failed";
                ++result.failed;
            } else {
                auto wait = config.alerts.retry_base * (1LL << std::min(attempts - 1, 20));
                next = monitor::iso_utc(now + wait);
                ++result.retry_later;
            }
        }
        store::update_delivery(
            db, {d.event_id, d.channel, state, attempts, next,
                 a.ok ? std::optional<std::string>() : std::optional<std::string>(a.error),
                 a.ok ? std::optional<std::string>(monitor::iso_utc(monitor::now()))
                      : std::optional<std::string>()});
    }
    return result;
}

} // namespace smtpprobe::alerts

// Bounce recipient -> evidence observation (see bounce_evidence.hpp).
#include "monitor/ingest/bounce/bounce_evidence.hpp"

#include "monitor/classify/reply_facts.hpp"
#include "monitor/ingest/bounce/mime_reader.hpp"
#include "probe/text/utc_time.hpp"

#include <ctime>

namespace smtpprobe::ingest {

evidence::Observation bounce_observation(const BounceReport& report,
                                         const RecipientReport& recipient,
                                         const ClassifiedRecipient& classified,
                                         std::string& receiver_address, std::string& replying_host)
{
    evidence::Observation o;
    o.source = evidence::SourceKind::bounce;
    switch (report.kind) {
    case ReportKind::bounce:
    case ReportKind::delay:
        o.observed = evidence::Observed::attempt;
        break;
    case ReportKind::receipt:
        o.observed = evidence::Observed::receipt;
        break;
    case ReportKind::complaint:
    case ReportKind::autoreply:
        o.observed = evidence::Observed::notice;
        break;
    }
    o.classified = &classified.result;
    // The receiver: the report's Remote-MTA, else the server the diagnostic quotes
    // ("host NAME[IP] said:", "NAME [IP] did not like our ..."), else the reporting MTA.
    if (!recipient.remote_mta.empty()) {
        o.receiver_host = recipient.remote_mta;
    } else {
        replying_host = classify::find_host_name(recipient.diagnostic);
        o.receiver_host = !replying_host.empty() ? std::string_view(replying_host)
                                                 : std::string_view(report.reporting_mta);
    }
    o.reporting_host = report.reporting_mta;
    // The receiver's own address: a Remote-MTA given as an address literal, else the
    // "name[address]" the diagnostic names.
    std::string_view remote = recipient.remote_mta;
    if (remote.size() > 2 && remote.front() == '[' && remote.back() == ']') {
        remote = remote.substr(1, remote.size() - 2);
    }
    receiver_address = classify::find_named_ip("[" + std::string(remote) + "]", false);
    if (receiver_address.empty()) {
        receiver_address = classify::find_host_address(recipient.diagnostic);
    }
    o.receiver_ip = receiver_address;
    o.named_ip = classified.named_ip;
    return o;
}

namespace {

std::string recipient_time(const BounceReport& report, const RecipientReport& recipient,
                           std::int64_t delivered_at)
{
    for (const std::string* date : {&report.date, &report.arrival_date, &recipient.last_attempt}) {
        if (!date->empty()) {
            if (std::string iso = iso_utc_date(*date); !iso.empty()) {
                return iso;
            }
        }
    }
    if (delivered_at > 0) {
        return format_utc(delivered_at);
    }
    if (!report.original.date.empty()) {
        return iso_utc_date(report.original.date);
    }
    return {};
}

} // namespace

void recipient_evidence(const BounceReport& report, const RecipientReport& recipient,
                        const ClassifiedRecipient& classified, std::int64_t delivered_at,
                        const evidence::OurIps& ours, RecipientEvidence& out)
{
    out.time = recipient_time(report, recipient, delivered_at);
    const evidence::Observation observation =
        bounce_observation(report, recipient, classified, out.receiver_address, out.replying_host);
    evidence::decide(observation, ours, out.decision);
}

} // namespace smtpprobe::ingest

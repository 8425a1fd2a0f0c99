// Classification of bounce recipients (see bounce_classification.hpp).
#include "monitor/ingest/bounce/bounce_classification.hpp"

#include "monitor/ingest/bounce/bounce_decision.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"
#include "monitor/ingest/bounce/report_format.hpp"

namespace smtpprobe::ingest {

ClassifiedRecipient classify_recipient(const BounceReport& report, const RecipientReport& recipient,
                                       const classify::Classifier& classifier)
{
    ClassifiedRecipient out;
    out.status = recipient.status;
    out.reply_code = recipient.reply_code;
    const std::string& host =
        !recipient.remote_mta.empty() ? recipient.remote_mta : report.reporting_mta;
    classify::Input input;
    input.reply_code = recipient.reply_code;
    input.enhanced = recipient.status;
    input.text = recipient.diagnostic;
    input.remote_host = host;
    input.command = recipient.command;
    input.given_up = report.kind == ReportKind::bounce && recipient.action != "delayed";
    input.format = format_name(report.format);
    out.result = classifier.classify(input);
    if (out.result.scope.empty() || out.result.provider.empty() || out.result.provider == "other") {
        const classify::Receiver receiver = classify::receiver_for_host(host);
        if (out.result.scope.empty()) {
            out.result.scope = receiver.scope;
        }
        if (out.result.provider.empty() ||
            (out.result.provider == "other" && !receiver.provider.empty())) {
            out.result.provider = receiver.provider;
        }
    }
    const Decision decision = decide(report, recipient, out.result);
    out.result.reason = decision.reason;
    out.result.about = decision.about;
    out.status = decision.status;
    if (report.kind == ReportKind::complaint) {
        out.reply_code.reset();
    }
    out.named_ip =
        !out.result.named_ip.empty() ? out.result.named_ip : find_named_ip(recipient.diagnostic);
    if (out.named_ip.empty() && report.kind == ReportKind::complaint) {
        out.named_ip = report.source_ip;
    }
    return out;
}

} // namespace smtpprobe::ingest

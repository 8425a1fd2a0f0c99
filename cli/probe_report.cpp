// Human output of probe results.
#include "cli/probe_report.hpp"

#include "probe/printable.hpp"

#include <iomanip>

namespace smtpprobe::cli {

void print_transcript(std::ostream& out, const probe::ProbeResult& result)
{
    for (const auto& t : result.transcript) {
        const char* marker = t.dir == probe::TranscriptLine::Dir::sent       ? ">>>"
                             : t.dir == probe::TranscriptLine::Dir::received ? "<<<"
                                                                             : "***";
        out << std::setw(7) << t.ms << " ms " << marker << " " << printable(t.line, 1024) << "\n";
    }
}

void print_summary(std::ostream& out, const probe::ProbeResult& r, const store::ProbeAnnotations& a)
{
    out << printable(r.target, 256) << ": ";
    if (!r.ip.empty()) {
        out << printable(r.mx_host, 256) << " [" << r.ip << "]:" << r.port << " ";
    }
    out << probe::outcome_name(r.outcome) << " at " << probe::stage_name(r.stage);
    if (r.decisive) {
        out << ": " << r.decisive->code;
        if (!r.decisive->lines.empty()) {
            out << " " << printable(r.decisive->lines.front(), 300);
        }
    }
    if (!r.error.empty()) {
        out << " (" << printable(r.error, 300) << ")";
    }
    if (r.tls) {
        out << "; TLS " << r.tls->version
            << (r.tls->verified ? " verified" : " unverified: " + r.tls->verify_error);
    }
    if (!a.reason.empty() && r.decisive && r.decisive->code >= 400) {
        out << "; " << printable(a.reason, 60);
        if (!a.scope.empty()) {
            out << " (" << printable(a.scope, 200) << ")";
        }
        if (!a.provider_code.empty()) {
            out << " " << printable(a.provider_code, 60);
        }
    }
    out << "\n";
    if (r.attempts.size() > 1) {
        for (const auto& at : r.attempts) {
            out << "    tried " << printable(at.host, 256) << " [" << at.ip << "]:" << at.port
                << ": " << printable(at.result, 300) << "\n";
        }
    }
}

} // namespace smtpprobe::cli

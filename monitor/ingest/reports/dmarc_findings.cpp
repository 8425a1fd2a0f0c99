// The meaning of a DMARC report for our IPs and domain (see dmarc_findings.hpp).
#include "monitor/ingest/reports/dmarc_findings.hpp"

#include "monitor/store/dmarc_store.hpp"
#include "probe/text/utc_time.hpp"

#include <map>
#include <set>

namespace smtpprobe::ingest {

namespace {

bool accepted(const DmarcRecord& r)
{
    // RFC 7489: none | quarantine | reject; DMARCbis adds pass. Anything but reject got past
    // SMTP; an empty disposition (old drafts) says nothing against it either.
    return r.disposition != "reject";
}

bool passes(const std::string& result)
{
    return result == "pass";
}

std::string period(const DmarcReport& report)
{
    return format_utc(report.begin).substr(0, 10) + ".." + format_utc(report.end).substr(0, 10);
}

std::string reporter(const DmarcReport& report, const std::string& org)
{
    return report.org_name.empty() ? org : report.org_name;
}

// The fix for our IP's records whose aligned DKIM result is not pass.
std::string dkim_fix(const std::vector<const DmarcRecord*>& failing, const std::string& domain)
{
    std::set<std::string> other_domains;
    std::set<std::string> failing_selectors;
    bool any_signature = false;
    for (const DmarcRecord* r : failing) {
        for (const DmarcDkimResult& d : r->dkim_results) {
            any_signature = true;
            if (!under_domain(d.domain, domain) && !under_domain(domain, d.domain)) {
                other_domains.insert(d.domain);
            } else if (!passes(d.result)) {
                failing_selectors.insert(d.selector.empty() ? "(selector not reported)"
                                                            : d.selector);
            }
        }
    }
    if (!failing_selectors.empty()) {
        return "the DKIM signature for " + domain + " does not verify (selector " +
               *failing_selectors.begin() + "): publish the public key of the signing key at " +
               (*failing_selectors.begin()) + "._domainkey." + domain +
               " and make sure nothing rewrites mail after signing";
    }
    if (!other_domains.empty()) {
        return "mail is signed for " + *other_domains.begin() + ", which does not align with " +
               domain + ": sign with d=" + domain;
    }
    (void)any_signature;
    return "no DKIM signature was seen: sign outgoing mail with DKIM for " + domain +
           " (a key pair, the public key at <selector>._domainkey." + domain +
           ", and the MTA's signing milter or module)";
}

// The fix for our IP's records whose aligned SPF result is not pass.
std::string spf_fix(const std::vector<const DmarcRecord*>& failing, const std::string& domain,
                    const std::string& ip)
{
    std::string result;
    std::string other;
    for (const DmarcRecord* r : failing) {
        for (const DmarcSpfResult& s : r->spf_results) {
            if (s.scope == "helo") {
                continue;
            }
            if (under_domain(s.domain, domain) || s.domain.empty()) {
                result = s.result;
            } else if (other.empty()) {
                other = s.domain;
            }
        }
    }
    if (!other.empty() && result.empty()) {
        return "the envelope sender's domain " + other + " does not align with " + domain +
               ": send with a MAIL FROM address in " + domain;
    }
    const std::string mechanism = ip.find(':') == std::string::npos ? "ip4:" : "ip6:";
    return "SPF for " + domain + " said " + (result.empty() ? std::string("nothing") : result) +
           " for " + ip + ": add " + mechanism + ip + " to the SPF record of " + domain;
}

} // namespace

bool under_domain(const std::string& domain, const std::string& policy_domain)
{
    if (domain.empty() || policy_domain.empty()) {
        return false;
    }
    return domain == policy_domain ||
           (domain.size() > policy_domain.size() && domain.ends_with(policy_domain) &&
            domain[domain.size() - policy_domain.size() - 1] == '.');
}

DmarcMeaning dmarc_meaning(const DmarcReport& report, const std::vector<bool>& ours,
                           const std::string& org, const std::string& scope)
{
    DmarcMeaning meaning;
    const std::string begin = format_utc(report.begin);
    const std::string end = format_utc(report.end);
    const std::string who = reporter(report, org);
    const std::string& domain = report.policy.domain;
    // Per IP of ours: index of the first accepted record, messages accepted, failing records.
    std::map<std::string, std::pair<std::size_t, std::int64_t>> accepted_by_ip;
    std::map<std::string, std::vector<const DmarcRecord*>> dkim_failing, spf_failing;
    std::map<std::string, std::int64_t> messages_by_ip, dkim_failed, spf_failed, dmarc_failed;
    std::map<std::string, std::int64_t> spoofers;
    std::int64_t spoofed_messages = 0;
    for (std::size_t i = 0; i < report.records.size(); ++i) {
        const DmarcRecord& r = report.records[i];
        const bool our_ip = i < ours.size() && ours[i];
        if (our_ip) {
            messages_by_ip[r.source_ip] += r.count;
            if (accepted(r) && r.count > 0) {
                auto [it, fresh] = accepted_by_ip.try_emplace(r.source_ip, i, 0);
                it->second.second += r.count;
            }
            if (!passes(r.dkim)) {
                dkim_failing[r.source_ip].push_back(&r);
                dkim_failed[r.source_ip] += r.count;
            }
            if (!passes(r.spf)) {
                spf_failing[r.source_ip].push_back(&r);
                spf_failed[r.source_ip] += r.count;
            }
            if (!passes(r.dkim) && !passes(r.spf)) {
                dmarc_failed[r.source_ip] += r.count;
            }
        } else if (!ours.empty() && under_domain(r.header_from, domain) && !passes(r.dkim) &&
                   !passes(r.spf)) {
            spoofers[r.source_ip] += r.count;
            spoofed_messages += r.count;
        }
    }
    for (const auto& [ip, first] : accepted_by_ip) {
        ReportObservation o;
        o.time = begin;
        o.ip = ip;
        o.scope = scope;
        o.verdict = evidence::Verdict::clear;
        o.reason = "delivered";
        o.source_kind = evidence::SourceKind::dmarc;
        o.source_id = static_cast<std::int64_t>(first.first);
        o.observations = first.second;
        meaning.observations.push_back(std::move(o));
    }
    if (!spoofers.empty()) {
        std::string list;
        int shown = 0;
        for (const auto& [ip, n] : spoofers) {
            if (shown++ == 5) {
                list += ", ...";
                break;
            }
            list += (list.empty() ? "" : ", ") + ip + " (" + std::to_string(n) + ")";
        }
        store::ReportFinding f;
        f.time = end;
        f.kind = "dmarc-spoofing";
        f.scope = scope;
        f.detail = who + " reported " + std::to_string(spoofed_messages) + " messages from " +
                   std::to_string(spoofers.size()) + " IPs that are not ours, with From " + domain +
                   " and failing DMARC (" + period(report) + "): " + list;
        f.action = "if a sender is yours (a newsletter service, a forwarder, another server), "
                   "authorise it in SPF or have it sign with DKIM for " +
                   domain + "; otherwise it is spoofing " + domain + ", which a policy of " +
                   "quarantine or reject stops (published: p=" +
                   (report.policy.p.empty() ? std::string("?") : report.policy.p) + ")";
        f.source_kind = "dmarc";
        f.source_key = "dmarc|" + org + "|" + report.report_id + "|spoofing";
        meaning.findings.push_back(std::move(f));
    }
    for (const auto& [ip, messages] : messages_by_ip) {
        const std::int64_t dkim_bad = dkim_failed[ip];
        const std::int64_t spf_bad = spf_failed[ip];
        if (dkim_bad == 0 && spf_bad == 0) {
            continue;
        }
        std::string what;
        std::string fix;
        if (dkim_bad > 0) {
            what = std::to_string(dkim_bad) + " of " + std::to_string(messages) +
                   " messages failed DKIM alignment";
            fix = dkim_fix(dkim_failing[ip], domain);
        }
        if (spf_bad > 0) {
            what += (what.empty() ? "" : ", ") + std::to_string(spf_bad) + " of " +
                    std::to_string(messages) + " failed SPF alignment";
            fix += (fix.empty() ? "" : "; ") + spf_fix(spf_failing[ip], domain, ip);
        }
        store::ReportFinding f;
        f.time = end;
        f.kind = "dmarc-alignment";
        f.ip = ip;
        f.scope = scope;
        f.detail =
            who + " (" + period(report) + "): our IP " + ip + ": " + what + " for " + domain +
            (dmarc_failed[ip] > 0 ? " (" + std::to_string(dmarc_failed[ip]) + " failed DMARC)"
                                  : std::string(" (DMARC passed through the other)"));
        f.action = fix;
        f.source_kind = "dmarc";
        f.source_key = "dmarc|" + org + "|" + report.report_id + "|alignment|" + ip;
        meaning.findings.push_back(std::move(f));
    }
    return meaning;
}

} // namespace smtpprobe::ingest

// The evidence policy (see policy.hpp for the rules; this file follows their numbering).
#include "monitor/evidence/policy.hpp"

#include <boost/asio/ip/address.hpp>

namespace smtpprobe::evidence {

namespace {

// The canonical text of an address ("" when text is not one).
std::string canonical_ip(std::string_view text)
{
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) {
        return {};
    }
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
            .to_string();
    }
    return address.to_string();
}

bool same_ip(std::string_view a, std::string_view b)
{
    if (a.empty() || b.empty()) {
        return false;
    }
    if (a == b) {
        return true;
    }
    const std::string ca = canonical_ip(a);
    return !ca.empty() && ca == canonical_ip(b);
}

constexpr std::string_view k_dnsbl_prefix = "dnsbl/";

// Rule 1: the verdict and class of what was observed.
void decide_verdict(const Observation& o, Decision& out)
{
    switch (o.observed) {
    case Observed::statement:
        out.verdict = o.stated_verdict;
        out.outcome = o.stated_verdict == Verdict::clear     ? OutcomeClass::accepted
                      : o.stated_verdict == Verdict::blocked ? OutcomeClass::blocked
                                                             : OutcomeClass::unclassified;
        out.reason = o.stated_reason;
        out.provider_code = o.stated_code;
        return;
    case Observed::receipt:
        out.outcome = OutcomeClass::accepted;
        out.verdict = Verdict::clear;
        break;
    case Observed::notice:
        out.outcome =
            o.classified != nullptr ? outcome_class(*o.classified) : OutcomeClass::unclassified;
        out.verdict = Verdict::unknown;
        break;
    case Observed::attempt:
        out.outcome =
            o.classified != nullptr ? outcome_class(*o.classified) : OutcomeClass::unclassified;
        out.verdict = verdict_of(out.outcome);
        break;
    }
    if (o.classified != nullptr) {
        out.reason = o.classified->reason;
        out.provider_code = o.classified->provider_code;
    }
}

// Rule 2: the scope, and the receiver noted when the scope is a list it named.
void decide_scope(const Observation& o, Decision& out)
{
    if (!o.stated_scope.empty()) {
        out.scope.assign(o.stated_scope);
        return;
    }
    const std::string_view classified =
        o.classified != nullptr ? std::string_view(o.classified->scope) : std::string_view();
    if (classified.starts_with(k_dnsbl_prefix)) {
        out.scope.assign(classified);
        out.receiver = receiver_scope(o.receiver_host);
        if (out.receiver.empty()) {
            out.receiver = receiver_scope(o.reporting_host);
        }
        return;
    }
    if (!classified.empty()) {
        out.scope.assign(classified);
        return;
    }
    out.scope = receiver_scope(o.receiver_host);
}

// Rule 3: the sending IP.
void decide_ip(const Observation& o, const OurIps& ours, Decision& out)
{
    const std::string_view named = o.named_ip;
    const bool receivers_own =
        named.empty() || same_ip(named, o.receiver_ip) || same_ip(named, o.reporting_ip);
    if (!receivers_own) {
        out.named_ip = named;
    }
    if (o.observed == Observed::statement) {
        out.ip = o.source_ip; // 3a
        return;
    }
    if (!ours.configured()) {
        return; // 3b: "this server"
    }
    if (!o.source_ip.empty()) {
        out.ip = o.source_ip; // 3c: the source knows
        return;
    }
    if (receivers_own) {
        return; // 3d
    }
    if (ours.contains(named)) {
        out.ip = named; // 3c: one of ours, named
        return;
    }
    out.foreign_ip = true; // 3c: someone else's IP is refused, not ours
    if (out.verdict == Verdict::blocked) {
        out.verdict = Verdict::unknown;
    }
}

} // namespace

OurIps::OurIps(std::vector<std::string> ips)
{
    for (const std::string& ip : ips) {
        std::string canonical = canonical_ip(ip);
        m_ips.push_back(canonical.empty() ? ip : canonical);
    }
}

OurIps OurIps::of(const config::Config& config)
{
    std::vector<std::string> ips;
    for (const config::Identity& identity : config.identities) {
        if (!identity.ip.empty()) {
            ips.push_back(identity.ip);
        }
    }
    return OurIps(std::move(ips));
}

bool OurIps::contains(std::string_view text) const
{
    if (m_ips.empty() || text.empty()) {
        return false;
    }
    const std::string canonical = canonical_ip(text);
    for (const std::string& ip : m_ips) {
        if (ip == text || (!canonical.empty() && ip == canonical)) {
            return true;
        }
    }
    return false;
}

std::string unattributed_ip(const config::Config& config, bool fleet_history)
{
    return fleet_history ? std::string() : config.default_ip();
}

std::string receiver_scope(std::string_view host)
{
    return host.empty() ? std::string() : classify::receiver_for_host(host).scope;
}

void decide(const Observation& observation, const OurIps& ours, Decision& out)
{
    out.recorded = false;
    out.scope.clear();
    out.receiver.clear();
    out.ip = {};
    out.named_ip = {};
    out.verdict = Verdict::unknown;
    out.outcome = OutcomeClass::unclassified;
    out.reason = {};
    out.provider_code = {};
    out.foreign_ip = false;
    if (observation.observed != Observed::statement && observation.classified == nullptr) {
        return;
    }
    decide_scope(observation, out);
    if (out.scope.empty()) {
        return;
    }
    decide_verdict(observation, out);
    decide_ip(observation, ours, out);
    out.recorded = true;
}

Decision decide(const Observation& observation, const OurIps& ours)
{
    Decision out;
    decide(observation, ours, out);
    return out;
}

} // namespace smtpprobe::evidence

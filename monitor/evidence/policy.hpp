// The evidence policy: the ONE function that turns an observation from any source (a probe's
// decisive reply, a log line, a bounce recipient, a DNSBL answer, a note, a receiver's report)
// into what the monitor reasons over: receiver scope, verdict, and the sending IP it is about.
// Every source calls decide(); nothing else picks a scope, a verdict or an IP.
//
// 1. Outcome class first, then verdict (outcome_class.hpp). A reply to a delivery attempt
//    gets the class of its classification; blocked -> blocked, accepted -> clear, any other
//    class (unreachable, recipient, content, deferred, our TLS/auth/config) -> unknown. A
//    receipt (success DSN) is clear; a complaint or an auto-reply is unknown. Sources that
//    answer the question themselves (DNSBL: listed/clean; SNDS; DMARC) state their verdict.
// 2. Scope: a source that names its scope keeps it (DNSBL answers: dnsbl/<zone>). Otherwise
//    a refusal that names a DNS blocklist ("blocked using zen.spamhaus.org") goes to that
//    list's scope, dnsbl/<zone>, from every source alike, with the receiver that said it noted
//    on the row: the block is the listing, and it ends when the list delists us. Any other
//    observation goes to its receiver: the classification's scope (provider cluster, tenant),
//    else the scope of the host that answered (classify::receiver_for_host), else none: with
//    no receiver (a local delivery, nothing answered) nothing is recorded.
// 3. Sending IP ("ours"):
//    a. A statement about an IP (a DNSBL answer, a note, a report's source IP) is about it.
//    b. With no identity configured we cannot tell our IPs apart, so every other observation
//       of this server shares one key, "" ("this server"); an IP the receiver names is only
//       noted on the row. A block named [1.2.3.4] and the unattributed success after it close
//       one episode.
//    c. With identities: a source that knows the address we sent from (a probe's bound
//       address) attributes to it. Else the IP the receiver names as the refused sender
//       ("messages from [IP]", "Client host [IP] blocked"), which is never the receiver's own
//       address nor the reporting MTA's, counts when it is one of ours; when it is not, the
//       refusal is about someone else's IP (a spoofed or misdirected bounce): its verdict
//       becomes unknown, so it can neither open an episode nor raise an alert.
//    d. Else "" (unattributed). At fold time "" belongs to the single identity when there is
//       exactly one (episodes::BuildOptions::default_ip), and is shown as attributed so.
//
// Pure: no store, no clock. Contract: the views in a Decision point into the Observation and
// its classification; copy them before those go away. Reusing one Decision for many calls
// (decide(observation, ours, out)) reuses its string buffers.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/config/config.hpp"
#include "monitor/evidence/outcome_class.hpp"
#include "monitor/evidence/verdict.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::evidence {

// The sending IPs that are ours: the configured identities.
class OurIps {
public:
    OurIps() = default;
    explicit OurIps(std::vector<std::string> ips);
    // The IPs of config's [[identity]] tables.
    static OurIps of(const config::Config& config);
    bool configured() const { return !m_ips.empty(); }
    // Whether text is one of ours (compared as addresses: "2001:db8::1" == "2001:DB8:0::1").
    bool contains(std::string_view text) const;
    const std::vector<std::string>& ips() const { return m_ips; }

private:
    std::vector<std::string> m_ips; // canonical text of each address
};

// The IP that evidence naming none (rule 3b/3d: the source did not say) is attributed to when
// episodes are folded and states read: the config's single identity's IP for the history of
// one server. (Log and bounce evidence is attributed when written already, to the reading
// node's single identity: EvidenceWriter's unnamed_ip; this covers the rest and older rows.) A
// fleet's history (more than one node has observed into it, issue 20) gets none: the folding node's
// identity is not the IP that sent another node's mail, and nodes with different identities would
// each re-attribute (and rebuild) everything the others folded. Such evidence stays "this server";
// its row names the node that observed it.
std::string unattributed_ip(const config::Config& config, bool fleet_history);

// What kind of thing was observed.
enum class Observed : std::uint8_t {
    attempt,   // the receiver's answer to a delivery attempt (probe, log line, bounce, delay)
    receipt,   // a success DSN for our mail: the receiver delivered it
    notice,    // a complaint (ARF) or an auto-reply: says nothing about acceptance
    statement, // a source that states verdict and scope itself (DNSBL, SNDS, DMARC, note)
};

struct Observation {
    SourceKind source = SourceKind::probe;
    Observed observed = Observed::attempt;
    // attempt / receipt / notice: the classification of the receiver's words (required).
    const classify::Result* classified = nullptr;
    // statement: the verdict, scope, reason and code the source gives.
    Verdict stated_verdict = Verdict::unknown;
    std::string_view stated_scope;
    std::string_view stated_reason;
    std::string_view stated_code;
    // The receiver: the host that gave the reply (MX, relay, Remote-MTA) and its address.
    std::string_view receiver_host;
    std::string_view receiver_ip;
    // The MTA that wrote a report (bounce Reporting-MTA), never ours as a sender.
    std::string_view reporting_host;
    std::string_view reporting_ip;
    // The address the source knows we sent from, or a statement is about (rules 3a, 3c).
    std::string_view source_ip;
    // The address the receiver names as the refused sender (rule 3c); "" when none.
    std::string_view named_ip;
};

struct Decision {
    bool recorded = false; // false: nothing to hold evidence about (no receiver scope)
    std::string scope;
    std::string receiver;      // the receiver's scope when scope is a list it named, else ""
    std::string_view ip;       // the sending IP it is about; "" unattributed / this server
    std::string_view named_ip; // the IP the receiver named (kept for display), "" if none
    Verdict verdict = Verdict::unknown;
    OutcomeClass outcome = OutcomeClass::unclassified;
    std::string_view reason;
    std::string_view provider_code;
    bool foreign_ip = false; // the receiver named an IP that is not ours (rule 3c)
};

// Applies the policy. ours: the configured identities. out is overwritten.
void decide(const Observation& observation, const OurIps& ours, Decision& out);
Decision decide(const Observation& observation, const OurIps& ours);

// The receiver scope of a host: classify::receiver_for_host's, or "" for no host.
std::string receiver_scope(std::string_view host);

} // namespace smtpprobe::evidence

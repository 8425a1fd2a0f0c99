// Sender hygiene for one sending identity: the things receivers check before they look at
// content. PTR exists and resolves back to the IP (FCrDNS) and matches the HELO name; SPF for
// the MAIL FROM domain authorises the IP; a DMARC record is published (_dmarc TXT, p= read).
//
// Contract: never throws for a DNS outcome; each part says ok or not and why, and `unknown`
// parts (timeouts) are marked so a run can say "could not check" instead of "bad".
#pragma once

#include "monitor/hygiene/spf.hpp"
#include "probe/dns/resolver.hpp"

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

namespace smtpprobe::hygiene {

struct PtrCheck {
    std::vector<std::string> names; // PTR names of the IP
    std::string confirmed_name;     // the first name whose A/AAAA includes the IP ("" if none)
    bool forward_confirmed = false; // FCrDNS
    bool matches_helo = false;      // HELO equals a forward-confirmed PTR name
    bool unknown = false;           // DNS failed: could not check
    std::string detail;
};

struct DmarcCheck {
    bool present = false;
    std::string record;
    std::string domain; // where it was found (_dmarc.<domain>)
    std::string policy; // p= ("none", "quarantine", "reject"; "" if invalid)
    bool unknown = false;
    std::string detail;
};

struct HygieneReport {
    std::string ip;
    std::string helo;
    std::string mail_from_domain;
    PtrCheck ptr;
    SpfOutcome spf;
    DmarcCheck dmarc;
    // PTR forward-confirmed and matching HELO, SPF pass, DMARC present with a valid policy.
    bool all_ok() const;
    // Some part could not be checked (DNS timeout or failure).
    bool any_unknown() const;
};

// Runs the three checks concurrently.
boost::asio::awaitable<HygieneReport> check_hygiene(dns::Resolver& resolver,
                                                    boost::asio::ip::address ip, std::string helo,
                                                    std::string mail_from_domain);

// FCrDNS and HELO match alone.
boost::asio::awaitable<PtrCheck> check_ptr(dns::Resolver& resolver, boost::asio::ip::address ip,
                                           std::string helo);

// The DMARC record for a domain: _dmarc.<domain>, else the organisational domain's, which we
// approximate as the last two labels (no public-suffix list).
boost::asio::awaitable<DmarcCheck> check_dmarc(dns::Resolver& resolver, std::string domain);

// Reads the p= tag of a DMARC record text ("v=DMARC1; p=reject; ..."): "" when the record does
// not start with v=DMARC1 or p= is missing or not none/quarantine/reject.
std::string dmarc_policy(const std::string& record);

} // namespace smtpprobe::hygiene

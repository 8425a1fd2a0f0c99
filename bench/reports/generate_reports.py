#!/usr/bin/env python3
"""Generates N realistic DMARC aggregate reports for bench/reports (seeded; the seed is printed).

Each report looks like the ones receivers send (tests/data/reports/dmarc): Google, Outlook.com,
Yahoo, Zoho, Mimecast, Fastmail and a long tail of smaller reporters; one day per report; 1 to
40 records, most reports small; records from our two sending IPs (mostly aligned and passing)
and from forwarders and spoofers (failing); DKIM and SPF auth results with selectors and scopes.
Writes OUT/plain/*.xml and the same reports gzip-compressed as OUT/gz/*.xml.gz.

Usage: generate_reports.py OUT [N] [SEED]
"""
import gzip
import os
import random
import sys

REPORTERS = [
    ("google.com", "noreply-dmarc-support@google.com", "https://support.google.com/a/answer/2466580", 30),
    ("Outlook.com", "dmarcreport@microsoft.com", "", 20),
    ("Yahoo", "dmarchelp@yahooinc.com", "", 12),
    ("zoho.com", "noreply-dmarc@zoho.com", "https://www.zoho.com/mail/help/adminconsole/dmarc-policy.html", 4),
    ("Mimecast", "no-reply@au-1.mimecastreport.com", "https://community.mimecast.com/s/knowledge", 4),
    ("Fastmail Pty Ltd", "noreply-dmarc@fastmail.com", "https://www.fastmail.com", 4),
    ("Enterprise Outlook", "dmarcreport@microsoft.com", "", 8),
]
OUR_IPS = ["192.0.2.10", "192.0.2.11"]
DOMAIN = "example.org"


def record(rng):
    kind = rng.random()
    if kind < 0.6:  # our own mail: mostly aligned
        ip = rng.choice(OUR_IPS)
        dkim_ok = rng.random() < 0.95
        spf_ok = rng.random() < 0.97
        dkim = [(DOMAIN, "mail2024", "pass" if dkim_ok else "fail")]
        spf = [(DOMAIN, "mfrom", "pass" if spf_ok else "softfail")]
        envelope = DOMAIN
    elif kind < 0.85:  # a forwarder or mailing list: DKIM survives, SPF does not align
        ip = "198.51.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
        dkim_ok, spf_ok = rng.random() < 0.8, False
        dkim = [(DOMAIN, "mail2024", "pass" if dkim_ok else "fail"), ("lists.example.net", "s1", "pass")]
        spf = [("lists.example.net", "mfrom", "pass")]
        envelope = "lists.example.net"
    else:  # spoofing
        ip = "203.0.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
        dkim_ok = spf_ok = False
        dkim = []
        spf = [(DOMAIN, "mfrom", rng.choice(["fail", "softfail", "none"]))]
        envelope = DOMAIN
    count = max(1, int(rng.paretovariate(1.2)))
    disposition = "none" if dkim_ok or spf_ok else rng.choice(["none", "quarantine", "reject"])
    lines = [
        "  <record>",
        "    <row>",
        "      <source_ip>%s</source_ip>" % ip,
        "      <count>%d</count>" % count,
        "      <policy_evaluated>",
        "        <disposition>%s</disposition>" % disposition,
        "        <dkim>%s</dkim>" % ("pass" if dkim_ok else "fail"),
        "        <spf>%s</spf>" % ("pass" if spf_ok else "fail"),
        "      </policy_evaluated>",
        "    </row>",
        "    <identifiers>",
        "      <envelope_to>%s</envelope_to>" % rng.choice(["gmail.com", "hotmail.com", "yahoo.com", "outlook.com"]),
        "      <envelope_from>%s</envelope_from>" % envelope,
        "      <header_from>%s</header_from>" % DOMAIN,
        "    </identifiers>",
        "    <auth_results>",
    ]
    for d, sel, res in dkim:
        lines += ["      <dkim>", "        <domain>%s</domain>" % d, "        <selector>%s</selector>" % sel,
                  "        <result>%s</result>" % res, "      </dkim>"]
    for d, scope, res in spf:
        lines += ["      <spf>", "        <domain>%s</domain>" % d, "        <scope>%s</scope>" % scope,
                  "        <result>%s</result>" % res, "      </spf>"]
    lines += ["    </auth_results>", "  </record>"]
    return "\n".join(lines)


def report(rng, n):
    org, email, extra, _ = rng.choices(REPORTERS, weights=[r[3] for r in REPORTERS])[0]
    begin = 1767225600 + 86400 * rng.randrange(365)
    records = min(40, max(1, int(rng.paretovariate(1.1))))
    head = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        "<feedback>",
        "  <version>1.0</version>",
        "  <report_metadata>",
        "    <org_name>%s</org_name>" % org,
        "    <email>%s</email>" % email,
    ]
    if extra:
        head.append("    <extra_contact_info>%s</extra_contact_info>" % extra)
    head += [
        "    <report_id>%d%06d</report_id>" % (rng.randrange(10**12), n),
        "    <date_range>",
        "      <begin>%d</begin>" % begin,
        "      <end>%d</end>" % (begin + 86399),
        "    </date_range>",
        "  </report_metadata>",
        "  <policy_published>",
        "    <domain>%s</domain>" % DOMAIN,
        "    <adkim>r</adkim>",
        "    <aspf>r</aspf>",
        "    <p>quarantine</p>",
        "    <sp>quarantine</sp>",
        "    <pct>100</pct>",
        "  </policy_published>",
    ]
    body = [record(rng) for _ in range(records)]
    return org, begin, "\n".join(head + body + ["</feedback>", ""])


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261205
    print("generate_reports: %d reports, seed %d" % (n, seed))
    rng = random.Random(seed)
    os.makedirs(os.path.join(out, "plain"), exist_ok=True)
    os.makedirs(os.path.join(out, "gz"), exist_ok=True)
    for i in range(n):
        org, begin, xml = report(rng, i)
        name = "%s!%s!%d!%d!%d.xml" % (org.replace(" ", "_"), DOMAIN, begin, begin + 86399, i)
        data = xml.encode()
        with open(os.path.join(out, "plain", name), "wb") as f:
            f.write(data)
        with open(os.path.join(out, "gz", name + ".gz"), "wb") as f:
            f.write(gzip.compress(data, mtime=0))


if __name__ == "__main__":
    main()

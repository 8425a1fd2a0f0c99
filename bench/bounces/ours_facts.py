#!/usr/bin/env python3
"""smtpprobe's reading of bounces as a table: reads `smtpprobe ingest bounce --dry-run --json`
lines on stdin, prints one line per recipient, tab-separated: file, index, status, reply code,
reason, recipient, SMTP command, action, report format, remote MTA, diagnostic (300 bytes).
The columns match sisimai_facts.pl (agreement.py reads the first five, differential.py all)."""
import collections
import json
import os
import sys

index = collections.Counter()
for line in sys.stdin:
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if d.get("summary"):
        continue
    name = os.path.basename(d["file"])
    index[name] += 1
    code = "" if d.get("reply_code") is None else str(d["reply_code"])
    diagnostic = (d.get("diagnostic") or "").replace("\t", " ").replace("\n", " ")[:300]
    print("\t".join([name, str(index[name]), d.get("status", ""), code, d.get("reason", ""),
                     d.get("recipient", ""), d.get("command", ""), d.get("action", ""),
                     d.get("format", ""), d.get("remote_mta", ""), diagnostic]))

#!/usr/bin/env python3
"""Agreement of a tool's per-recipient answers with labels.tsv (status, reply code, reason).
Usage: agreement.py LABELS ANSWERS.tsv  (answers: file, index, status, reply_code, reason)."""
import sys
from collections import defaultdict

def load(path, skip_header):
    rows = defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f):
            if skip_header and n == 0:
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            rows[parts[0]].append(parts[2:5])
    return rows

labels = load(sys.argv[1], True)
answers = load(sys.argv[2], False)
total = s = c = r = 0
for name, wanted in labels.items():
    got = answers.get(name, [])
    for i, want in enumerate(wanted):
        have = got[i] if i < len(got) else ["", "", ""]
        total += 1
        s += have[0] == want[0]
        c += have[1] == want[1]
        r += have[2] == want[2]
print(f"{total} recipients: status {100*s/total:.1f}%, reply code {100*c/total:.1f}%, reason {100*r/total:.1f}%")

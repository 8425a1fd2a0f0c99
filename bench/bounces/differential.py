#!/usr/bin/env python3
"""Where smtpprobe and Sisimai read the same bounces differently.

Usage: differential.py OURS.tsv SISIMAI.tsv [LABELS.tsv]

OURS.tsv and SISIMAI.tsv: file, index, status, reply code, reason, recipient, command,
action, format/lhost, remote host, diagnostic (one line per recipient, in report order;
bench/bounces/ours_facts.py and sisimai_facts.pl write them). LABELS.tsv: labels.tsv of the
corpus (file, index, status, reply code, reason), optional.

Prints, per class of disagreement (the field, our value, Sisimai's value), how many
recipients and which files, and when labels exist which side the label takes; then the
recipients only one tool reports. Exit status 0 (a report, not a test)."""
import sys
from collections import defaultdict, Counter

FIELDS = ["file", "index", "status", "code", "reason", "recipient", "command", "action",
          "format", "rhost", "diagnostic"]


def load(path, skip_header=False):
    rows = defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f):
            if skip_header and n == 0:
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            parts += [""] * (len(FIELDS) - len(parts))
            rows[parts[0]].append(dict(zip(FIELDS, parts)))
    return rows


def status_class(status):
    """A status compared by what it says: class, and detail unless it is a pseudo x.0.9xx."""
    return status


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    ours = load(sys.argv[1])
    theirs = load(sys.argv[2])
    labels = load(sys.argv[3], True) if len(sys.argv) > 3 else {}
    classes = defaultdict(list)  # (field, ours, theirs) -> [(file, index, label side)]
    only = []
    files = sorted(set(ours) | set(theirs))
    compared = 0
    for name in files:
        a, b = ours.get(name, []), theirs.get(name, [])
        wanted = labels.get(name, [])
        for i in range(max(len(a), len(b))):
            if i >= len(a) or i >= len(b):
                who = "smtpprobe" if i < len(a) else "sisimai"
                row = a[i] if i < len(a) else b[i]
                only.append((name, i + 1, who, row["recipient"], row["reason"]))
                continue
            compared += 1
            label = wanted[i] if i < len(wanted) else None
            for field in ("status", "reason"):
                x, y = a[i][field], b[i][field]
                if x == y:
                    continue
                side = ""
                if label is not None:
                    side = ("ours" if label[field] == x else
                            "sisimai" if label[field] == y else "neither")
                classes[(field, x, y)].append((name, i + 1, side, a[i]["command"],
                                               b[i]["diagnostic"][:120]))
    print(f"{compared} recipients read by both tools; {len(only)} read by one only")
    for field in ("reason", "status"):
        keyed = sorted(((k, v) for k, v in classes.items() if k[0] == field),
                       key=lambda kv: (-len(kv[1]), kv[0]))
        total = sum(len(v) for _, v in keyed)
        print(f"\n== {field}: {total} recipients differ, {len(keyed)} classes "
              "(ours | sisimai: count; label sides with)")
        for (f, x, y), rows in keyed:
            sides = Counter(r[2] for r in rows if r[2])
            side_text = ", ".join(f"{k} {n}" for k, n in sides.most_common())
            print(f"{x or '-'} | {y or '-'}: {len(rows)}" + (f"; label: {side_text}" if side_text else ""))
            for name, index, side, command, diagnostic in rows[:6]:
                print(f"    {name}#{index} {command or '-'} {side or ''} {diagnostic}")
            if len(rows) > 6:
                print(f"    ... {len(rows) - 6} more")
    if only:
        print("\n== recipients only one tool reports")
        for name, index, who, recipient, reason in only:
            print(f"    {name}#{index} only {who}: {recipient} {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

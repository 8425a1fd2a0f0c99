#!/usr/bin/env python3
"""GET one URL N times in sequence (after WARMUP requests) over a kept-alive connection and
print p50/p90/p99/max latency, the status codes and the answer's size:
    latency.py URL N [WARMUP]
One client at a time: the latency of one dashboard user, not the server's throughput."""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

url, n = sys.argv[1], int(sys.argv[2])
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 5
u = urllib.parse.urlsplit(url)
path = u.path + ("?" + u.query if u.query else "")
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
times, codes, size, body = [], {}, 0, b""
for i in range(warmup + n):
    t0 = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    dt = (time.perf_counter() - t0) * 1000
    if i >= warmup:
        times.append(dt)
        codes[r.status] = codes.get(r.status, 0) + 1
        size = len(body)
times.sort()


def pct(p):
    return times[min(len(times) - 1, int(round(p / 100 * len(times) + 0.5)) - 1)]


extra = ""
try:
    doc = json.loads(body)
    if isinstance(doc, dict) and "cells" in doc:
        extra = f" cells={len(doc['cells'])} attention={len(doc.get('attention', []))}"
    elif isinstance(doc, dict) and "error" in doc:
        extra = f" error={json.dumps(doc['error'])[:300]}"
except ValueError:
    extra = f" body={body[:200]!r}"
print(f"requests={n} p50={statistics.median(times):.1f}ms p90={pct(90):.1f}ms "
      f"p99={pct(99):.1f}ms max={times[-1]:.1f}ms codes={codes} bytes={size}{extra}")

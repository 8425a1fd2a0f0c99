#!/usr/bin/env python3
"""The normal client of bench/web/load.sh: GET /api/status from 127.0.0.1 on a new connection
every 20 ms for SECONDS; prints the latency distribution (p50, p99, max) and the failures.

  status_latency.py PORT SECONDS
"""
import http.client
import sys
import time

port = int(sys.argv[1])
seconds = float(sys.argv[2])
latencies = []
failures = {}
end = time.monotonic() + seconds
while time.monotonic() < end:
    start = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/status")
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            failures[response.status] = failures.get(response.status, 0) + 1
        else:
            latencies.append((time.monotonic() - start) * 1000)
    except OSError as e:
        failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1
    time.sleep(0.02)
latencies.sort()


def pct(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else float("nan")


print("normal client: %d answers, p50 %.1f ms, p99 %.1f ms, max %.1f ms, failures %s" %
      (len(latencies), pct(0.5), pct(0.99), latencies[-1] if latencies else float("nan"),
       failures or "none"))
print("P99_MS=%.1f" % pct(0.99))
print("FAILURES=%d" % sum(failures.values()))

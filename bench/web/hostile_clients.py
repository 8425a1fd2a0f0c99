#!/usr/bin/env python3
"""Hostile dashboard clients for bench/web/load.sh, all on loopback, bounded in time and count.

  hostile_clients.py PORT SECONDS SLOW NEVER_READ

SLOW connections (from 127.0.1.1-40) each send a request head one byte per second and never
finish it (slowloris); one the server closes is opened again at once, so there are SLOW of
them for SECONDS. NEVER_READ clients (from 127.0.2.1-10, a 4 KiB receive buffer) each pipeline
20 requests for /api/timeline?limit=20000 and never read an answer; every 12 s (past the
server's write deadline) they are all opened again. Prints one line of counts.
"""
import selectors
import socket
import sys
import time

port = int(sys.argv[1])
seconds = float(sys.argv[2])
slow_count = int(sys.argv[3])
never_count = int(sys.argv[4])

HEAD = b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000
TIMELINE = (b"GET /api/timeline?limit=20000&from=2024-11-01&to=2026-11-01 HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n\r\n") * 20
sel = selectors.DefaultSelector()
stats = {"slow_opened": 0, "slow_closed_by_server": 0, "never_opened": 0, "connect_errors": 0}
never = []


def connect(source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        stats["connect_errors"] += 1
        s.close()
        return None
    s.setblocking(False)
    return s


def open_slow(index):
    s = connect("127.0.1.%d" % (1 + index % 40))
    if s is None:
        return
    stats["slow_opened"] += 1
    sel.register(s, selectors.EVENT_READ, {"index": index, "sent": 0, "next": 0.0})


def open_never(index):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(("127.0.2.%d" % (1 + index % 10), 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        try:
            s.send(TIMELINE)
        except OSError:
            pass
    except OSError:
        stats["connect_errors"] += 1
        s.close()
        return
    stats["never_opened"] += 1
    never.append(s)


def main():
    start = time.monotonic()
    end = start + seconds
    for i in range(never_count):
        open_never(i)
    next_never = start + 12
    for i in range(slow_count):
        open_slow(i)
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_never:
            for s in never:
                s.close()
            never.clear()
            for i in range(never_count):
                open_never(i)
            next_never = now + 12
        for key, _ in sel.select(timeout=0.1):
            try:
                closed = key.fileobj.recv(4096) == b""
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            if closed:
                stats["slow_closed_by_server"] += 1
                sel.unregister(key.fileobj)
                key.fileobj.close()
                open_slow(key.data["index"])
        now = time.monotonic()
        for key in list(sel.get_map().values()):
            state = key.data
            if now >= state["next"] and state["sent"] < len(HEAD):
                try:
                    state["sent"] += key.fileobj.send(HEAD[state["sent"]:state["sent"] + 1])
                except OSError:
                    pass
                state["next"] = now + 1.0
    print("hostile clients: %d slow connections opened (%d closed by the server and re-opened, "
          "%d held at the end), %d never-reading clients opened, %d connect errors" %
          (stats["slow_opened"], stats["slow_closed_by_server"], len(sel.get_map()),
           stats["never_opened"], stats["connect_errors"]))


main()

#!/usr/bin/env python3
# A webhook receiver for the alert tests: listens on 127.0.0.1:PORT, appends the body of every
# POST as one line to FILE and answers 204. Usage: webhook_receiver.py PORT FILE
import http.server
import sys

port = int(sys.argv[1])
out = sys.argv[2]


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with open(out, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()

#!/usr/bin/env python3
"""A plain HTTP server on loopback (or HOST) that keeps every request it receives, for CI's interop checks.

Usage: capture_server.py DIRECTORY PORT_FILE [HOST]

Listens on HOST (default 127.0.0.1; two_host_check.sh gives it an address in another network
namespace) on a free port, writes the port to PORT_FILE, and for each POST saves
DIRECTORY/NNNN.body (the raw body, compressed or not) and DIRECTORY/NNNN.json (method,
path and headers). Answers 200 with an empty body, except on Langfuse's ingestion path
(/api/public/ingestion), where it answers 207 with a success for every event, as Langfuse
does. Runs until killed.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

directory, port_file = sys.argv[1], sys.argv[2]
host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
os.makedirs(directory, exist_ok=True)
lock = Lock()
counter = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            counter[0] += 1
            number = counter[0]
        base = os.path.join(directory, f"{number:04d}")
        with open(base + ".body", "wb") as f:
            f.write(body)
        with open(base + ".json", "w") as f:
            json.dump({"method": "POST", "path": self.path, "headers": dict(self.headers.items())}, f)
        if self.path.endswith("/api/public/ingestion"):
            events = json.loads(body).get("batch", [])
            answer = json.dumps({"successes": [{"id": e.get("id"), "status": 201} for e in events], "errors": []}).encode()
            self.send_response(207)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        self.send_response(200)
        self.send_header("Content-Type", self.headers.get("Content-Type", "application/x-protobuf"))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer((host, 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()

#!/usr/bin/python3
"""A keyserver for the tests and the demo: the lookup paths of VKS, the interface of
keys.openpgp.org's Hagrid (which Debian does not package), answered from files over HTTPS with
the stack's certificate. The gateway asks keyservers nothing else, so files are enough.

    keyserver.py PORT CERT KEY ROOT

ROOT/by-email/<address, lower-case>, ROOT/by-fingerprint/<HEX> and ROOT/by-keyid/<HEX> hold
armored public keys; anything else is 404. Each request's path is logged on its own line
("GET /vks/v1/by-email/bob@example.org 200"), so tests can see what the gateway asked."""

import http.server
import os
import ssl
import sys
import urllib.parse

PORT, CERT, KEY, ROOT = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
KINDS = ("by-email", "by-fingerprint", "by-keyid")


class Vks(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        parts = self.path.split("?", 1)[0].split("/")
        status, body = 404, b"not found\n"
        if len(parts) == 5 and parts[:3] == ["", "vks", "v1"] and parts[3] in KINDS:
            name = urllib.parse.unquote(parts[4])
            name = name.lower() if parts[3] == "by-email" else name.upper()
            if name and "/" not in name and not name.startswith("."):
                try:
                    with open(os.path.join(ROOT, parts[3], name), "rb") as f:
                        status, body = 200, f.read()
                except OSError:
                    pass
        self.send_response(status)
        self.send_header("Content-Type", "application/pgp-keys" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        print(f"GET {self.path} {status}", flush=True)

    def log_message(self, *args):
        pass


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Vks)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()

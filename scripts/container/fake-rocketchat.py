#!/usr/bin/env python3
"""A stand-in Rocket.Chat for the container test: answers GET /api/v1/import.status.

    fake-rocketchat.py PORTFILE BODYFILE USER_ID AUTH_TOKEN

Listens on 0.0.0.0 (a container reaches it through the engine's host gateway) on a free port,
written to PORTFILE. A request with the right X-User-Id / X-Auth-Token gets BODYFILE (200);
wrong credentials get Rocket.Chat 7's 401 body; any other path 404. Each request is logged
to stdout as `<method> <path> auth=ok|bad` (the credentials themselves are never printed).
"""
import http.server, json, sys

portfile, bodyfile, user_id, token = sys.argv[1:5]
body = open(bodyfile, "rb").read()
unauthorized = json.dumps({"success": False, "status": "error",
                           "message": "You must be logged in to do this."}).encode()

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        ok = self.headers.get("X-User-Id") == user_id and self.headers.get("X-Auth-Token") == token
        print(f"GET {path} auth={'ok' if ok else 'bad'}", flush=True)
        if path != "/api/v1/import.status":
            return self.answer(404, b'{"success":false,"error":"not found"}')
        self.answer(200 if ok else 401, body if ok else unauthorized)

    def answer(self, code, payload):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("0.0.0.0", 0), Handler)
with open(portfile + ".part", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.replace(portfile + ".part", portfile)
server.serve_forever()

"""Stand-in marketplace for demo mode only: receives the portal's signed deliveries and answers 200.

It lets `make run` show marketplace answers as delivered without reaching any real marketplace. It binds only
to 127.0.0.1, keeps nothing, and checks only that a delivery carries the signature headers. Run it with
``python -m portal.demo.marketplace_standin --port 5056``.
"""
from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 5056
MAX_BODY = 1024 * 1024
SIGNED_HEADERS = ("X-Portal-Timestamp", "X-Portal-Signature", "X-Portal-Event-Id")


def demo_outbound_url(channel_path: str, port: int = DEFAULT_PORT) -> str:
    """Return where a demo channel's deliveries go."""
    return f"http://{LOOPBACK}:{port}/{channel_path}/events"


class Handler(BaseHTTPRequestHandler):
    server_version = "MarketplaceStandIn/1"

    def do_POST(self):  # noqa: N802 - the http.server hook name
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._answer(413, {"error": "too large"})
        body = self.rfile.read(length)
        if not self.path.endswith("/events") or any(not self.headers.get(name) for name in SIGNED_HEADERS):
            return self._answer(400, {"error": "expected a signed delivery to /<channel>/events"})
        try:
            event = json.loads(body)
        except ValueError:
            return self._answer(400, {"error": "not JSON"})
        return self._answer(200, {"received": event.get("event_id"), "type": event.get("type")})

    def _answer(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 - the http.server hook signature
        return


def make_server(port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """Return the stand-in's server on 127.0.0.1 (port 0 picks a free one)."""
    return ThreadingHTTPServer((LOOPBACK, port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    server = make_server(parser.parse_args().port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

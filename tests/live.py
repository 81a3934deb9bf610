"""Serve an app for real from a background thread, for tests that need true HTTP and several connections."""
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, got_request_exception
from werkzeug.serving import make_server


@dataclass
class Served:
    url: str
    app: Flask
    # Every exception a request raised, so that a test can assert that none was hidden behind a friendly page.
    errors: list = field(default_factory=list)


@contextmanager
def serve(app: Flask, name: str = "live-portal") -> Iterator[Served]:
    """Serve `app` on 127.0.0.1 (a free port, threaded) until the block ends."""
    served = Served(url="", app=app)

    def record(sender, exception, **extra):
        served.errors.append(repr(exception))

    got_request_exception.connect(record, app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield served
    finally:
        server.shutdown()
        thread.join(timeout=5)
        got_request_exception.disconnect(record, app)

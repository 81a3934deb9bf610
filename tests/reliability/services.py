"""Services the soak owns and may stop: a PostgreSQL cluster, a Redis server, an SMTP server and a marketplace.

The machine's shared PostgreSQL and Redis are never touched: each service here runs on a free port of its own,
in a temporary directory, and is stopped and started again by the soak's faults.
"""
import contextlib
import http.server
import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"


class Unavailable(RuntimeError):
    """A service the soak needs cannot be started on this machine."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    """Run a PostgreSQL binary as the postgres OS user when we are root (the server refuses to run as root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *args]
    return args


class Postgres:
    """A throwaway PostgreSQL cluster (fsync off) on its own port, stopped and started at will."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            raise Unavailable(f"no PostgreSQL binaries in {PG_BIN}")
        self.dir = Path(tempfile.mkdtemp(prefix="soak-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/portal"
        if os.geteuid() == 0:
            shutil.chown(self.dir, PG_USER)
        done = subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",  # noqa: S603
                                            "-A", "trust", "--no-sync"]), capture_output=True, text=True, check=False)
        if done.returncode:
            raise Unavailable(f"initdb failed: {done.stderr.strip()[-300:]}")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
        self.start()
        self._psql("CREATE DATABASE portal")

    def _ctl(self, *args: str) -> None:
        done = subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),  # noqa: S603
                                            *args]), capture_output=True, text=True, check=False, timeout=120)
        if done.returncode:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {done.stdout} {done.stderr}")

    def _psql(self, sql: str) -> str:
        done = subprocess.run(_as_postgres([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port),  # noqa: S603
                                            "-U", "postgres", "-d", "postgres", "-Atc", sql]),
                              capture_output=True, text=True, check=True, timeout=60)
        return done.stdout

    def start(self) -> None:
        self._ctl("start", "-w", "-t", "60")

    def stop(self) -> None:
        """Stop as an operator's restart does: sessions are cut, and what was committed stays."""
        self._ctl("stop", "-m", "fast", "-w", "-t", "60")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("stop", "-m", "immediate", "-w", "-t", "30")
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A redis-server without persistence on its own port: stopped, it comes back empty, as a lost node does."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            raise Unavailable("no redis-server on this machine")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="soak-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1",  # noqa: S603
                                      "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_listening(self.port, 20):
            raise Unavailable(f"redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_listening(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


class _Mailbox:
    """The SMTP handler: every message accepted is counted by its Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_id: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message_id = ""
        for line in envelope.content.decode(errors="replace").split("\r\n\r\n", 1)[0].splitlines():
            if line.lower().startswith("message-id:"):
                message_id = line.split(":", 1)[1].strip()
        with self.lock:
            self.by_id[message_id] += 1
        return "250 OK"


class Smtp:
    """A local SMTP server, down (nothing listening on its port) until `up()`."""

    def __init__(self):
        self.port = free_port()
        self.mailbox = _Mailbox()
        self.controller: Controller | None = None

    def up(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def counts(self) -> Counter:
        with self.mailbox.lock:
            return Counter(self.mailbox.by_id)


class Marketplace:
    """A marketplace endpoint counting the portal's deliveries by event id (X-Portal-Event-Id), down until `up()`.

    A delivery counts as received when it was answered: `hold_next()` makes the endpoint keep the next request
    without an answer until `release()`; a request whose sender went away meanwhile was never acknowledged to
    it, and is counted as cut off rather than received.
    """

    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.answered: Counter = Counter()
        self.cut_off: Counter = Counter()
        self._hold = threading.Event()
        self.holding = threading.Event()
        self._released = threading.Event()
        self.server: http.server.ThreadingHTTPServer | None = None

    def url(self, channel: str) -> str:
        return f"http://127.0.0.1:{self.port}/{channel}/events"

    def up(self) -> None:
        market = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server hook name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("X-Portal-Event-Id") or json.loads(body or b"{}").get("event_id", "")
                if market._hold.is_set():
                    market._hold.clear()
                    market.holding.set()
                    market._released.wait(120)
                    if _peer_gone(self.connection):
                        with market.lock:
                            market.cut_off[key] += 1
                        return
                with market.lock:
                    market.answered[key] += 1
                answer = b'{"ok":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold_next(self) -> None:
        self._released.clear()
        self.holding.clear()
        self._hold.set()

    def release(self) -> None:
        self._released.set()

    def down(self) -> None:
        self.release()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def counts(self) -> tuple[Counter, Counter]:
        with self.lock:
            return Counter(self.answered), Counter(self.cut_off)


def _peer_gone(conn: socket.socket, wait: float = 2.0) -> bool:
    """Tell whether the other end closed the connection (its process died): readable, and nothing to read."""
    readable, _w, _x = select.select([conn], [], [], wait)
    if not readable:
        return False
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True

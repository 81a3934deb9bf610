"""Helpers for the multi-process tests: a dedicated PostgreSQL database, the flask CLI, gunicorn and consumers."""
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "").strip() or "postgresql://postgres@127.0.0.1:5432/test"



def _redis_db() -> int:
    """Give each xdist worker a Redis database of its own (9, 10, ...): one worker's flush never hits another's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(worker[2:]) if worker[2:].isdigit() else 0
    return 9 + number % 7


REDIS_URL = f"redis://127.0.0.1:6379/{_redis_db()}"
PASSWORD = "correct horse 1"


def unavailable(what: str):
    """Skip when a service is missing, but fail in CI, where every service must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not reachable, and CI must have it")
    pytest.skip(f"{what} is not reachable")


def admin_engine():
    return create_engine(make_url(ADMIN_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 3})


def create_database(prefix: str) -> str:
    """Create an empty database and return its URL (skip or fail when PostgreSQL is not there)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001  (any failure to reach the server)
        unavailable("PostgreSQL at " + make_url(ADMIN_URL).render_as_string())
    finally:
        engine.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def terminate_connections(url: str) -> int:
    """Kill every connection to the database, as a server restart does; return how many there were."""
    engine = admin_engine()
    with engine.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": make_url(url).database}).scalar_one()
    engine.dispose()
    return killed


def redis_client() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        unavailable("Redis at " + REDIS_URL)
    return client


def portal_env(database_url: str, instance: Path, **extra: str) -> dict:
    """Return the environment of one portal process: the test run's own settings removed, ours added."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"HUEY_IMMEDIATE", "REDIS_URL", "DATABASE_URL", "PORTAL_INSTANCE_PATH"}}
    env.update({
        "FLASK_APP": "wsgi", "PORTAL_ENV": "development", "PORTAL_HTTPS": "0", "DATABASE_URL": database_url,
        "SECRET_KEY": "deploy-test-" + "k" * 40, "PORTAL_INSTANCE_PATH": str(instance), "MAIL_BACKEND": "file",
        "MAIL_DIR": str(instance / "mail"), "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


_CLI = """
import json, sys
from portal import create_app
app = create_app()
runner = app.test_cli_runner()
for args in json.loads(sys.argv[1]):
    with app.app_context():
        result = runner.invoke(args=args)
    sys.stdout.write(result.output)
    if result.exit_code:
        sys.exit(f"flask {' '.join(args)} failed: {result.output} {result.exception!r}")
"""


def flask(env: dict, *commands: list[str]) -> str:
    """Run flask CLI commands, one after the other in one process (one start-up), and return what they printed."""
    done = subprocess.run([sys.executable, "-c", _CLI, json.dumps(commands)], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{commands} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A child process whose output goes to a file; stopped by stop(), always."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self._out = open(log, "wb")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT)  # noqa: S603

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._out.close()


class Instance(Process):
    """One gunicorn serving wsgi:app on its own port."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__([str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{self.port}", "wsgi:app"], env, log)

    def wait_ready(self, timeout: float = 30) -> None:
        """Poll /healthz until it answers, the process dies, or the time is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.output()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or the worker is still booting
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{self.output()}")


def consumer(env: dict, log: Path) -> Process:
    return Process([str(BIN / "huey_consumer"), "portal.worker.huey", "-w", "1", "-k", "thread"], env, log)


def csrf_token(session: requests.Session, url: str) -> str:
    import re

    html = session.get(url, timeout=10).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def log_in(session: requests.Session, base: str, email: str, password: str = PASSWORD) -> requests.Response:
    token = csrf_token(session, base + "/login")
    return session.post(base + "/login", data={"email": email, "password": password, "csrf_token": token},
                        allow_redirects=False, timeout=10)


def wait_for(predicate, timeout: float, interval: float = 0.2):
    """Return the predicate's first truthy result, or None when the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return None

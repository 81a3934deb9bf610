"""Test fixtures: one app and database per session, one rolled-back transaction per test."""
import os
import tempfile

os.environ.setdefault("HUEY_IMMEDIATE", "1")
_INSTANCE = tempfile.mkdtemp(prefix="portal-test-")
os.environ.setdefault("PORTAL_INSTANCE_PATH", _INSTANCE)

import pytest  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from flask_sqlalchemy.session import Session as _FlaskSession  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db as _db  # noqa: E402

from .factories import Factory  # noqa: E402


def _database_url(worker: str) -> str:
    """Give each xdist worker its own database: a SQLite file, or a fresh PostgreSQL database."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + os.path.join(_INSTANCE, f"test-{worker}.db")
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(worker_id):
    return _database_url(worker_id)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": "portal.test",
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file",
        "MAIL_DIR": os.path.join(_INSTANCE, "mail"),
    })
    with app.app_context():
        upgrade()
    return app


class _ConnectionSession(_FlaskSession):
    """A session that always uses the test's connection (Flask-SQLAlchemy would pick the engine)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def db(app):
    """Run the test inside a transaction that is rolled back afterwards, whatever it committed."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionSession}
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """Give every request an empty `g`, as a real server does.

    The `db` fixture keeps an app context pushed for the whole test and Flask reuses it for test-client
    requests, so `g` (the cached user, the cached store settings) would otherwise leak between requests.
    """
    from flask import g, request_started

    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@pytest.fixture
def client(app, db):
    """A test client reading English; tests of the pt_BR default make their own client."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def factory(db):
    return Factory(db)


@pytest.fixture
def login(client):
    """Log a user in through the real login form; returns the response."""
    def _login(user, password="correct horse 1"):
        page = client.get("/login")
        token = _csrf_from(page.get_data(as_text=True))
        return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    return _login


def _csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


@pytest.fixture
def csrf_from():
    return _csrf_from


@pytest.fixture
def count_queries(app, db):
    """Count SQL statements run inside the `with` block."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        statements = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return _count


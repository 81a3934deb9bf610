"""The load balancer's probes and the request id, through the test client."""
import io
import logging
import os
import re
import socket

import pytest
import redis
from flask.logging import default_handler

from portal.core import health
from portal.extensions import talisman
from portal.models import StoreSettings

from . import cluster

pytestmark = pytest.mark.db

REDIS_URL = cluster.REDIS_URL


def _dead_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_redis():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return REDIS_URL


def test_healthz_answers_without_a_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_checks_the_database(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}
    assert "Set-Cookie" not in response.headers


def test_readyz_checks_redis_when_configured(client, app, monkeypatch, live_redis):
    monkeypatch.setitem(app.config, "REDIS_URL", live_redis)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_redis_is_down_and_logs_why_with_the_request_id(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_dead_port()}/0")
    monkeypatch.setattr(health.log, "disabled", False)  # alembic's fileConfig in the test set-up disabled it
    stream = io.StringIO()
    previous = default_handler.setStream(stream)
    attach = default_handler not in app.logger.handlers  # Flask leaves it out while pytest's handlers listen
    if attach:
        app.logger.addHandler(default_handler)
    try:
        response = client.get("/readyz", headers={"X-Request-ID": "probe-42"})
    finally:
        default_handler.setStream(previous)
        if attach:
            app.logger.removeHandler(default_handler)
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed"}}
    assert response.headers["X-Request-ID"] == "probe-42"
    logged = stream.getvalue()
    assert re.search(r"WARNING request_id=probe-42 portal\.core\.health: Readiness check redis failed", logged)


def test_probes_are_open_while_the_portal_is_off(client, app, db, factory, login, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    StoreSettings.get().portal_active = False
    db.session.commit()
    login(factory.user())
    assert client.get("/orders").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json()["status"] == "ready"


def test_probes_are_not_redirected_to_https(client, monkeypatch):
    monkeypatch.setattr(talisman, "force_https", True)
    assert client.get("/login").status_code == 302
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code != 302


@pytest.mark.parametrize("incoming", ["abc-123_X.y", "a" * 64])
def test_a_sane_incoming_request_id_is_kept(client, incoming):
    assert client.get("/healthz", headers={"X-Request-ID": incoming}).headers["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["", "a" * 65, "has space", "semi;colon", "tab\tchar", "<script>", "ünï"])
def test_an_odd_incoming_request_id_is_replaced(client, incoming):
    answered = client.get("/healthz", headers={"X-Request-ID": incoming}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", answered)


def test_every_response_has_its_own_request_id(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert first != second and re.fullmatch(r"[0-9a-f]{32}", first)


def test_json_errors_carry_the_request_id(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json", "X-Request-ID": "req-7"})
    assert response.status_code == 404
    assert response.get_json()["error"]["request_id"] == "req-7"
    assert response.headers["X-Request-ID"] == "req-7"


def test_log_records_outside_a_request_say_so():
    from portal.core.request_id import RequestIdFilter

    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", (), None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"

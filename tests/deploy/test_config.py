"""DATABASE_URL and REDIS_URL select the production components; PROXY_FIX_HOPS is opt-in."""
from flask import Flask, request
from huey import RedisHuey, SqliteHuey

from portal import register_proxy_fix
from portal.config import engine_options, load_config
from portal.core import queue


def test_postgresql_connections_are_pre_pinged_and_recycled():
    options = engine_options("postgresql+psycopg://portal@db/portal")
    assert options["pool_pre_ping"] is True and options["pool_recycle"] == 1800
    assert options["connect_args"] == {"connect_timeout": 5}


def test_sqlite_gets_only_the_pre_ping():
    assert engine_options("sqlite:///x.db") == {"pool_pre_ping": True}


def test_database_and_redis_urls_switch_the_components(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:pw@db:5432/portal")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://portal:pw@db:5432/portal"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert isinstance(queue.build_huey(), RedisHuey)


def test_without_redis_everything_stays_local(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(queue.build_huey(), SqliteHuey)


def _echo_app(hops: int) -> Flask:
    app = Flask("echo")
    app.config["PROXY_FIX_HOPS"] = hops
    register_proxy_fix(app)
    app.add_url_rule("/", "who", lambda: f"{request.remote_addr} {request.scheme}")
    return app


def test_forwarded_headers_are_trusted_only_when_configured():
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    assert _echo_app(1).test_client().get("/", headers=headers).text == "203.0.113.7 https"
    assert _echo_app(0).test_client().get("/", headers=headers).text == "127.0.0.1 http"

"""Failed sign-ins are kept only as the limiter's counters in Redis, each expiring with its longest window."""
import pytest
import redis
import requests
from flask_migrate import upgrade
from limits import parse_many

from portal import create_app
from portal.extensions import db

from . import cluster

pytestmark = pytest.mark.deploy

# A Redis database of its own: the two-instance tests flush 9 to 15, the periodic-task tests use 5.
REDIS_URL = "redis://127.0.0.1:6379/6"
LIMITS = {"RATELIMIT_LOGIN": "10 per minute;50 per hour", "RATELIMIT_LOGIN_ACCOUNT": "10 per 15 minutes;30 per day",
          "RATELIMIT_LOGIN_UNTRUSTED": "100 per hour", "RATELIMIT_LOGIN_DEVICE": "10 per hour"}


@pytest.fixture
def limits_db():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        cluster.unavailable("Redis at " + REDIS_URL)
    for key in client.scan_iter("LIMITS*"):
        client.delete(key)
    yield client
    for key in client.scan_iter("LIMITS*"):
        client.delete(key)
    client.close()


def test_failed_sign_ins_leave_only_counters_that_expire(tmp_path, limits_db):
    database_url = "sqlite:///" + str(tmp_path / "portal.db")
    schema = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with schema.app_context():
        upgrade()
        db.engine.dispose()
    env = cluster.portal_env(database_url, tmp_path, REDIS_URL=REDIS_URL, **LIMITS)
    instance = cluster.Instance(env, tmp_path / "gunicorn.log")
    try:
        instance.wait_ready()
        session = requests.Session()
        for _attempt in range(3):
            response = cluster.log_in(session, instance.url, "ninguem@example.com", "wrong password 1")
            assert response.status_code == 200, instance.output()[-2000:]
    finally:
        instance.stop()
    keys = list(limits_db.scan_iter("LIMITS*"))
    assert any(b"ninguem@example.com" in key for key in keys), keys
    longest = max(item.get_expiry() for value in LIMITS.values() for item in parse_many(value))
    for key in keys:
        ttl = limits_db.ttl(key)
        assert 0 < ttl <= longest, (key, ttl)

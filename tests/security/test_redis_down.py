"""Redis down: signing in and the reset form keep working, with the per-address limits kept in memory."""
import pytest

from portal import create_app
from portal.extensions import limiter

pytestmark = pytest.mark.db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _app_on_dead_redis(database_url, tmp_path, **extra):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test",
                       "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": DEAD_REDIS,
                       "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
                       "RATELIMIT_LOGIN": "3 per minute", "MAIL_DIR": str(tmp_path), **extra})


@pytest.fixture
def keep_limiter():
    # The limiter is one object for every app of the process: put its storage back for the other tests.
    saved = dict(limiter.__dict__)
    yield
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


@pytest.fixture
def redis_down_app(database_url, tmp_path, keep_limiter):
    return _app_on_dead_redis(database_url, tmp_path)


def test_without_the_memory_fallback_errors_are_swallowed_and_sign_in_works(database_url, tmp_path, keep_limiter,
                                                                             factory, csrf_from):
    app = _app_on_dead_redis(database_url, tmp_path, RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False)
    user = factory.user()
    factory.db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"email": user.email, "password": "errada", "csrf_token": token})
    right = client.post("/login", data={"email": user.email, "password": "correct horse 1", "csrf_token": token})
    assert (wrong.status_code, right.status_code) == (200, 302)


def test_signing_in_works_while_redis_is_down(redis_down_app, factory, csrf_from):
    user = factory.user()
    factory.db.session.commit()
    client = redis_down_app.test_client()
    page = client.get("/login")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    wrong = client.post("/login", data={"email": user.email, "password": "errada", "csrf_token": token})
    assert wrong.status_code == 200
    right = client.post("/login", data={"email": user.email, "password": "correct horse 1", "csrf_token": token})
    assert right.status_code == 302


def test_the_per_address_limit_still_holds_in_memory(redis_down_app, factory, csrf_from):
    user = factory.user()
    factory.db.session.commit()
    client = redis_down_app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    statuses = [client.post("/login", data={"email": user.email, "password": "errada", "csrf_token": token},
                            environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code for _ in range(5)]
    assert 500 not in statuses and statuses[-1] == 429

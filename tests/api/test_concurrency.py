"""Two back-office PUTs racing to create the same order or the same customer, on a portal served for real.

The portal runs in a background thread with its own app and its own database (a migrated SQLite file, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set); the requests commit for real, so the rolled-back `db` fixture
cannot be used. Each request is held just before its first INSERT until the other one has read the same "nothing
here yet", so that both really try to create the row.
"""
import os
import threading

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import event, func, select

from portal import create_app
from portal.accounts import users as accounts
from portal.extensions import db
from portal.models import Order, User
from portal.store.setup import ensure_defaults

from ..conftest import _database_url
from ..live import serve
from . import order_body

pytestmark = pytest.mark.db


@pytest.fixture
def race_server(tmp_path, worker_id):
    """Serve a portal on 127.0.0.1 from a thread; yield its API URL, app, token and the INSERT barrier."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "race-tests",
        "SQLALCHEMY_DATABASE_URI": (
            _database_url(f"{worker_id}_api_race") if os.environ.get("TEST_DATABASE_URL", "").strip()
            else "sqlite:///" + str(tmp_path / "portal.db")),
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(tmp_path / "mail"),
    })
    with app.app_context():
        upgrade()
        ensure_defaults()
        _token, raw = accounts.create_api_token("back office")
        db.session.commit()
        engine = db.engine
    barrier = threading.Barrier(2, timeout=5)
    held = threading.local()

    def hold_first_insert(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT") and not getattr(held, "done", False):
            held.done = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    with serve(app, "race-portal") as served:
        url = f"{served.url}/api/v1"
        headers = {"Authorization": f"Bearer {raw}"}
        # Use the token once beforehand, so that its last-used time is not the first thing both requests write.
        assert requests.get(f"{url}/statuses", headers=headers, timeout=10).status_code == 200
        event.listen(engine, "before_cursor_execute", hold_first_insert)
        try:
            yield app, url, headers
        finally:
            event.remove(engine, "before_cursor_execute", hold_first_insert)
    engine.dispose()


def _put_at_once(url: str, headers: dict, puts: list[tuple[str, dict]]) -> list[requests.Response]:
    answers: list = [None] * len(puts)

    def put(i: int, number: str, body: dict):
        answers[i] = requests.put(f"{url}/orders/{number}", json=body, headers=headers, timeout=30)

    threads = [threading.Thread(target=put, args=(i, *job)) for i, job in enumerate(puts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(40)
    return answers


def _count(app, model, **filters) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters))


def test_the_same_new_order_put_twice_at_once_gives_one_order(race_server):
    app, url, headers = race_server
    answers = _put_at_once(url, headers, [("7001", order_body()), ("7001", order_body())])
    assert sorted(answer.status_code for answer in answers) == [200, 201], [a.text for a in answers]
    assert all(answer.json()["number"] == "7001" for answer in answers)
    assert _count(app, Order, number="7001") == 1
    assert _count(app, User, email="ana.lima@example.com") == 1


def test_two_new_orders_of_one_new_customer_at_once_give_one_customer(race_server):
    app, url, headers = race_server
    answers = _put_at_once(url, headers, [("7101", order_body()), ("7102", order_body())])
    assert [answer.status_code for answer in answers] == [201, 201], [a.text for a in answers]
    assert sorted(answer.json()["customer_created"] for answer in answers) == [False, True]
    assert _count(app, Order, number="7101") == 1 and _count(app, Order, number="7102") == 1
    assert _count(app, User, email="ana.lima@example.com") == 1

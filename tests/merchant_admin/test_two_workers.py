"""Two app processes on one database: a status type changed through one shows on the other's next page view.

Each app is what a gunicorn worker holds (its own engine, its own module state), so a process-local cache of
statuses or settings would show the old timeline here.
"""
import os
import re

import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db as _db
from portal.models import OrderStatus, Role, StatusType

from ..factories import PASSWORD, Factory

pytestmark = pytest.mark.db


@pytest.fixture
def two_workers(tmp_path, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("runs on its own SQLite file; the PostgreSQL run adds nothing here")
    url = "sqlite:///" + os.path.join(tmp_path, "shared.db")
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
              "MAIL_BACKEND": "file", "MAIL_DIR": str(tmp_path / "mail")}
    first, second = create_app(dict(config)), create_app(dict(config))
    with first.app_context():
        upgrade()
        make = Factory(_db)
        shopper = make.user(email="compradora@example.com")
        admin = make.user(Role.admin, email="admin@example.com")
        make.status("EM TRÂNSITO FINAL")
        order = make.order(shopper, "EM TRÂNSITO FINAL", paid=True, shipped=True, shipping_code="AA123456785BR")
        _db.session.commit()
        ids = {"order": order.number, "status": _db.session.scalar(
            _db.select(OrderStatus.id).where(OrderStatus.name == "EM TRÂNSITO FINAL"))}
        assert admin.id
    yield first, second, ids
    for app in (first, second):
        with app.app_context():
            _db.engine.dispose()


def signed_in(app, email):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def state_of(html: str, step: str) -> str:
    return re.search(rf'data-step="{step}" data-state="(\w+)"', html).group(1)


def test_a_type_saved_by_one_worker_shows_on_the_other(two_workers):
    first, second, ids = two_workers
    shopper = signed_in(first, "compradora@example.com")
    before = shopper.get(f"/orders/{ids['order']}").get_data(as_text=True)
    assert state_of(before, "delivered") != "done"

    admin = signed_in(second, "admin@example.com")
    response = admin.post(f"/merchant-admin/statuses/{ids['status']}",
                          data={"name": "EM TRÂNSITO FINAL", "type": StatusType.completed.value, "version": "1"})
    assert response.status_code == 302

    after = shopper.get(f"/orders/{ids['order']}").get_data(as_text=True)
    assert state_of(after, "delivered") == "done"

"""Changing the e-mail address (a link to the new one, a notice to the old one) and the password."""
import email
import email.policy
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from portal import create_app
from portal.accounts import credentials
from portal.extensions import limiter
from portal.models import AuditEntry, EmailChange, Role, User
from portal.models.base import utcnow

from ..factories import PASSWORD

pytestmark = pytest.mark.db

NEW = "joana.nova@example.com"


@pytest.fixture
def mail_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    return tmp_path / "mail"


def mails(directory: Path) -> list:
    if not directory.exists():
        return []
    files = sorted(directory.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://portal\.test(/account/email/confirm/\S+)", text).group(1)


@pytest.fixture
def shopper(factory, login, db):
    user = factory.user(name="Joana Lima", email="joana@example.com")
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def send(client, csrf_from):
    def _send(url, data, page=None):
        token = csrf_from(client.get(page or url).get_data(as_text=True))
        return client.post(url, data={**data, "csrf_token": token})
    return _send


def fresh(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def ask(send, new=NEW, password=PASSWORD):
    return send("/account/email", {"new_email": new, "password": password})


def test_a_link_goes_to_the_new_address_and_a_notice_to_the_old_one(client, shopper, send, db, mail_dir):
    response = ask(send)
    assert response.status_code == 200 and NEW in response.get_data(as_text=True)
    assert fresh(db, shopper).email == "joana@example.com"  # nothing changes before the link is opened
    confirm, notice = mails(mail_dir)
    assert confirm["To"] == NEW and "Confirme seu novo e-mail" in confirm["Subject"]  # the store's language
    assert notice["To"] == "joana@example.com" and NEW in notice.get_body(("plain",)).get_content()
    path = link_in(confirm)
    token = path.rsplit("/", 1)[1]
    [change] = db.session.scalars(db.select(EmailChange)).all()
    assert change.token_hash != token and len(change.token_hash) == 64  # only the hash is kept
    assert timedelta(hours=23) < change.expires_at - change.created_at <= timedelta(hours=24)

    page = client.get(path)
    assert page.status_code == 200 and fresh(db, shopper).email == "joana@example.com"  # a GET changes nothing
    response = send(path, {})
    assert response.status_code == 303
    assert fresh(db, shopper).email == NEW
    done = mails(mail_dir)[-1]
    assert done["To"] == "joana@example.com" and "Seu e-mail foi alterado" in done["Subject"]
    actions = [row.action for row in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.user_id == shopper.id).order_by(AuditEntry.id))]
    assert actions == ["email.change_requested", "email.change_confirmed"]

    again = send(path, {}, page="/account")  # single use
    assert again.status_code == 404 and "invalid, expired or was already used" in again.get_data(as_text=True)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("new, password, status, message", [
    ("not-an-address", PASSWORD, 422, "Enter a valid e-mail address."),
    ("joana@", PASSWORD, 422, "Enter a valid e-mail address."),
    ("taken@example.com", PASSWORD, 422, "Another account already uses this e-mail address."),
    ("TAKEN@example.com", PASSWORD, 422, "Another account already uses this e-mail address."),
    ("joana@example.com", PASSWORD, 422, "This is already your e-mail address."),
    (NEW, "wrong password", 422, "The current password is not right."),
])
def test_a_bad_request_is_refused_and_nothing_is_sent(client, shopper, send, factory, db, mail_dir, new, password,
                                                      status, message):
    factory.user(email="taken@example.com")
    db.session.commit()
    response = ask(send, new, password)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert db.session.scalars(db.select(EmailChange)).all() == [] and mails(mail_dir) == []


@pytest.mark.parametrize("spoil", ["expired", "tampered", "used", "someone_elses"])
def test_a_bad_link_shows_a_clear_page_and_writes_nothing(client, shopper, send, factory, db, mail_dir, spoil):
    ask(send)
    path = link_in(mails(mail_dir)[0])
    change = db.session.scalar(db.select(EmailChange))
    if spoil == "expired":
        change.expires_at = utcnow() - timedelta(seconds=1)
    elif spoil == "tampered":
        path = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    elif spoil == "used":
        change.used_at = utcnow()
    else:
        change.user_id = factory.user().id
    db.session.commit()
    assert client.get(path).status_code == 404
    response = send(path, {}, page="/account")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    assert fresh(db, shopper).email == "joana@example.com"


def test_an_address_taken_before_the_link_is_opened_is_refused(client, shopper, send, factory, db, mail_dir):
    ask(send)
    path = link_in(mails(mail_dir)[0])
    factory.user(email=NEW)
    db.session.commit()
    response = send(path, {}, page="/account")
    assert response.status_code == 409 and "Another account already uses" in response.get_data(as_text=True)
    assert fresh(db, shopper).email == "joana@example.com"


def test_a_new_request_voids_the_older_link(client, shopper, send, db, mail_dir):
    ask(send)
    first = link_in(mails(mail_dir)[0])
    ask(send, "joana.outra@example.com")
    assert client.get(first).status_code == 404


def test_the_password_changes_and_other_sessions_end(app, client, shopper, send, db, csrf_from):
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(other.get("/login").get_data(as_text=True))
    other.post("/login", data={"email": shopper.email, "password": PASSWORD, "csrf_token": token})
    assert other.get("/orders").status_code == 200
    before = fresh(db, shopper).session_token

    response = send("/account/password", {"current_password": PASSWORD, "new_password": "novasenha123",
                                          "confirm": "novasenha123"})
    assert response.status_code == 303
    user = fresh(db, shopper)
    assert user.check_password("novasenha123") and user.session_token != before
    assert "Your password was changed." in client.get("/account").get_data(as_text=True)  # this one stays in
    assert other.get("/orders").status_code == 302  # the other session is signed out
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="password.change"))
    assert entry.user_id == shopper.id


@pytest.mark.parametrize("data, message", [
    ({"current_password": "errada", "new_password": "novasenha123", "confirm": "novasenha123"},
     "The current password is not right."),
    ({"current_password": PASSWORD, "new_password": "curta", "confirm": "curta"}, "at least 8 characters"),
    ({"current_password": PASSWORD, "new_password": "novasenha123", "confirm": "outrasenha1"},
     "The two passwords do not match."),
])
def test_a_bad_password_change_is_refused_with_a_message(client, shopper, send, db, data, message):
    response = send("/account/password", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert fresh(db, shopper).check_password(PASSWORD)


@pytest.fixture
def operator_serving(client, factory, login, db):
    customer = factory.user(name="Joana Lima", email="joana@example.com")
    operator = factory.user(role=Role.operator, name="Otávio Operador")
    db.session.commit()
    login(operator)
    with client.session_transaction() as session:
        session["acting"] = {"customer": customer.id, "operator": operator.id, "seen": int(time.time())}
    return customer


def test_an_operator_serving_the_customer_can_change_neither(client, operator_serving, csrf_from, db, mail_dir):
    html = client.get("/account").get_data(as_text=True)
    assert "data-change-email" not in html and "data-change-password" not in html
    token = csrf_from(html)
    for path, data in (("/account/email", {"new_email": NEW, "password": ""}),
                       ("/account/password", {"new_password": "novasenha123", "confirm": "novasenha123"})):
        assert client.get(path).status_code == 403
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403
    raw = "x" * 43
    assert client.get(f"/account/email/confirm/{raw}").status_code == 403
    customer = fresh(db, operator_serving)
    assert customer.email == "joana@example.com" and customer.check_password(PASSWORD)
    assert db.session.scalars(db.select(EmailChange)).all() == [] and mails(mail_dir) == []


def test_the_link_of_a_request_cannot_be_used_by_an_operator_serving(client, operator_serving, csrf_from, db):
    _change, raw = credentials.request_email_change(operator_serving, NEW, PASSWORD)
    db.session.commit()
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.post(f"/account/email/confirm/{raw}", data={"csrf_token": token}).status_code == 403
    assert fresh(db, operator_serving).email == "joana@example.com"


@pytest.fixture
def limited_app(database_url, db, tmp_path):
    """A second app with rate limits on; the limiter is one object, so it is switched off again afterwards."""
    limited = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test",
        "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False, "MAIL_DIR": str(tmp_path),
    })
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = False


def test_wrong_current_passwords_are_rate_limited_like_logins(limited_app, factory, db):
    user = factory.user(email="limitada@example.com")
    db.session.commit()
    client = limited_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    data = {"current_password": "errada", "new_password": "novasenha123", "confirm": "novasenha123"}
    statuses = [client.post("/account/password", data=data).status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]
    assert fresh(db, user).check_password(PASSWORD)

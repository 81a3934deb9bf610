"""Sign-in, sign-out, first access, password reset, language and rate limits."""
import email
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask_login import current_user  # noqa: F401

from portal import create_app
from portal.config import load_config
from portal.extensions import limiter
from portal.models import LoginLink, LoginLinkPurpose, Role
from portal.models.base import utcnow

from ..factories import PASSWORD

pytestmark = pytest.mark.db


@pytest.fixture
def mail_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    return tmp_path / "mail"


def mails(directory: Path) -> list[email.message.EmailMessage]:
    if not directory.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in directory.glob("*.eml")]


def post_form(client, csrf_from, url, data, page_url=None):
    page = client.get(page_url or url)
    return client.post(url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_login_page_has_labelled_email_and_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="email"[^>]*>E-mail</label>', html)
    assert 'name="email"' in html and 'name="password"' in html
    assert 'type="password"' in html


def test_login_with_right_password_goes_to_orders(client, factory, login):
    user = factory.user()
    response = login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/orders"
    assert client.get("/orders").status_code == 200


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "inactive", "no password yet"])
def test_failed_logins_answer_the_same_generic_message(client, factory, csrf_from, case):
    user = factory.user(email="maria@example.com", active=case != "inactive",
                        password=None if case == "no password yet" else PASSWORD)
    address = "nobody@example.com" if case == "unknown e-mail" else user.email
    password = "wrong password" if case == "wrong password" else PASSWORD
    response = post_form(client, csrf_from, "/login", {"email": address, "password": password})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E-mail or password is incorrect." in html
    assert f'value="{address}"' in html
    assert client.get("/orders").status_code == 302


def test_staff_may_log_in(client, factory, login):
    assert login(factory.user(role=Role.agent)).status_code == 302
    assert client.get("/orders").status_code == 200


@pytest.mark.parametrize("target, expected", [
    ("/orders/123", "/orders/123"),
    ("/orders?page=2", "/orders?page=2"),
    ("//evil.example/x", "/orders"),
    ("/\\evil.example", "/orders"),
    ("\\\\evil.example", "/orders"),
    ("https://evil.example/", "/orders"),
    ("javascript:alert(1)", "/orders"),
    ("/\t/evil.example", "/orders"),
    ("evil.example", "/orders"),
    ("", "/orders"),
])
def test_next_only_leads_inside_the_portal(client, factory, csrf_from, target, expected):
    user = factory.user()
    page = client.get("/login", query_string={"next": target})
    response = client.post("/login", query_string={"next": target}, data={
        "email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True)),
    })
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_form_keeps_a_safe_next_and_drops_a_bad_one(client):
    assert 'action="/login?next=/orders/5"' in client.get("/login?next=/orders/5").get_data(as_text=True)
    html = client.get("/login?next=//evil.example").get_data(as_text=True)
    assert '<form method="post" action="/login" novalidate>' in html


def test_logout_requires_post_with_csrf(client, factory, login):
    login(factory.user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/orders").status_code == 200


def test_logout_kills_a_copied_session_cookie(app, client, factory, login, csrf_from):
    login(factory.user())
    copied = client.get_cookie("session", domain="portal.test").value
    html = client.get("/orders").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    thief = app.test_client()
    thief.set_cookie("session", copied, domain="portal.test")
    response = thief.get("/orders")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_copied_cookie_works_before_logout(app, client, factory, login):
    login(factory.user())
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session", domain="portal.test").value, domain="portal.test")
    assert other.get("/orders").status_code == 200


def _link_from(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+/access/\S+", text)
    assert match, text
    return match.group(0)


def test_forgot_password_sends_one_link_that_works_once(client, factory, csrf_from, mail_dir, db):
    user = factory.user(email="ana@example.com")
    response = post_form(client, csrf_from, "/forgot", {"email": "ANA@example.com"})
    assert response.status_code == 200
    assert "If this address belongs to an account" in response.get_data(as_text=True)
    sent = mails(mail_dir)
    assert len(sent) == 1 and sent[0]["To"] == "ana@example.com"
    assert sent[0].get_body(("html",)) is not None
    link = _link_from(sent[0])
    assert link.startswith("http://portal.test/access/")
    path = link.removeprefix("http://portal.test")
    assert db.session.scalar(db.select(LoginLink.purpose).filter_by(user_id=user.id)) is LoginLinkPurpose.reset

    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, data={"password": "a brand new secret", "confirm": "a brand new secret",
                                       "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"] == "/orders"
    assert client.get("/orders").status_code == 200
    assert user.check_password("a brand new secret")

    again = client.get(path)
    assert again.status_code == 404
    assert "invalid or has expired" in again.get_data(as_text=True)
    assert 'href="/forgot"' in again.get_data(as_text=True)


def test_first_access_link_for_a_user_without_password(client, factory, csrf_from, mail_dir, db):
    user = factory.user(password=None)
    post_form(client, csrf_from, "/forgot", {"email": user.email})
    assert len(mails(mail_dir)) == 1
    link = db.session.scalar(db.select(LoginLink).filter_by(user_id=user.id))
    assert link.purpose is LoginLinkPurpose.first_access


def test_unknown_or_inactive_email_gets_the_same_answer_and_no_mail(client, factory, csrf_from, mail_dir):
    inactive = factory.user(active=False)
    known = factory.user()
    answers = []
    for address in ("nobody@example.com", inactive.email, known.email):
        response = post_form(client, csrf_from, "/forgot", {"email": address})
        assert response.status_code == 200
        answers.append(re.sub(r'value="[^"]+"', "", response.get_data(as_text=True)))
    assert answers[0] == answers[1] == answers[2]
    assert len(mails(mail_dir)) == 1


def test_expired_link_is_refused(client, factory, csrf_from, mail_dir, db):
    user = factory.user()
    post_form(client, csrf_from, "/forgot", {"email": user.email})
    path = _link_from(mails(mail_dir)[0]).removeprefix("http://portal.test")
    link = db.session.scalar(db.select(LoginLink).filter_by(user_id=user.id))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert client.get(path).status_code == 404
    html = client.get("/forgot").get_data(as_text=True)
    response = client.post(path, data={"password": "whatever 123", "confirm": "whatever 123",
                                       "csrf_token": csrf_from(html)})
    assert response.status_code == 404
    assert not user.check_password("whatever 123")


def test_set_password_form_shows_errors_in_place(client, factory, csrf_from, mail_dir):
    user = factory.user()
    post_form(client, csrf_from, "/forgot", {"email": user.email})
    path = _link_from(mails(mail_dir)[0]).removeprefix("http://portal.test")
    page = client.get(path)
    response = client.post(path, data={"password": "short", "confirm": "other",
                                       "csrf_token": csrf_from(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and "aria-describedby" in html
    assert client.get(path).status_code == 200


def test_mail_is_written_in_the_users_language(client, factory, csrf_from, mail_dir):
    user = factory.user(locale="en")
    post_form(client, csrf_from, "/forgot", {"email": user.email})
    assert "Reset your password" in mails(mail_dir)[0]["Subject"]


def test_language_switch_is_kept_in_the_session(client, csrf_from):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="' in html
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_from(html)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("data, status", [
    ({"lang": "xx", "next": "/login"}, 400),
    ({"lang": "en", "next": "//evil.example"}, 303),
])
def test_language_switch_refuses_bad_input(client, csrf_from, data, status):
    html = client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={**data, "csrf_token": csrf_from(html)})
    assert response.status_code == status
    assert "evil" not in response.headers.get("Location", "")


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


def test_eleventh_bad_login_in_a_minute_gets_429(limited_app, factory):
    client = limited_app.test_client()
    user = factory.user()
    for _ in range(10):
        response = client.post("/login", data={"email": user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Muitas tentativas" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200


def test_forgot_is_rate_limited(limited_app):
    client = limited_app.test_client()
    statuses = [client.post("/forgot", data={"email": "x@example.com"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def _session_cookie(response) -> dict[str, str]:
    """Return the attributes of the response's session cookie, names lower-cased."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    parts = [part.strip() for part in headers[0].split(";")[1:]]
    return {name.lower(): value for name, _sep, value in (part.partition("=") for part in parts)}


def test_session_cookie_is_httponly_and_samesite_lax(client, factory, login):
    response = login(factory.user())
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "httponly" in cookie
    assert cookie["samesite"] == "Lax"
    assert "secure" not in cookie


def test_portal_https_turns_secure_cookies_on(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    assert load_config(str(tmp_path))["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("PORTAL_HTTPS", "0")
    assert load_config(str(tmp_path))["SESSION_COOKIE_SECURE"] is False


def test_session_cookie_is_secure_when_the_app_runs_with_secure_cookies(app, client, factory, csrf_from,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    user = factory.user()
    token = csrf_from(client.get("https://portal.test/login").get_data(as_text=True))
    response = client.post("https://portal.test/login",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                           headers={"Referer": "https://portal.test/login"})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "secure" in cookie and "httponly" in cookie
    assert cookie["samesite"] == "Lax"


def test_one_account_guessed_from_many_addresses_is_limited(limited_app, factory):
    # The ceiling for clients without a device cookie; tests/security/test_login_throttling.py covers the rest.
    limited_app.config["RATELIMIT_LOGIN_UNTRUSTED"] = "10 per hour"
    client = limited_app.test_client()
    user = factory.user()
    statuses = [client.post("/login", data={"email": f" {user.email.upper()} ", "password": "wrong"},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
    other = factory.user()
    response = client.post("/login", data={"email": other.email, "password": "wrong"},
                           environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert response.status_code == 200


def test_the_address_limit_is_kept_per_address(limited_app, factory):
    client = limited_app.test_client()
    users = [factory.user() for _ in range(31)]
    statuses = [client.post("/login", data={"email": user.email, "password": "wrong"},
                            environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code for user in users]
    assert statuses == [200] * 30 + [429]  # thirty accounts, once each: the address's own limit
    response = client.post("/login", data={"email": users[0].email, "password": "wrong"},
                           environ_base={"REMOTE_ADDR": "10.0.1.2"})
    assert response.status_code == 200

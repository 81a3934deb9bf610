"""Every class of response carries the declared security headers, and every cookie is HttpOnly and SameSite.

The policy is written out here, not read from portal/core/security.py, so that loosening it there fails this test.
The 500 classes come from a separate app with one extra route that raises (the portal has no such route); the
production-mode checks from an app built with PORTAL_ENV=production.
"""
import io

import pytest
from werkzeug.datastructures import FileStorage

from portal import create_app
from portal.extensions import limiter, talisman
from portal.models import Role
from portal.tickets import lifecycle, reasons

from .csrf_world import sign_in

pytestmark = pytest.mark.db

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; frame-src {frames}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
          "object-src 'none'")
STRICT = POLICY.format(frames="'none'")
TRACKING_HOST = "rastreio.example.com"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def assert_declared_headers(response, policy: str = STRICT) -> None:
    headers = response.headers
    assert headers.get("Content-Security-Policy") == policy
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"


def cookie_attributes(response) -> list[dict]:
    """Return each Set-Cookie of the response as {attribute: value}, names lower-cased, `name` for the cookie."""
    cookies = []
    for header in response.headers.getlist("Set-Cookie"):
        name, *parts = [part.strip() for part in header.split(";")]
        attributes = {key.lower(): value for key, _sep, value in (part.partition("=") for part in parts)}
        cookies.append({"name": name.partition("=")[0], **attributes})
    return cookies


def assert_cookies_safe(response, secure: bool) -> None:
    for cookie in cookie_attributes(response):
        assert "httponly" in cookie, cookie
        assert cookie.get("samesite") in {"Lax", "Strict"}, cookie
        assert ("secure" in cookie) is secure, cookie


@pytest.fixture
def store(app, factory, csrf_from, tmp_path, monkeypatch):
    """A shopper with an order tracked on an embedded carrier page and a ticket with an attachment."""
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    shopper = factory.user(name="Joana Lima")
    factory.trusted_host(TRACKING_HOST)
    order = factory.order(shopper, status="ENVIADO", paid=True, shipped=True,
                          shipping_code=f"https://{TRACKING_HOST}/t?id=1")
    upload = FileStorage(io.BytesIO(PNG), filename="foto.png", content_type="image/png")
    reason = reasons.create_reason(factory.user(Role.admin), "Produto danificado")
    ticket = lifecycle.open_ticket(order, shopper, reason.id, "Caixa amassada", "Veja a foto.", uploads=[upload])
    token = factory.api_token("headers")
    factory.db.session.commit()
    return {"shopper": sign_in(app, csrf_from, shopper), "anonymous": sign_in(app, csrf_from, None),
            "order": order, "attachment": ticket.messages[0].attachments[0], "token": token}


def _bearer(store):
    return {"Authorization": f"Bearer {store['token']}"}


# Each class of response: how to get one, and the status it has.
RESPONSES = {
    "html page": (lambda s: s["shopper"].get("/orders"), 200),
    "html sign-in page": (lambda s: s["anonymous"].get("/login"), 200),
    "json api answer": (lambda s: s["anonymous"].get("/api/v1/orders", headers=_bearer(s)), 200),
    "json api error": (lambda s: s["anonymous"].get("/api/v1/orders"), 401),
    "json api 404": (lambda s: s["anonymous"].get("/api/v1/orders/nope", headers=_bearer(s)), 404),
    "json api 405": (lambda s: s["anonymous"].get("/api/v1/products", headers=_bearer(s)), 405),
    "html 404": (lambda s: s["shopper"].get("/no-such-page"), 404),
    "html 403": (lambda s: s["shopper"].get("/staff/"), 403),
    "html 405": (lambda s: s["shopper"].get("/logout"), 405),
    "html 400 (csrf)": (lambda s: s["shopper"].post("/logout"), 400),
    "static file": (lambda s: s["anonymous"].get("/static/css/portal.css"), 200),
    "theme stylesheet": (lambda s: s["anonymous"].get("/theme.css"), 200),
    "attachment download": (lambda s: s["shopper"].get(f"/tickets/attachments/{s['attachment'].id}"), 200),
}


@pytest.mark.parametrize("kind", RESPONSES)
def test_every_response_class_carries_the_declared_headers(store, kind):
    fetch, status = RESPONSES[kind]
    response = fetch(store)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert_declared_headers(response)
    assert_cookies_safe(response, secure=False)


@pytest.mark.parametrize("suffix", ["/tracking", ""])
def test_the_tracking_pages_frame_only_the_trusted_hosts(store, suffix):
    response = store["shopper"].get(f"/orders/{store['order'].number}{suffix}")
    assert response.status_code == 200
    assert_declared_headers(response, POLICY.format(frames=f"https://{TRACKING_HOST}"))


def test_the_attachment_is_a_download_that_is_never_sniffed(store):
    response = store["shopper"].get(f"/tickets/attachments/{store['attachment'].id}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == PNG


def test_signing_in_sets_only_httponly_samesite_cookies(app, factory, csrf_from):
    client = app.test_client()
    page = client.get("/login")
    user = factory.user()
    response = client.post("/login", data={"email": user.email, "password": "correct horse 1",
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert {cookie["name"] for cookie in cookie_attributes(page) + cookie_attributes(response)} >= {"session"}
    assert_cookies_safe(page, secure=False)
    assert_cookies_safe(response, secure=False)


@pytest.fixture
def keep_shared_extensions():
    """Talisman and the limiter are one object for every app: put the session app's settings back afterwards."""
    saved_talisman, saved_enabled = dict(talisman.__dict__), limiter.enabled
    yield
    talisman.__dict__.clear()
    talisman.__dict__.update(saved_talisman)
    limiter.enabled = saved_enabled


@pytest.fixture
def failing_app(database_url, keep_shared_extensions):
    """The portal with one extra route that raises, as a bug in a view would."""
    failing = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test",
                          "RATELIMIT_ENABLED": False})

    def boom():
        raise RuntimeError("a bug in a view")

    failing.add_url_rule("/boom", "boom", boom)
    failing.add_url_rule("/api/v1/boom", "api_boom", boom)
    return failing


@pytest.mark.parametrize("path, kind", [("/boom", "text/html"), ("/api/v1/boom", "application/json")])
def test_the_500_answers_carry_the_declared_headers(failing_app, path, kind):
    response = failing_app.test_client().get(path)
    assert response.status_code == 500 and response.mimetype == kind
    assert "a bug in a view" not in response.get_data(as_text=True)
    assert_declared_headers(response)


@pytest.fixture
def limited_app(database_url, keep_shared_extensions, tmp_path):
    limited = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test",
                          "RATELIMIT_ENABLED": True, "RATELIMIT_RESET": "1 per minute", "WTF_CSRF_ENABLED": False,
                          "MAIL_DIR": str(tmp_path)})
    limiter.reset()
    yield limited
    limiter.reset()


def test_the_429_answer_carries_the_declared_headers(limited_app):
    client = limited_app.test_client()
    statuses = [client.post("/forgot", data={"email": "ninguem@example.com"}) for _ in range(2)]
    assert [response.status_code for response in statuses] == [200, 429]
    assert_declared_headers(statuses[1])
    assert_cookies_safe(statuses[1], secure=False)


@pytest.fixture
def production_app(database_url, keep_shared_extensions, monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-headers-test")
    monkeypatch.delenv("PORTAL_HTTPS", raising=False)
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test",
                       "RATELIMIT_ENABLED": False, "MAIL_DIR": str(tmp_path)})


def test_production_cookies_are_secure_and_http_is_sent_to_https(production_app, factory, csrf_from):
    user = factory.user()
    factory.db.session.commit()
    client = production_app.test_client()
    assert client.get("http://portal.test/login").status_code in {301, 302}
    page = client.get("https://portal.test/login")
    assert page.status_code == 200
    assert_declared_headers(page)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("https://portal.test/login", data={"email": user.email, "password": "correct horse 1",
                                                              "csrf_token": token},
                           headers={"Referer": "https://portal.test/login"})
    assert response.status_code == 302
    assert {cookie["name"] for cookie in cookie_attributes(page) + cookie_attributes(response)} >= {"session"}
    assert_cookies_safe(page, secure=True)
    assert_cookies_safe(response, secure=True)

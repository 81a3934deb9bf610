"""Login throttling that strangers cannot turn into a lock-out: device cookies, per-client and per-account counters.

Each test client is one browser (its own cookie jar); REMOTE_ADDR set per request is the client address
(ProxyFix is off by default, so the portal reads the socket's address).
"""
import email
import email.policy
import re
from itertools import count
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.extensions import limiter
from portal.web.auth.throttle import COOKIE

from ..factories import PASSWORD

pytestmark = pytest.mark.db

WRONG = "not the password"
_addresses = count(1)


@pytest.fixture
def limited_app(database_url, db, tmp_path):
    """An app with rate limits on and a low untrusted ceiling (20 an hour) so that a test reaches it quickly."""
    limited = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "portal.test",
        "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False, "MAIL_DIR": str(tmp_path / "mail"),
        "RATELIMIT_LOGIN_UNTRUSTED": "20 per hour",
    })
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = False


def shopper(factory, email=None):
    """A user whose password hash is cheap to check: these tests try hundreds of passwords."""
    user = factory.user(email=email)
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    factory.db.session.flush()
    return user


def new_address() -> str:
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def sign_in(browser, user, password=PASSWORD, address=None):
    return browser.post("/login", data={"email": user.email, "password": password},
                        environ_base={"REMOTE_ADDR": address or new_address()})


def attack(app, user, times: int) -> list[int]:
    """Wrong passwords for the user, each from another client address and a browser without cookies."""
    return [sign_in(app.test_client(), user, WRONG).status_code for _ in range(times)]


def device_cookie(browser):
    return browser.get_cookie(COOKIE, domain="portal.test", path="/login")


def known_browser(app, user):
    browser = app.test_client()
    assert sign_in(browser, user).status_code == 302
    assert device_cookie(browser) is not None
    browser.post("/logout", environ_base={"REMOTE_ADDR": new_address()})
    return browser


def test_an_attack_from_many_addresses_does_not_stop_the_owner_on_a_known_browser(limited_app, factory):
    maria = shopper(factory, "maria@demo.test")
    browser = known_browser(limited_app, maria)
    statuses = attack(limited_app, maria, 30)
    assert statuses == [200] * 20 + [429] * 10  # the untrusted ceiling: the attacker stays throttled
    assert sign_in(browser, maria).status_code == 302
    assert attack(limited_app, maria, 1) == [429]


def test_the_owner_on_a_new_browser_waits_until_the_reset_link_makes_it_known(limited_app, factory, tmp_path):
    maria = shopper(factory, "maria@demo.test")
    attack(limited_app, maria, 20)
    browser = limited_app.test_client()
    refused = sign_in(browser, maria)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Muitas tentativas de entrar nesta conta" in refused.get_data(as_text=True)

    assert browser.post("/forgot", data={"email": maria.email}).status_code == 200
    [mail] = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
              for p in Path(tmp_path / "mail").glob("*.eml")]
    link = re.search(r"http://portal\.test(/access/[\w.~-]+)", mail.get_body(("plain",)).get_content()).group(1)
    done = browser.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert done.status_code == 302 and device_cookie(browser) is not None
    browser.post("/logout", environ_base={"REMOTE_ADDR": new_address()})

    assert sign_in(browser, maria, "a brand new secret").status_code == 302
    assert attack(limited_app, maria, 1) == [429]  # the reset does not lift the lock for strangers


def test_a_tampered_or_another_accounts_device_cookie_is_no_exemption(limited_app, factory):
    maria, bob = shopper(factory, "maria@demo.test"), shopper(factory, "bob@demo.test")
    marias = known_browser(limited_app, maria)
    bobs = known_browser(limited_app, bob)
    attack(limited_app, maria, 20)
    assert sign_in(bobs, maria).status_code == 429  # Bob's browser is known to Bob, not to Maria

    value = device_cookie(marias).value
    payload, _, signature = value.rpartition(".")
    tampered = limited_app.test_client()
    tampered.set_cookie(COOKIE, f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
                        domain="portal.test", path="/login")
    assert sign_in(tampered, maria).status_code == 429
    bobs_value = device_cookie(bobs).value
    swapped = limited_app.test_client()
    swapped.set_cookie(COOKIE, bobs_value.replace(bobs_value.split(".")[0], value.split(".")[0], 1),
                       domain="portal.test", path="/login")
    assert sign_in(swapped, maria).status_code == 429
    assert sign_in(marias, maria).status_code == 302


def test_a_known_browsers_failures_lock_out_its_cookie_not_the_account(limited_app, factory):
    maria = shopper(factory, "maria@demo.test")
    stolen = known_browser(limited_app, maria)
    phone = known_browser(limited_app, maria)
    attack(limited_app, maria, 20)
    statuses = [sign_in(stolen, maria, WRONG).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]  # ten failures on the cookie, then it counts as untrusted
    assert sign_in(stolen, maria).status_code == 429
    assert sign_in(phone, maria).status_code == 302  # the owner's other browser has its own cookie


def test_failures_count_per_account_and_client_address(limited_app, factory):
    limited_app.config["RATELIMIT_LOGIN"] = "1000 per minute"  # leave the per-address limit out of the way
    maria, other = shopper(factory, "maria@demo.test"), shopper(factory)
    here = new_address()
    statuses = [sign_in(limited_app.test_client(), maria, WRONG, address=here).status_code for _ in range(10)]
    assert statuses == [200] * 10
    assert sign_in(limited_app.test_client(), maria, address=here).status_code == 429
    assert sign_in(limited_app.test_client(), other, address=here).status_code == 302
    assert sign_in(limited_app.test_client(), maria).status_code == 302  # another client address


def test_with_the_default_ceiling_ten_failures_from_strangers_lock_nobody_out(limited_app, factory):
    limited_app.config["RATELIMIT_LOGIN_UNTRUSTED"] = "100 per hour"  # the shipped default
    maria = shopper(factory, "maria@demo.test")
    assert attack(limited_app, maria, 12) == [200] * 12
    assert sign_in(limited_app.test_client(), maria).status_code == 302  # a new browser too


def test_the_device_cookie_is_signed_httponly_strict_and_long_lived(limited_app, factory):
    response = sign_in(limited_app.test_client(), shopper(factory))
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip().partition("=")[2] for part in header.split(";")[1:]}
    assert "httponly" in attributes and attributes["samesite"] == "Strict" and attributes["path"] == "/login"
    assert int(attributes["max-age"]) == 365 * 86400
    assert "secure" not in attributes
    limited_app.config["SESSION_COOKIE_SECURE"] = True
    response = sign_in(limited_app.test_client(), shopper(factory))
    assert "Secure" in [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")][0]


def test_staff_sharing_one_address_sign_in_on_their_known_browsers(limited_app, factory):
    """A shop's staff behind one address: their known browsers are not held to the per-address limit, which
    (with the shipped 30 a minute) still stops one address from trying accounts without end."""
    limited_app.config["RATELIMIT_LOGIN"] = "30 per minute;300 per hour"  # the shipped default
    staff = [shopper(factory, f"agente{n}@loja.test") for n in range(35)]
    browsers = [known_browser(limited_app, person) for person in staff]
    shop = new_address()
    assert [sign_in(browser, person, address=shop).status_code
            for browser, person in zip(browsers, staff, strict=True)] == [302] * 35
    newcomers = [sign_in(limited_app.test_client(), person, address=shop).status_code for person in staff]
    assert newcomers == [302] * 30 + [429] * 5
    assert sign_in(browsers[0], staff[0], address=shop).status_code == 302  # the known ones go on


def test_a_cookie_spares_the_address_limit_only_until_its_own_failures_are_spent(limited_app, factory):
    """A browser known to one account that tries others: each failure counts on its cookie, and once ten are
    spent it is held to the per-address limit like any other."""
    limited_app.config["RATELIMIT_LOGIN"] = "12 per minute"
    mine = shopper(factory, "eu@demo.test")
    others = [shopper(factory, f"alvo{n}@demo.test") for n in range(20)]
    browser = known_browser(limited_app, mine)
    here = new_address()
    statuses = [sign_in(browser, target, WRONG, address=here).status_code for target in others]
    # ten failures on the cookie exempt from the address limit, then twelve a minute from the address
    assert statuses == [200] * 10 + [200] * 10
    assert sign_in(browser, others[0], WRONG, address=here).status_code == 200
    assert sign_in(browser, others[1], WRONG, address=here).status_code == 200
    assert sign_in(browser, others[2], WRONG, address=here).status_code == 429

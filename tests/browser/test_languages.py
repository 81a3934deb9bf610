"""Every offered language in a real browser: the main pages carry no string left in another language, and the
longest (German) texts fit a 375 px phone."""
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Order, Role, TicketReason, User
from portal.tickets import lifecycle as tickets

from ..factories import PASSWORD, Factory
from .conftest import _confine
from .screens import PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2] / "portal" / "translations"
ACCEPT = {"pt_BR": "pt-BR", "en": "en-US", "cs": "cs-CZ", "fr": "fr-FR", "de": "de-DE"}
# Shorter texts ("SLA", "E-mail", "Status") are the same word in several languages.
MIN_LENGTH = 14
STAFF_EMAIL = "gerente.idiomas@example.com"


@cache
def _catalog(locale: str) -> dict[str, str]:
    with open(ROOT / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        po = read_po(f, locale=locale)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string and "%" not in m.id
            and "{" not in m.id and "<" not in m.id}


def foreign_strings(locale: str) -> set[str]:
    """Texts that must not show on a page in `locale`: the English sources and the pt_BR texts it translates."""
    own = set(_catalog(locale).values()) if locale != "en" else set(_catalog("pt_BR"))
    found = set()
    if locale != "en":
        found |= {msgid for msgid, text in _catalog(locale).items() if text != msgid}
    if locale != "pt_BR":
        found |= set(_catalog("pt_BR").values())
    return {text for text in found - own if len(text) >= MIN_LENGTH}


@pytest.fixture
def in_language(browser, browser_context_args, live_server):
    """Open a browser context whose browser asks for the given language (Accept-Language and navigator)."""
    opened = []

    def _open(locale: str, **kwargs):
        args = {**browser_context_args, "locale": ACCEPT[locale], **kwargs}
        context = _confine(browser.new_context(**args), live_server.url)
        opened.append(context)
        return context

    yield _open
    for context in opened:
        context.close()


@pytest.fixture(scope="module")
def languages(live_server):
    return [code for code in live_server.app.config["LANGUAGES"]]


@pytest.fixture(scope="module")
def staff_and_ticket(live_server, live_data):
    """An admin, and a ticket of the shopper answered and closed (so the thread shows every part)."""
    with live_server.app.app_context():
        make = Factory(_db)
        admin = _db.session.scalar(_db.select(User).filter_by(email=STAFF_EMAIL)) or \
            make.user(Role.admin, email=STAFF_EMAIL, name="Gerente")
        shopper = _db.session.scalar(_db.select(User).filter_by(email=live_data.email))
        order = _db.session.scalar(_db.select(Order).filter_by(number=live_data.paid))
        reason = _db.session.scalar(_db.select(TicketReason).order_by(TicketReason.position))
        ticket = tickets.open_ticket(order, shopper, reason.id, "Pedido 500002", "Olá?")
        tickets.reply_as_staff(ticket, admin, "Tudo certo.", "customer", expected_version=ticket.version)
        _db.session.commit()
        return ticket.number


def _pages(live_data, number: str) -> tuple[list[str], list[str]]:
    shopper = ["/orders", f"/orders/{live_data.correios}", f"/orders/{live_data.paid}/help", "/tickets",
               f"/tickets/{number}"]
    staff = ["/staff/", f"/staff/tickets/{number}", "/staff/kpis", "/merchant-admin/channels",
             "/merchant-admin/ticket-reasons"]
    return shopper, staff


def _sign_in(page, email: str):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state("load")


def _leftovers(page, locale: str) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    return sorted(s for s in foreign_strings(locale) if s in text)


@pytest.mark.parametrize("locale", ["pt_BR", "en", "cs", "fr", "de"])
def test_every_main_page_speaks_only_the_chosen_language(in_language, live_data, staff_and_ticket, languages,
                                                         locale):
    if locale not in languages:
        pytest.skip(f"{locale} is not offered")
    shopper_pages, staff_pages = _pages(live_data, staff_and_ticket)
    found = {}
    for email, paths in ((live_data.email, shopper_pages), (STAFF_EMAIL, staff_pages)):
        context = in_language(locale)
        page = context.new_page()
        _sign_in(page, email)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, path
            expect(page.locator("html")).to_have_attribute("lang", ACCEPT[locale].split("-")[0] if locale != "pt_BR"
                                                           else "pt-BR")
            if left := _leftovers(page, locale):
                found[path] = left[:5]
    assert found == {}


def test_german_pages_fit_a_phone(in_language, live_data, staff_and_ticket, languages):
    if "de" not in languages:
        pytest.skip("German is not offered")
    shopper_pages, staff_pages = _pages(live_data, staff_and_ticket)
    wide = {}
    for email, paths in ((live_data.email, shopper_pages), (STAFF_EMAIL, staff_pages)):
        context = in_language("de", viewport=PHONE)
        page = context.new_page()
        _sign_in(page, email)
        for path in paths:
            page.goto(path)
            if (width := page_width(page)) > PHONE["width"]:
                wide[path] = (width, page.evaluate("""() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > 376)
                    .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""))
    assert wide == {}

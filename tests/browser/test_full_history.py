"""The order's full history in a real browser: opened by keyboard, a list of dated entries, fine on a phone."""
import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Role, TicketReason, TrackingSnapshot, User, Visibility
from portal.models.base import utcnow
from portal.tickets import lifecycle as tickets
from trackers import correios_standin

from ..factories import PASSWORD, Factory
from .screens import DESKTOP, PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NUMBER = "500300"
NOTE = "Nota interna que o comprador nunca vê"


def _code() -> str:
    from portal.demo.data import correios_code

    return correios_code(47300052)


@pytest.fixture(scope="module")
def history_order(live_server, live_data):
    """Commit a shipped order of the shopper with a stored Correios history and a ticket with an internal note."""
    code = _code()
    with live_server.app.app_context():
        make = Factory(_db)
        shopper = _db.session.scalar(_db.select(User).where(User.email == live_data.email))
        agent = make.user(email="agente-historico@example.com", role=Role.agent)
        order = make.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=code, number=NUMBER,
                           carrier="Correios")
        _db.session.add(TrackingSnapshot(code=code, events=correios_standin.canned_history(code, utcnow()),
                                         error=None, fetched_at=utcnow()))
        reason = _db.session.scalars(_db.select(TicketReason.id)).first()
        ticket = tickets.open_ticket(order, shopper, reason, "Entrega", "Quando chega meu pedido?")
        tickets.reply_as_staff(ticket, agent, "Já está com os Correios.", Visibility.customer, expected_version=None)
        tickets.reply_as_staff(ticket, agent, NOTE, Visibility.internal, expected_version=None)
        _db.session.commit()
        return {"number": NUMBER, "ticket": ticket.number, "agent": agent.email}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_full_history_opens_by_keyboard_and_lists_dated_entries(shopper, history_order, viewport):
    page = shopper
    page.set_viewport_size(viewport)
    page.goto(f"/orders/{history_order['number']}")
    summary = page.locator("[data-full-history] > summary")
    expect(summary).to_contain_text("Histórico completo")
    entries = page.locator("[data-full-history] ol > li")
    expect(entries.first).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(entries.first).to_be_visible()
    assert entries.count() >= 9
    assert page.locator("[data-full-history] ol > li time[datetime]").count() == entries.count()
    expect(page.locator("[data-full-history] [data-by-carrier]")).to_contain_text("Entregue pelos Correios em")
    expect(page.locator('[data-full-history] [data-history-entry="message"]').first).to_contain_text(
        "Já está com os Correios")
    assert NOTE not in page.content()
    assert page_width(page) <= viewport["width"]

    page.locator(f'[data-full-history] a[href="/tickets/{history_order["ticket"]}"]').first.click()
    expect(page).to_have_url(re.compile(rf"/tickets/{history_order['ticket']}$"))


def test_the_agent_sees_the_internal_note_marked_in_the_workspace(make_context, history_order):
    page = make_context().new_page()
    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.locator("input[name=email]").fill(history_order["agent"])
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("input[name=password]")).to_have_count(0)
    page.goto(f"/staff/tickets/{history_order['ticket']}")
    page.locator("[data-full-history] > summary").click()
    note = page.locator('[data-full-history] [data-history-visibility="internal"]')
    expect(note).to_contain_text(NOTE)
    expect(note.locator('[data-mark="internal"]')).to_have_text("Nota interna")
    assert page_width(page) <= PHONE["width"]

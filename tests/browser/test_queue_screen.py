"""The staff queue on an agent's screen: 20 rows at 1920x1080 without wrapping, cards at 375 px, and the keys."""

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Role, Ticket, TicketReason, TicketStatus, User
from portal.tickets import lifecycle as tickets

from ..factories import PASSWORD, Factory
from .screens import PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FULL_HD = {"width": 1920, "height": 1080}
AGENT = "fila.agente@example.com"


@pytest.fixture(scope="session")
def queue_data(live_server, live_data) -> str:
    """Commit an agent and 30 open tickets on the shopper's orders (a full first page of the queue)."""
    with live_server.app.app_context():
        make = Factory(_db)
        make.user(Role.agent, email=AGENT, name="Fila Agente")
        shopper = _db.session.scalar(_db.select(User).where(User.email == live_data.email))
        reason = _db.session.scalars(_db.select(TicketReason).order_by(TicketReason.position)).first()
        for n in range(30):
            order = make.order(shopper, "ENVIADO", paid=True, number=str(9500400 + n),
                               marketplace_order_number=f"MLB-{2000000000 + n}")
            tickets.open_ticket(order, shopper, reason.id, f"Pergunta número {n} sobre o pedido",
                                "Quando chega?")
        _db.session.commit()
    return AGENT


@pytest.fixture
def agent(page, queue_data):
    page.goto("/login")
    page.locator("input[name=email]").fill(queue_data)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.goto("/staff/")
    expect(page.locator("tr[data-ticket]").first).to_be_visible()
    return page


def test_at_full_hd_twenty_rows_fit_and_numbers_and_dates_stay_on_one_line(agent):
    agent.set_viewport_size(FULL_HD)
    agent.goto("/staff/")
    agent.wait_for_load_state("load")
    visible = agent.evaluate("""() => [...document.querySelectorAll('tr[data-ticket]')]
        .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length""")
    assert visible >= 20, f"{visible} rows visible without scrolling"
    # An inline box that wraps is split into several rectangles: each number, code and date must be one.
    wrapped = agent.evaluate("""() => [...document.querySelectorAll(
            'tr[data-ticket] th a, tr[data-ticket] time, tr[data-ticket] td.nowrap > *')]
        .filter(el => el.getClientRects().length !== 1).map(el => el.textContent.trim())""")
    assert wrapped == []
    assert page_width(agent) <= FULL_HD["width"]


def test_at_375_px_the_queue_is_cards_without_sideways_scrolling(agent):
    agent.set_viewport_size(PHONE)
    agent.goto("/staff/")
    row = agent.locator("tr[data-ticket]").first
    expect(row).to_be_visible()
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    assert agent.locator("table.queue thead").evaluate("el => el.getBoundingClientRect().height") <= 1
    assert page_width(agent) <= PHONE["width"]


def selected(page) -> str | None:
    return page.evaluate("() => document.querySelector('tr[aria-selected=true]')?.dataset.ticket || null")


def test_j_and_k_move_and_question_mark_lists_the_keys_but_not_while_typing(agent):
    rows = agent.locator("tr[data-ticket]")
    first, second = rows.nth(0).get_attribute("data-ticket"), rows.nth(1).get_attribute("data-ticket")
    agent.locator("body").press("j")
    assert selected(agent) == first
    agent.keyboard.press("j")
    assert selected(agent) == second
    agent.keyboard.press("k")
    assert selected(agent) == first
    expect(agent.locator("[data-queue-keys]")).to_be_hidden()
    agent.keyboard.press("?")
    expect(agent.locator("[data-queue-keys]")).to_be_visible()
    agent.keyboard.press("?")
    search = agent.locator("#q-search")
    search.click()
    search.press_sequentially("jk?")
    expect(search).to_have_value("jk?")
    assert selected(agent) == first
    expect(agent.locator("[data-queue-keys]")).to_be_hidden()


def test_r_opens_the_ticket_to_reply_and_n_to_write_a_note(agent):
    number = agent.locator("tr[data-ticket]").nth(1).get_attribute("data-ticket")
    agent.locator("body").press("j")
    agent.keyboard.press("j")
    agent.keyboard.press("r")
    expect(agent).to_have_url(re.compile(rf"/staff/tickets/{number}#reply$"))
    expect(agent.locator("#reply-body")).to_be_focused()
    agent.goto("/staff/")
    agent.locator("body").press("j")
    agent.keyboard.press("n")
    expect(agent).to_have_url(re.compile(r"/staff/tickets/\d+#note$"))
    expect(agent.locator("#reply-body")).to_be_focused()
    expect(agent.locator('input[name="visibility"][value="internal"]')).to_be_checked()


def test_two_rows_selected_by_key_and_click_are_closed_after_the_confirmation(agent, live_server, live_data):
    with live_server.app.app_context():
        shopper = _db.session.scalar(_db.select(User).where(User.email == live_data.email))
        order = Factory(_db).order(shopper, "ENVIADO", paid=True, number="9500490")
        reason = _db.session.scalars(_db.select(TicketReason.id).order_by(TicketReason.position)).first()
        numbers = [tickets.open_ticket(order, shopper, reason, f"Fechar em massa {n}", "Pode fechar").number
                   for n in range(2)]
        _db.session.commit()
    agent.goto("/staff/?sort=newest")
    rows = agent.locator("tr[data-ticket]")
    shown = [rows.nth(0).get_attribute("data-ticket"), rows.nth(1).get_attribute("data-ticket")]
    assert sorted(shown) == sorted(numbers)
    agent.locator("body").press("j")
    agent.keyboard.press("x")  # the first row by its key
    rows.nth(1).locator("[data-bulk-select]").click()  # the second by a click
    expect(agent.locator("[data-bulk-count]")).to_contain_text("2")
    expect(agent.locator("[data-bulk-all]")).to_be_visible()
    agent.locator("#bulk-action").select_option("close")
    agent.locator("[data-bulk-bar] button[type=submit]").click()
    expect(agent.locator("[data-bulk-confirm=close]")).to_be_visible()
    expect(agent.locator("tr[data-bulk-ticket]")).to_have_count(2)
    agent.locator("[data-bulk-confirm-button]").click()
    expect(agent).to_have_url(re.compile(r"/staff/"))
    expect(agent.locator(".flash--success")).to_be_visible()
    with live_server.app.app_context():
        closed = _db.session.scalars(_db.select(Ticket.status).where(Ticket.number.in_(numbers))).all()
    assert closed == [TicketStatus.closed, TicketStatus.closed]

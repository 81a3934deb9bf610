"""A late order in a real browser: the shopper's banner, and the staff queue's late filter and badge."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Role, TicketReason, User
from portal.models.base import utcnow
from portal.tickets import lifecycle as tickets

from ..factories import PASSWORD, Factory
from .screens import DESKTOP, PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LATE_ORDER = "9500301"
ON_TIME_ORDER = "9500302"


@dataclass(frozen=True)
class LateData:
    agent_email: str
    late_ticket: str
    on_time_ticket: str


@pytest.fixture(scope="session")
def late_data(live_server, live_data) -> LateData:
    """Commit a late order and an order on time of the shopper, a ticket on each, and an agent."""
    with live_server.app.app_context():
        make = Factory(_db)
        agent = make.user(Role.agent, email="late.agente@example.com", name="Lia Agente")
        shopper = _db.session.scalar(_db.select(User).where(User.email == live_data.email))
        yesterday = utcnow() - timedelta(days=1)
        late = make.order(shopper, "ENVIADO", paid=True, shipped=True, number=LATE_ORDER,
                          shipping_code="https://rastreio.desconhecida.test/r/9500301",
                          expected_delivery_on=(yesterday - timedelta(days=2)).date(),
                          late_since=yesterday, late_reason="expected_date")
        on_time = make.order(shopper, "ENVIADO", paid=True, shipped=True, number=ON_TIME_ORDER,
                             shipping_code="https://rastreio.desconhecida.test/r/9500302")
        reason = _db.session.scalars(_db.select(TicketReason).order_by(TicketReason.position)).first()
        first = tickets.open_ticket(late, shopper, reason.id, "Pedido não chegou", "Já passou da data.")
        second = tickets.open_ticket(on_time, shopper, reason.id, "Dúvida na nota", "Onde vejo a nota?")
        _db.session.commit()
        return LateData(agent.email, first.number, second.number)


def sign_in_as(page, email: str):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_shopper_sees_a_late_banner_with_what_happens_next(shopper, late_data, viewport):
    shopper.set_viewport_size(viewport)
    shopper.goto(f"/orders/{LATE_ORDER}")
    banner = shopper.get_by_role("status").filter(has_text="Seu pedido está atrasado.")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("A data prevista de entrega já passou.")
    expect(banner).to_contain_text("verificando com a transportadora")
    assert page_width(shopper) <= viewport["width"]
    help_link = banner.get_by_role("link", name="Pedir ajuda com este pedido")
    help_link.focus()
    shopper.keyboard.press("Enter")
    expect(shopper).to_have_url(re.compile(rf"/orders/{LATE_ORDER}/help"))
    shopper.goto(f"/orders/{ON_TIME_ORDER}")
    expect(shopper.locator("[data-step]").first).to_be_visible()
    expect(shopper.locator("[data-late-banner]")).to_have_count(0)


def test_staff_filter_the_queue_to_late_orders_and_see_the_badge(make_context, late_data):
    page = sign_in_as(make_context().new_page(), late_data.agent_email)
    page.goto("/staff/")
    late_row = page.locator(f'[data-ticket="{late_data.late_ticket}"]')
    expect(late_row.get_by_text("Pedido atrasado")).to_be_visible()
    expect(page.locator(f'[data-ticket="{late_data.on_time_ticket}"] [data-late]')).to_have_count(0)
    page.get_by_label("Somente pedidos atrasados").check()
    page.locator("[data-queue-filters] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]late=1"))
    expect(page.locator(f'[data-ticket="{late_data.late_ticket}"]')).to_be_visible()
    expect(page.locator(f'[data-ticket="{late_data.on_time_ticket}"]')).to_have_count(0)
    expect(page.get_by_label("Somente pedidos atrasados")).to_be_checked()
    page.locator(f'[data-ticket="{late_data.late_ticket}"] a').first.click()
    expect(page.locator(".workspace__header [data-late]")).to_have_text("Pedido atrasado")

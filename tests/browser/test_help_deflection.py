"""Help deflection in a real browser: "Where is my order?" is answered first; "I still need help" opens the form."""
import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import TicketReason, User

from ..factories import Factory
from .screens import PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ORDER = "500301"


@pytest.fixture(scope="session")
def delivery_reason_id(live_server, live_data) -> int:
    """Commit a shipped Correios order of the shopper, of its own so no other test's tickets mix in."""
    with live_server.app.app_context():
        shopper = _db.session.scalar(_db.select(User).where(User.email == live_data.email))
        Factory(_db).order(shopper, "ENVIADO", paid=True, shipped=True, number=ORDER,
                           shipping_code=live_data.correios_code)
        _db.session.commit()
        return _db.session.scalar(_db.select(TicketReason.id).where(TicketReason.code == "onde_esta_meu_pedido"))


def test_where_is_my_order_is_answered_before_the_ticket(shopper, delivery_reason_id):
    shopper.set_viewport_size(PHONE)
    shopper.goto(f"/orders/{ORDER}")
    shopper.locator("[data-order-help]").click()
    expect(shopper.locator("[data-ticket-form]")).to_have_count(0)
    shopper.get_by_label("Onde está meu pedido?").check()
    shopper.locator("[data-reason-picker] button[type=submit]").click()

    answer = shopper.locator("[data-deflection-answer]")
    expect(answer).to_be_visible()
    expect(answer.locator("[data-answer-step]")).to_have_attribute("data-answer-step", "delivered")
    expect(answer.locator("[data-expected-delivery]")).to_be_visible()
    expect(shopper.locator("[data-ticket-form]")).to_have_count(0)
    assert page_width(shopper) <= PHONE["width"]

    need_help = shopper.locator("[data-need-help]")
    need_help.focus()
    expect(need_help).to_be_focused()
    need_help.press("Enter")

    form = shopper.locator("[data-ticket-form]")
    expect(form).to_be_visible()
    expect(shopper).to_have_url(re.compile(rf"/orders/{ORDER}/help\?.*need_help=1.*#ticket-form$"))
    expect(form.locator("select[name=reason]")).to_have_value(str(delivery_reason_id))
    expect(form.locator("input[name=subject]")).to_have_value("Onde está meu pedido?")
    expect(form.locator("input[name=deflection]")).not_to_have_value("")
    # The shopper's own words: the language test reads this session's ticket lists for catalog texts.
    form.locator("input[name=subject]").fill("Pedido 500002 sem novidades")
    form.locator("textarea[name=body]").fill("O rastreio não muda há dias.")
    form.locator("button[type=submit]").click()

    expect(shopper).to_have_url(re.compile(r"/tickets/\d{11}$"))
    expect(shopper.get_by_text("O rastreio não muda há dias.")).to_be_visible()

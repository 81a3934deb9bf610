"""Undelivered mail in a real browser: the list and long headers fit a phone; discarding works by keyboard."""
import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Role
from portal.tickets import inbound_mail

from ..factories import Factory
from .screens import PHONE, page_width
from .test_late_orders import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LONG = "x" * 400


@pytest.fixture(scope="session")
def kept_mail_id(live_server, live_data) -> tuple[str, int]:
    """Commit an agent and an automatic reply with an over-long header and an unbroken line of text."""
    with live_server.app.app_context():
        agent = Factory(_db).user(Role.agent, email="naoentregues.agente@example.com", name="Nara Agente")
        raw = (f"From: ferias@mail.example\r\nTo: suporte@loja.example\r\nSubject: Ausente\r\n"
               f"Message-ID: <browser-kept@mail.example>\r\nAuto-Submitted: auto-replied\r\n"
               f"X-Long: {LONG}\r\n\r\nEstou fora {LONG}\r\n").encode()
        row = inbound_mail.receive(raw)
        _db.session.commit()
        return agent.email, row.id


def test_staff_read_and_discard_an_undelivered_mail_on_a_phone(make_context, kept_mail_id):
    email, mail_id = kept_mail_id
    page = sign_in_as(make_context().new_page(), email)
    page.set_viewport_size(PHONE)
    page.goto("/staff/")
    page.get_by_role("link", name="Não entregues").first.click()
    row = page.locator(f'[data-mail="{mail_id}"]')
    expect(row.get_by_text("Resposta automática")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    row.get_by_role("link").click()
    expect(page.locator("[data-mail-headers]")).to_contain_text("Auto-Submitted: auto-replied")
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("button", name="Descartar").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/inbound-mail$"))
    expect(page.locator(f'[data-mail="{mail_id}"]')).to_have_count(0)

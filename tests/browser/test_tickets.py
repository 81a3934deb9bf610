"""Tickets end to end in a real browser: a shopper asks, two agents work the ticket, the shopper sees the result.

The story runs in order inside one test (each step needs the previous one); the staff users, a marketplace order
and a text module are committed once per session next to `live_data`.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import Role, TextModule, User

from ..factories import PASSWORD, Factory
from .screens import PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
MARKETPLACE_ORDER = "500201"
SECRET_ANSWER = "Resposta só para o marketplace"


@dataclass(frozen=True)
class StaffData:
    first_email: str
    first_name: str
    second_email: str
    second_name: str
    module_id: int


@pytest.fixture(scope="session")
def staff_data(live_server, live_data) -> StaffData:
    """Commit two agents, a marketplace order of the shopper and a text module of its channel."""
    with live_server.app.app_context():
        make = Factory(_db)
        make.user(Role.agent, email="ana.agente@example.com", name="Ana Agente")
        make.user(Role.agent, email="bruno.agente@example.com", name="Bruno Agente")
        shopper = _db.session.scalar(_db.select(User).where(User.email == live_data.email))
        channel = make.channel()
        make.order(
            shopper,
            "ENVIADO",
            paid=True,
            shipped=True,
            number=MARKETPLACE_ORDER,
            channel=channel,
            shipping_code=live_data.correios_code,
            marketplace_order_number="MLB-2001",
        )
        module = TextModule(
            channel_id=channel.id,
            title="Pedido a caminho",
            body="Olá {cliente}, o pedido {pedido} está a caminho.",
            position=1,
        )
        _db.session.add(module)
        _db.session.commit()
        return StaffData("ana.agente@example.com", "Ana Agente", "bruno.agente@example.com", "Bruno Agente", module.id)


def sign_in_as(page, email: str):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def open_ticket_as_shopper(page) -> str:
    page.goto(f"/orders/{MARKETPLACE_ORDER}")
    page.locator("[data-order-help]").click()
    picker = page.locator("[data-reason-picker]")
    picker.locator("input[name=reason]").first.check()
    picker.locator("button[type=submit]").click()
    expect(page.locator("[data-help-tracking]")).to_be_visible()
    page.locator("[data-need-help]").click()
    form = page.locator("[data-ticket-form]")
    form.locator("input[name=subject]").fill("Pedido atrasado")
    form.locator("textarea[name=body]").fill("Meu pedido ainda não chegou. Segue o comprovante.")
    form.locator("input[name=attachments]").set_input_files(
        [{"name": "comprovante.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/tickets/\d{11}$"))
    expect(page.locator("[data-attachment]", has_text="comprovante.png")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def answer_and_forward(page, number: str, staff: StaffData):
    page.goto("/staff/")
    page.locator("#q-search").fill(number)
    page.locator("#q-search").press("Enter")
    row = page.locator(f'[data-ticket="{number}"]')
    expect(row).to_have_count(1)
    row.get_by_role("link", name=number).click()

    module = page.locator(f'[data-module="{staff.module_id}"]')
    module.click()
    body = page.locator("#reply-body")
    expect(body).to_have_value(re.compile(rf"Olá Maria Souza, o pedido {MARKETPLACE_ORDER} está a caminho\."))
    expect(page.locator("[data-module-notice]")).to_contain_text("Pedido a caminho")
    expect(body).to_be_focused()
    body.press("End")
    body.type(f" {SECRET_ANSWER}")
    page.locator('input[name=visibility][value="marketplace"]').check()
    page.locator("[data-reply-form] button[type=submit]").click()
    expect(page.locator('[data-visibility="marketplace"]', has_text=SECRET_ANSWER)).to_be_visible()

    page.locator("#action-select").select_option("forward")
    forward = page.locator('[data-action-form="forward"]')
    expect(forward).to_be_visible()
    forward.locator("select[name=to_user]").select_option(label=staff.second_name)
    forward.locator("textarea[name=note]").fill("Pode fechar quando confirmar?")
    forward.locator("button[type=submit]").click()
    expect(page.locator("[data-assignee]")).to_have_text(staff.second_name)
    expect(page.locator('[data-event="forwarded"]')).to_be_visible()


def close_as_second_agent(page, number: str, staff: StaffData):
    page.goto("/staff/?tab=waiting&assignee=me")
    row = page.locator(f'[data-ticket="{number}"]')
    expect(row.locator("[data-received-from]")).to_have_text(staff.first_name)
    row.get_by_role("link", name=number).click()
    expect(page.locator("[data-received-from]")).to_contain_text(staff.first_name)
    page.locator("[data-close]").click()
    expect(page.locator("[data-ticket-status]").first).to_have_attribute("data-ticket-status", "closed")
    expect(page.locator('[data-event="closed"]')).to_be_visible()


def test_a_ticket_from_the_shopper_to_two_agents_and_back(shopper, make_context, staff_data):
    number = open_ticket_as_shopper(shopper)

    first = sign_in_as(make_context().new_page(), staff_data.first_email)
    answer_and_forward(first, number, staff_data)

    second = sign_in_as(make_context().new_page(), staff_data.second_email)
    close_as_second_agent(second, number, staff_data)

    shopper.goto(f"/tickets/{number}")
    expect(shopper.locator("[data-ticket-status]")).to_have_attribute("data-ticket-status", "closed")
    expect(shopper.get_by_text("Meu pedido ainda não chegou.")).to_be_visible()
    expect(shopper.locator("[data-attachment]", has_text="comprovante.png")).to_be_visible()
    expect(shopper.get_by_text(SECRET_ANSWER)).to_have_count(0)
    expect(shopper.get_by_text("Pode fechar quando confirmar?")).to_have_count(0)


def test_queue_is_cards_on_a_phone(make_context, staff_data):
    page = make_context().new_page()
    page.set_viewport_size(PHONE)
    sign_in_as(page, staff_data.first_email)
    page.goto("/staff/?tab=closed")
    expect(page.locator("[data-queue-filters]")).to_be_visible()
    rows = page.locator("[data-ticket]")
    if rows.count():
        assert rows.first.bounding_box()["width"] <= PHONE["width"]
    assert page_width(page) <= PHONE["width"]


def test_a_too_large_attachment_is_caught_before_sending(shopper, staff_data):
    shopper.goto(f"/orders/{MARKETPLACE_ORDER}/help")
    picker = shopper.locator("[data-reason-picker]")
    picker.locator("input[name=reason]").nth(1).check()  # a reason not about delivery: the form at once
    picker.locator("button[type=submit]").click()
    form = shopper.locator("[data-ticket-form]")
    form.locator("input[name=subject]").fill("Foto grande")
    form.locator("textarea[name=body]").fill("Texto que não pode se perder.")
    big = {"name": "grande.png", "mimeType": "image/png", "buffer": PNG + b"\x00" * (10 * 1024 * 1024)}
    form.locator("input[name=attachments]").set_input_files([big])
    form.locator("button[type=submit]").click()
    expect(shopper.locator("[data-attachments-check]")).to_contain_text("grande.png")
    expect(shopper).to_have_url(re.compile(rf"/orders/{MARKETPLACE_ORDER}/help\?reason=\d+$"))
    expect(form.locator("textarea[name=body]")).to_have_value("Texto que não pode se perder.")
    six = [{"name": f"f{i}.png", "mimeType": "image/png", "buffer": PNG} for i in range(6)]
    form.locator("input[name=attachments]").set_input_files(six)
    expect(shopper.locator("[data-attachments-check]")).to_contain_text("no máximo 5 arquivos")

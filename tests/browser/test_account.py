""""Minha conta" in a real browser: the address book with its UF list and two tabs, the password and e-mail
forms, and an order's delivery address, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from tests.factories import PASSWORD, Factory

from .screens import PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "conta-navegador@example.com"


@pytest.fixture(scope="module")
def account(live_server):
    """Commit a shopper of this module with an order still to be shipped (once per server)."""
    if getattr(live_server.app, "account_data", None):
        return live_server.app.account_data
    with live_server.app.app_context():
        make = Factory(_db)
        shopper = make.user(email=EMAIL, name="Lia Navegadora")
        number = make.order(shopper, "A ENVIAR", paid=True).number
        _db.session.commit()
    live_server.app.account_data = {"number": number}
    return live_server.app.account_data


def _sign_in(page):
    page.goto("/login")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("input[name=password]")).to_have_count(0)


def _fill_address(page, street: str):
    page.locator("#label").fill("Casa")
    page.locator("#postal_code").fill("01001000")
    page.locator("#street").fill(street)
    page.locator("#number").fill("10")
    page.locator("#city").fill("São Paulo")
    page.locator("#state").select_option("SP")


def test_the_address_book_in_two_tabs_never_loses_an_edit(make_context, account):
    context = make_context()
    page = context.new_page()
    _sign_in(page)
    page.goto("/account/addresses/new")
    assert page.locator("#state option").count() == 28  # "Escolha a UF" and the 27 UFs
    _fill_address(page, "Rua do Navegador")
    page.locator("[data-address-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/addresses$"))
    expect(page.locator("[data-default-address]")).to_have_count(1)  # the first address is the default
    expect(page.locator("address").first).to_contain_text("01001-000")

    page.locator("a", has_text="Editar").first.click()
    second = context.new_page()
    second.goto(page.url)
    page.locator("#street").fill("Rua da Primeira Aba")
    page.locator("[data-address-form] button[type=submit]").click()
    expect(page.locator("address").first).to_contain_text("Rua da Primeira Aba")

    second.locator("#street").fill("Rua da Segunda Aba")
    second.locator("[data-address-form] button[type=submit]").click()
    expect(second.locator("[data-form-error]")).to_contain_text("alterado nesse meio-tempo")
    expect(second.locator("#street")).to_have_value("Rua da Segunda Aba")
    expect(second.locator("[data-address-conflict]")).to_contain_text("Rua da Primeira Aba")
    second.locator("[data-address-form] button[type=submit]").click()  # saving again, knowingly, wins
    expect(second).to_have_url(re.compile(r"/account/addresses$"))
    expect(second.locator("address").first).to_contain_text("Rua da Segunda Aba")


def test_a_wrong_current_password_is_told_and_the_email_form_asks_for_the_password(make_context, account):
    page = make_context().new_page()
    _sign_in(page)
    page.goto("/account")
    page.locator("[data-change-password]").click()
    page.get_by_label("Senha atual").fill("senha errada")
    page.locator("#new_password").fill("outra senha 1")
    page.locator("#confirm").fill("outra senha 1")
    page.locator("#confirm").press("Enter")
    expect(page.locator("#current_password-error")).to_contain_text("A senha atual não está correta.")

    page.goto("/account")
    page.locator("[data-change-email]").click()
    page.get_by_label("Novo e-mail").fill("nao-e-um-email")
    page.get_by_label("Senha atual").fill(PASSWORD)
    page.locator("[data-email-form] button[type=submit]").click()
    expect(page.locator("#new_email-error")).to_be_visible()
    expect(page.get_by_label("Novo e-mail")).to_have_value("nao-e-um-email")


def test_the_shopper_changes_an_orders_delivery_address(make_context, account):
    page = make_context().new_page()
    _sign_in(page)
    page.goto(f"/orders/{account['number']}")
    page.locator("[data-change-delivery-address]").click()
    page.locator('[data-address-choice="new"]').check()
    page.locator("#postal_code").fill("20040-020")
    page.locator("#street").fill("Avenida Rio Branco")
    page.locator("#city").fill("Rio de Janeiro")
    page.locator("#state").select_option("RJ")
    page.locator("[data-order-address-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/orders/{account['number']}$"))
    expect(page.locator("#delivery-title + address, .addresses address").first).to_contain_text("Avenida Rio Branco")


def test_the_account_forms_fit_a_phone(make_context, account):
    page = make_context().new_page()
    page.set_viewport_size(PHONE)
    _sign_in(page)
    for path in ("/account", "/account/addresses", "/account/addresses/new", "/account/email", "/account/password",
                 f"/orders/{account['number']}/address"):
        page.goto(path)
        assert page_width(page) <= PHONE["width"], path

"""An operator serving a customer in a real browser: find, serve, the toolbar, Minha conta, end; on a phone too."""

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db as _db
from portal.models import CustomerAddress, Role
from tests.factories import PASSWORD, Factory

from .screens import PHONE, page_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def served(live_server):
    """Commit an operator and a customer with an order and an address (once per server)."""
    if getattr(live_server.app, "acting_data", None):
        return live_server.app.acting_data
    with live_server.app.app_context():
        make = Factory(_db)
        make.user(Role.operator, email="op-acting@example.com", name="Otávio Navegador")
        customer = make.user(
            email="rita-acting@example.com", name="Rita Atendida", document="11144477735", phone="(11) 90000-1111"
        )
        number = make.order(customer).number
        _db.session.add(
            CustomerAddress(
                user=customer,
                label="Casa",
                street="Rua do Teste",
                number="5",
                city="Campinas",
                state="SP",
                postal_code="13010-000",
                country="BR",
            )
        )
        _db.session.commit()
        data = {"number": number, "customer_id": customer.id}
    live_server.app.acting_data = data
    return data


def _sign_in(page, email):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("input[name=password]")).to_have_count(0)


def _serve(page):
    page.goto("/staff/customers")
    page.locator("#customer-q").fill("111.444.777-35")
    page.locator("#customer-q").press("Enter")
    page.locator("[data-customer] [data-act-for]").click()


def test_the_operator_serves_a_customer_through_the_toolbar(make_context, served):
    page = make_context().new_page()
    _sign_in(page, "op-acting@example.com")
    _serve(page)
    bar = page.locator("[data-acting-bar]")
    expect(bar).to_contain_text("Rita Atendida (rita-acting@example.com)")
    expect(bar).to_contain_text("Otávio Navegador")
    expect(page.locator(f"text={served['number']}").first).to_be_visible()

    page.locator('header a[href="/account"]').click()
    expect(bar).to_be_visible()
    page.locator("#phone").fill("(11) 95555-2222")
    page.locator("[data-account-form] button[type=submit]").click()
    expect(page.locator("[data-service-change]")).to_be_visible()
    expect(page.locator("#phone")).to_have_value("(11) 95555-2222")

    # The toolbar stays on screen while the page scrolls: it is fixed to the top of the window.
    page.evaluate("() => { document.body.style.minHeight = '4000px'; window.scrollTo(0, 2000); }")
    page.wait_for_function("() => window.scrollY >= 1000")
    assert page.evaluate("() => document.querySelector('[data-acting-bar]').getBoundingClientRect().top") == 0
    assert page.evaluate("() => getComputedStyle(document.querySelector('[data-acting-bar]')).position") in (
        "sticky",
        "fixed",
    )

    page.bring_to_front()
    end = page.locator("[data-end-acting]")
    end.focus()
    expect(end).to_be_focused()
    page.keyboard.press("Enter")  # reachable by keyboard
    expect(page.locator("[data-acting-bar]")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/staff/customers$"))
    page.goto("/account")
    expect(page.locator("[data-account-form]")).to_have_count(0)  # no customer is served any more


def test_serving_pages_fit_a_phone(make_context, served):
    page = make_context().new_page()
    page.set_viewport_size(PHONE)
    _sign_in(page, "op-acting@example.com")
    _serve(page)
    page.goto("/staff/customers?q=Rita")
    assert page_width(page) <= PHONE["width"]
    for path in ("/account", "/account/addresses", "/account/addresses/new", "/orders"):
        page.goto(path)
        expect(page.locator("[data-acting-bar]")).to_be_visible()
        assert page_width(page) <= PHONE["width"], path
        box = page.locator("[data-end-acting]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], path

"""Staff start on their queue, and the header shows them the staff menu, not the shopper's."""
import re

import pytest

from portal.models import Role


def _nav(html: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)


@pytest.mark.parametrize("role", [Role.agent, Role.operator, Role.admin])
def test_staff_land_on_the_queue_after_signing_in(client, login, factory, role):
    user = factory.user(role=role)
    factory.db.session.commit()
    answer = login(user)
    assert answer.status_code == 302 and answer.headers["Location"] == "/staff/"
    assert client.get("/").headers["Location"] == "/staff/"
    assert client.get("/login").headers["Location"] == "/staff/"


def test_shoppers_still_land_on_their_orders(client, login, factory):
    shopper = factory.user()
    factory.db.session.commit()
    assert login(shopper).headers["Location"] == "/orders"
    assert client.get("/").headers["Location"] == "/orders"


def test_a_safe_next_still_wins_over_the_queue(client, factory, csrf_from):
    agent = factory.user(role=Role.agent)
    factory.db.session.commit()
    token = csrf_from(client.get("/login?next=/staff/kpis").get_data(as_text=True))
    answer = client.post("/login?next=/staff/kpis", data={"email": agent.email, "password": "correct horse 1",
                                                           "csrf_token": token})
    assert answer.headers["Location"] == "/staff/kpis"


def test_the_staff_header_shows_the_queue_not_the_shoppers_menu(client, login, factory):
    agent = factory.user(role=Role.agent)
    factory.db.session.commit()
    login(agent)
    nav = _nav(client.get("/staff/").get_data(as_text=True))
    assert "Ticket queue" in nav and 'aria-current="page"' in nav
    assert "My orders" not in nav and "My tickets" not in nav and "My account" not in nav
    assert "Merchant area" not in nav


def test_the_admin_header_also_leads_to_the_merchant_area(client, login, factory):
    admin = factory.user(role=Role.admin)
    factory.db.session.commit()
    login(admin)
    nav = _nav(client.get("/merchant-admin/").get_data(as_text=True))
    assert 'href="/merchant-admin/" aria-current="page"' in nav and "Merchant area" in nav
    assert "Ticket queue" in nav and "My orders" not in nav


def test_the_shopper_header_has_no_staff_links(client, login, factory):
    shopper = factory.user()
    factory.db.session.commit()
    login(shopper)
    nav = _nav(client.get("/orders").get_data(as_text=True))
    assert "My orders" in nav and "My tickets" in nav and "My account" in nav
    assert "Ticket queue" not in nav and "Merchant area" not in nav

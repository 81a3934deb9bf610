"""Non-integrated marketplaces: the seller-portal link and the delivery number to copy, for staff only."""
import re

import pytest

from portal.marketplaces.seller_portal import seller_portal_link
from portal.models import Channel, Order, Role
from portal.tickets import lifecycle as tickets

TEMPLATE = "https://seller.example.com/pedidos/{order_number}?entrega={delivery_number}"
LABEL = "Open in the marketplace's seller portal"


def order_on(channel: Channel, delivery: str | None = "ENT-1", marketplace_number: str | None = "MLB-9") -> Order:
    order = Order(number="10234", delivery_number=delivery, marketplace_order_number=marketplace_number)
    order.channel = channel
    return order


def marketplace(template: str | None = TEMPLATE, integrated: bool = False, is_marketplace: bool = True):
    return Channel(code="magalu", name="Magalu", is_marketplace=is_marketplace, integrated=integrated,
                   seller_portal_url=template)


def test_fills_both_placeholders():
    assert seller_portal_link(order_on(marketplace())) == "https://seller.example.com/pedidos/MLB-9?entrega=ENT-1"


@pytest.mark.parametrize(("delivery", "quoted"), [
    ("ENT/001", "ENT%2F001"),
    ("A?b=1", "A%3Fb%3D1"),
    ("x#frag", "x%23frag"),
    ("12 34", "12%2034"),
    ("a&b", "a%26b"),
    ("ção", "%C3%A7%C3%A3o"),
    ("%41", "%2541"),
])
def test_values_are_quoted(delivery, quoted):
    link = seller_portal_link(order_on(marketplace("https://seller.example.com/d/{delivery_number}"), delivery))
    assert link == f"https://seller.example.com/d/{quoted}"


@pytest.mark.parametrize("order", [
    order_on(marketplace(None)),
    order_on(marketplace("")),
    order_on(marketplace(), delivery=None),
    order_on(marketplace(), delivery=""),
    order_on(marketplace(integrated=True)),
    order_on(marketplace(is_marketplace=False)),
    order_on(marketplace(), marketplace_number=None),
    order_on(marketplace("https://seller.example.com/{delivery_number}/{unknown}")),
    order_on(marketplace("javascript:alert('{delivery_number}')")),
    order_on(None),
    object(),
    None,
], ids=["no template", "empty template", "no delivery number", "empty delivery number", "integrated",
        "store", "template needs the marketplace order number", "unknown placeholder", "not a web link",
        "no channel", "not an order", "None"])
def test_no_link(order):
    assert seller_portal_link(order) is None


# The pages: print view, workspace order panel, the order page seen by staff; never the shopper's.


@pytest.fixture
def world(db, factory):
    channel = factory.channel("b2w_test", "B2W")
    channel.seller_portal_url = "https://seller.example.com/entregas/{delivery_number}"
    shopper = factory.user(name="Joana Lima")
    order = factory.order(shopper, channel=channel, delivery_number="ENT 7/8?#", marketplace_order_number="B2W-1")
    ticket = tickets.create_channel_ticket(order, channel, "Troca", "Quero trocar.", "B2W-77")
    agent = factory.user(role=Role.agent)
    db.session.commit()
    return {"order": order, "ticket": ticket, "agent": agent, "shopper": shopper}


def staff_pages(world) -> dict[str, str]:
    number = world["order"].number
    return {"print": f"/staff/orders/{number}/print", "workspace": f"/staff/tickets/{world['ticket'].number}",
            "order page": f"/orders/{number}"}


def assert_block(html: str) -> None:
    link = re.search(r'<a [^>]*data-seller-portal-link[^>]*>', html)
    assert link, "no seller-portal link"
    tag = link.group(0)
    assert 'href="https://seller.example.com/entregas/ENT%207%2F8%3F%23"' in tag
    assert 'target="_blank"' in tag and 'rel="noopener noreferrer"' in tag
    assert LABEL in html
    button = re.search(r'<button [^>]*data-copy="([^"]*)"[^>]*>', html)
    assert button and button.group(1) == "ENT 7/8?#" and " hidden" in button.group(0)
    assert re.search(r'data-copy-value>ENT 7/8\?#</span>', html), "the number is not shown as text"
    assert re.search(r'aria-live="polite"[^>]*data-copied="Copied"', html)
    assert "/static/js/staff_copy.js" in html
    assert "<script>" not in html and "onclick" not in html


@pytest.mark.parametrize("page", ["print", "workspace", "order page"])
def test_staff_see_the_link_and_the_copy_button(client, login, world, page):
    login(world["agent"])
    response = client.get(staff_pages(world)[page])
    assert response.status_code == 200
    assert_block(response.get_data(as_text=True))


def test_the_shopper_never_sees_them(client, login, world):
    login(world["shopper"])
    for url in (f"/orders/{world['order'].number}", f"/tickets/{world['ticket'].number}"):
        html = client.get(url).get_data(as_text=True)
        assert "data-seller-portal" not in html and "data-copy" not in html and "seller.example.com" not in html
        assert "staff_copy.js" not in html


def test_integrated_channel_shows_no_link_but_the_number_to_copy(client, login, db, world):
    channel = world["order"].channel
    channel.integrated = True
    db.session.commit()
    login(world["agent"])
    html = client.get(staff_pages(world)["print"]).get_data(as_text=True)
    assert "data-seller-portal-link" not in html and 'data-copy="ENT 7/8?#"' in html


def test_store_orders_show_nothing(client, login, factory, db, world):
    order = factory.order(world["shopper"], delivery_number=None)
    db.session.commit()
    login(world["agent"])
    html = client.get(f"/staff/orders/{order.number}/print").get_data(as_text=True)
    assert "data-seller-portal" not in html


def test_the_link_costs_no_query(client, login, db, world, count_queries):
    """The channel comes with the order: the same statements with and without a template."""
    login(world["agent"])
    url = staff_pages(world)["print"]
    db.session.commit()
    with count_queries() as with_link:
        html = client.get(url).get_data(as_text=True)
    assert "data-seller-portal-link" in html
    world["order"].channel.seller_portal_url = None
    db.session.commit()
    with count_queries() as without:
        html = client.get(url).get_data(as_text=True)
    assert "data-seller-portal-link" not in html
    assert len(with_link) == len(without)

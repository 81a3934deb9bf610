"""A cancelled purchase unit shows wherever the order does: the shopper's order page and its timeline, the
ticket's order panel, the call centre's order page and the print view; its reason only to the staff."""
import re

import pytest

from portal.models import Role

pytestmark = pytest.mark.db

REASON = "Sem estoque no CD"


@pytest.fixture
def cancelled(client, login, agent, ticket, form_of):
    """Cancel the first item of the ticket's order through the workspace, as an agent does."""
    login(agent)
    item = ticket.order.items[0]
    response = client.post(f"/staff/tickets/{ticket.number}/cancel-unit",
                           data={**form_of(ticket.number), "item": str(item.id), "quantity": "1", "reason": REASON})
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": form_of(ticket.number)["csrf_token"]})
    return item


def _item_rows(html: str) -> list[str]:
    return re.findall(r"<tr[^>]*>.*?</tr>", html, re.S)


def _cancelled_mark_on(html: str, name: str) -> bool:
    row = next(row for row in _item_rows(html) if name in row)
    return 'data-cancelled-qty="1"' in row and "1 cancelled" in row


def test_the_shopper_sees_it_in_the_items_and_on_the_timeline_without_the_reason(
        client, login, shopper, ticket, cancelled):
    login(shopper)
    html = client.get(f"/orders/{ticket.order.number}").get_data(as_text=True)
    assert _cancelled_mark_on(html, cancelled.name)
    assert not _cancelled_mark_on(html, ticket.order.items[1].name)
    timeline = html[html.index('aria-labelledby="timeline-title"'):html.index('aria-labelledby="items-title"')]
    assert "data-cancelled-units" in timeline and f"1 unit of {cancelled.name} cancelled" in timeline
    assert 'data-history-entry="unit_cancelled"' in html
    assert REASON not in html


def test_the_staff_see_it_with_the_reason_in_the_panel_history_and_print_view(
        client, login, agent, ticket, cancelled):
    login(agent)
    workspace = client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert _cancelled_mark_on(workspace, cancelled.name)
    assert "data-cancelled-units" in workspace and REASON in workspace
    assert 'data-history-entry="unit_cancelled"' in workspace
    printed = client.get(f"/staff/orders/{ticket.order.number}/print").get_data(as_text=True)
    assert _cancelled_mark_on(printed, cancelled.name)
    assert "data-cancelled-units" in printed and REASON in printed


def test_the_call_centre_order_page_shows_it(client, login, factory, ticket, cancelled):
    login(factory.user(role=Role.operator, name="Olga Operadora"))
    html = client.get(f"/staff/orders/{ticket.order.number}").get_data(as_text=True)
    assert _cancelled_mark_on(html, cancelled.name)
    assert "data-cancelled-units" in html and REASON in html


def test_an_order_without_cancellations_shows_none(client, login, shopper, ticket):
    login(shopper)
    html = client.get(f"/orders/{ticket.order.number}").get_data(as_text=True)
    assert "data-cancelled-units" not in html and "data-cancelled-qty" not in html

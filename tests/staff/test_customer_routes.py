"""Staff may read a shopper's pages but never write there in the shopper's name."""
import pytest

from portal.models import Role, TicketMessage, TicketStatus

pytestmark = pytest.mark.db

STAFF = (Role.agent, Role.operator, Role.admin)


def customer_writes(ticket) -> list[tuple[str, str]]:
    return [
        ("GET", f"/orders/{ticket.order.number}/help"),
        ("POST", f"/orders/{ticket.order.number}/help"),
        ("POST", f"/tickets/{ticket.number}/reply"),
        ("POST", f"/tickets/{ticket.number}/close"),
    ]


@pytest.mark.parametrize("role", STAFF)
def test_staff_get_403_on_the_shoppers_write_routes(app, client, login, factory, ticket, role, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    login(factory.user(role=role))
    for method, url in customer_writes(ticket):
        response = client.open(url, method=method, data={"body": "Escrevo como se fosse a cliente",
                                                          "subject": "x", "reason": "1"})
        assert response.status_code == 403, (method, url)
    db = factory.db
    db.session.expire_all()
    assert ticket.status is TicketStatus.open
    bodies = db.session.scalars(db.select(TicketMessage.body_html).where(TicketMessage.ticket_id == ticket.id))
    assert not any("fosse a cliente" in body for body in bodies)


def test_staff_still_read_the_shoppers_ticket_page(client, login, factory, ticket):
    login(factory.user(role=Role.agent))
    assert client.get(f"/tickets/{ticket.number}").status_code == 200


def test_the_shopper_still_writes_on_their_own_ticket(client, login, ticket, csrf_from):
    login(ticket.customer)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    response = client.post(f"/tickets/{ticket.number}/reply", data={"body": "Ainda aguardo",
                                                                   "csrf_token": csrf_from(page)})
    assert response.status_code == 302

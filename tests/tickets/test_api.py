"""POST /orders/<number>/tickets and GET /tickets/<number>."""
from datetime import UTC, datetime, timedelta

import pytest

from portal.models import Ticket, Visibility
from portal.tickets import lifecycle as tickets
from tests.api import ApiClient


@pytest.fixture
def api(client, factory, db):
    raw = factory.api_token()
    db.session.commit()
    return ApiClient(client, raw)


def test_create_on_the_orders_channel(api, db, factory, marketplace, clock):
    order = factory.order(channel=marketplace, number="7001")
    db.session.commit()
    response = api.post("/orders/7001/tickets", {"subject": "Produto não chegou", "message": "Cadê?",
                                                 "marketplace_ticket_code": "AMZ-1"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert len(body["number"]) == 11 and body["status"] == "open" and body["channel"] == "amazon"
    assert datetime.fromisoformat(body["due_at"]) == clock.now + timedelta(hours=24)
    assert body["messages"][0]["author"] == "marketplace"
    ticket = db.session.scalar(db.select(Ticket).filter_by(number=body["number"]))
    assert ticket.order_id == order.id and ticket.marketplace_ticket_code == "AMZ-1"
    assert [e.kind for e in ticket.events] == ["opened"]


def test_same_marketplace_code_answers_the_existing_ticket(api, db, factory, marketplace):
    factory.order(channel=marketplace, number="7002")
    db.session.commit()
    body = {"subject": "Troca", "message": "Quero trocar", "marketplace_ticket_code": "AMZ-2"}
    first = api.post("/orders/7002/tickets", body)
    again = api.post("/orders/7002/tickets", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["number"] == again.get_json()["number"]


def test_create_on_a_given_channel(api, db, factory, marketplace):
    factory.order(number="7003")
    db.session.commit()
    response = api.post("/orders/7003/tickets", {"subject": "x", "message": "y", "channel": "amazon"})
    assert response.status_code == 201 and response.get_json()["channel"] == "amazon"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"message": "y"}, 422, "subject"),
    ({"subject": "x"}, 422, "message"),
    ({"subject": "x", "message": "y", "colour": "red"}, 422, "colour"),
    ({"subject": "x" * 201, "message": "y"}, 422, "subject"),
    ({"subject": "x", "message": "y", "channel": "nope"}, 404, "channel"),
    ({"subject": "x", "message": "<img src=x>"}, 422, "body"),
])
def test_bad_bodies_are_refused_with_nothing_saved(api, db, factory, body, status, field):
    factory.order(number="7004")
    db.session.commit()
    response = api.post("/orders/7004/tickets", body)
    assert response.status_code == status
    assert response.get_json()["error"]["field"] == field
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0


def test_unknown_order_is_404(api):
    response = api.post("/orders/nope/tickets", {"subject": "x", "message": "y"})
    assert response.status_code == 404


def test_get_hides_internal_notes(api, db, open_ticket, agent):
    ticket = open_ticket()
    tickets.reply_as_staff(ticket, agent, "Nota secreta", Visibility.internal, expected_version=ticket.version)
    db.session.commit()
    body = api.get(f"/tickets/{ticket.number}").get_json()
    assert body["number"] == ticket.number and body["order"] == ticket.order.number
    assert [m["author"] for m in body["messages"]] == ["customer"]
    assert "secreta" not in str(body)


@pytest.mark.parametrize("number", ["12345678901", "abc", "0" * 11])
def test_get_unknown_or_malformed_ticket_is_404(api, number):
    response = api.get(f"/tickets/{number}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_tickets_need_a_token(client, db):
    assert client.get("/api/v1/tickets/12345678901").status_code == 401


def test_due_time_is_in_the_store_zone(api, db, open_ticket, clock):
    clock.set(datetime(2026, 11, 16, 13, 0, tzinfo=UTC))
    ticket = open_ticket()
    db.session.commit()
    body = api.get(f"/tickets/{ticket.number}").get_json()
    assert body["due_at"] == "2026-11-18T10:00:00-03:00"

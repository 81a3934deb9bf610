"""The workspace shows each staff message's delivery state and retries a failed delivery by hand."""
import re

import pytest

from portal.models import OutboxKind, OutboxState, Visibility
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db

PATH = "/portal-events"


@pytest.fixture
def staff_client(client, login, agent):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(agent)
    return client


def _page(client, ticket) -> str:
    response = client.get(f"/staff/tickets/{ticket.number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _states(html: str) -> list[str]:
    return re.findall(r'data-delivery-state="(\w+)"', html)


def _answer(db, ticket, agent, body="Resposta"):
    tickets.reply_as_staff(ticket, agent, body, Visibility.customer, expected_version=ticket.version)
    db.session.commit()


def test_each_staff_message_shows_its_delivery_state(db, httpserver, staff_client, mkt_ticket, agent):
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_data("ok")
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_data("no", status=422)
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_data("down", status=500)
    _answer(db, mkt_ticket, agent, "Primeira")
    _answer(db, mkt_ticket, agent, "Segunda")
    _answer(db, mkt_ticket, agent, "Terceira")
    tickets.reply_as_staff(mkt_ticket, agent, "Nota", Visibility.internal, expected_version=mkt_ticket.version)
    db.session.commit()
    html = _page(staff_client, mkt_ticket)
    assert _states(html) == ["delivered", "failed", "queued"]  # the shopper's message and the note have none
    assert "Failed: the marketplace answered HTTP 422" in html
    assert "1 failed attempt: the marketplace answered HTTP 500" in html
    assert html.count("Retry delivery") == 1


def test_a_failed_delivery_is_retried_by_hand(db, httpserver, staff_client, mkt_ticket, agent, csrf_from, items):
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_data("no", status=400)
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_data("ok", status=200)
    _answer(db, mkt_ticket, agent)
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    assert item.state is OutboxState.failed
    html = _page(staff_client, mkt_ticket)
    action = f"/staff/tickets/{mkt_ticket.number}/deliveries/{item.id}/retry"
    assert f'action="{action}"' in html
    assert staff_client.post(action).status_code == 400  # no CSRF token
    assert items(mkt_ticket, OutboxKind.marketplace)[0].state is OutboxState.failed
    response = staff_client.post(action, data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/staff/tickets/{mkt_ticket.number}")
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    assert item.state is OutboxState.delivered and item.attempts == 0  # a retry by hand starts the count again
    html = _page(staff_client, mkt_ticket)
    assert _states(html) == ["delivered"] and "queued again" in html
    # Retrying what is not failed changes nothing and says so.
    staff_client.post(action, data={"csrf_token": csrf_from(html)})
    assert "This delivery has not failed." in _page(staff_client, mkt_ticket)
    assert len(httpserver.log) == 2


def test_retry_refuses_a_delivery_of_another_ticket(db, httpserver, staff_client, mkt_ticket, agent, factory, shopper,
                                                    integrated, csrf_from, items):
    httpserver.expect_request(PATH, method="POST").respond_with_data("no", status=400)
    _answer(db, mkt_ticket, agent)
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    other = tickets.create_channel_ticket(factory.order(shopper, channel=integrated), integrated, "Outro", "Texto",
                                          "MKT-779")
    db.session.commit()
    token = csrf_from(_page(staff_client, other))
    assert staff_client.post(f"/staff/tickets/{other.number}/deliveries/{item.id}/retry",
                             data={"csrf_token": token}).status_code == 404
    assert staff_client.post(f"/staff/tickets/{mkt_ticket.number}/deliveries/999999/retry",
                             data={"csrf_token": token}).status_code == 404
    assert staff_client.post(f"/staff/tickets/00000000000/deliveries/{item.id}/retry",
                             data={"csrf_token": token}).status_code == 404
    assert items(mkt_ticket, OutboxKind.marketplace)[0].state is OutboxState.failed


def test_shoppers_cannot_retry(db, httpserver, client, login, mkt_ticket, agent, shopper, items):
    httpserver.expect_request(PATH, method="POST").respond_with_data("no", status=400)
    _answer(db, mkt_ticket, agent)
    (item,) = items(mkt_ticket, OutboxKind.marketplace)
    login(shopper)
    assert client.post(f"/staff/tickets/{mkt_ticket.number}/deliveries/{item.id}/retry").status_code in (400, 403)
    assert items(mkt_ticket, OutboxKind.marketplace)[0].state is OutboxState.failed


def test_action_deliveries_are_listed_under_the_thread(db, httpserver, staff_client, mkt_ticket, agent):
    httpserver.expect_request(PATH, method="POST").respond_with_data("no", status=409)
    tickets.escalate_ticket(mkt_ticket, agent, "payments", "", expected_version=mkt_ticket.version)
    db.session.commit()
    html = _page(staff_client, mkt_ticket)
    assert _states(html) == ["failed"] and "Escalation:" in html
    assert "Failed: the marketplace answered HTTP 409" in html


def test_the_states_load_in_a_fixed_number_of_queries(db, httpserver, staff_client, mkt_ticket, agent,
                                                       count_queries):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")

    def measured() -> tuple[str, list[str]]:
        _page(staff_client, mkt_ticket)  # the same session state before each count: just after a visit
        with count_queries() as statements:
            html = _page(staff_client, mkt_ticket)
        return html, statements

    _answer(db, mkt_ticket, agent, "Um")
    html, few = measured()
    assert _states(html) == ["delivered"]
    for n in range(5):
        _answer(db, mkt_ticket, agent, f"Mais {n}")
    html, many = measured()
    assert _states(html) == ["delivered"] * 6
    assert len(many) == len(few)
    assert len([statement for statement in many if "FROM outbox" in statement]) == 1

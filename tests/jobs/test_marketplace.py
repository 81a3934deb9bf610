"""Outbound deliveries to an integrated marketplace: signed, retried with back-off, failed with the reason."""
import json
import time
from decimal import Decimal

import pytest
from werkzeug import Response

from portal.core import outbox
from portal.marketplaces import signing
from portal.models import OutboxKind, OutboxState, Visibility
from portal.tickets import lifecycle as tickets

from .conftest import free_port, reason_text

pytestmark = pytest.mark.db

PATH = "/portal-events"


def _answer(ticket, agent, body="Já enviamos o pedido.", visibility=Visibility.customer):
    message = tickets.reply_as_staff(ticket, agent, body, visibility, expected_version=ticket.version)
    return message


def _posts(server, item=None) -> list:
    """The POSTs the marketplace received; with `item`, only those carrying its event id.

    The server is shared by the worker's tests: on a loaded machine a request of an earlier test that its
    sender gave up on can still reach the log during the next one.
    """
    posts = [request for request, _response in server.log if request.path == PATH]
    if item is not None:
        posts = [request for request in posts if json.loads(request.get_data()).get("event_id") == item.key]
    return posts


def _deliveries(items, ticket):
    return items(ticket, OutboxKind.marketplace)


def test_a_staff_answer_is_delivered_signed_with_the_channel_secret(db, httpserver, mkt_ticket, agent, items):
    httpserver.expect_request(PATH, method="POST").respond_with_data("", status=204)
    message = _answer(mkt_ticket, agent, "Seu pedido <strong>saiu</strong>.")
    db.session.commit()
    (request,) = _posts(httpserver)
    body = request.get_data()
    secret = mkt_ticket.channel.webhook_secret
    assert signing.verify([secret], request.headers[signing.TIMESTAMP_HEADER],
                          request.headers[signing.SIGNATURE_HEADER], body)
    assert not signing.verify(["another secret"], request.headers[signing.TIMESTAMP_HEADER],
                              request.headers[signing.SIGNATURE_HEADER], body)
    assert request.headers["Content-Type"] == "application/json"
    data = json.loads(body)
    (item,) = _deliveries(items, mkt_ticket)
    assert request.headers[signing.EVENT_HEADER] == item.key == data["event_id"]
    assert data["type"] == "message.created" and data["occurred_at"].endswith("Z")
    assert data["ticket"] == {"id": "MKT-778", "number": mkt_ticket.number, "order": "MKT-ORDER-1"}
    assert data["message"] == {"id": str(message.id), "visibility": "customer", "body_html": message.body_html,
                               "body_text": "Seu pedido saiu."}
    assert "<strong>saiu</strong>" in message.body_html
    assert item.state is OutboxState.delivered and item.message_id == message.id and item.attempts == 0


def test_marketplace_only_answers_go_out_and_internal_notes_do_not(db, httpserver, mkt_ticket, agent, items):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    _answer(mkt_ticket, agent, "Nota interna", Visibility.internal)
    db.session.commit()
    assert _deliveries(items, mkt_ticket) == [] and _posts(httpserver) == []
    _answer(mkt_ticket, agent, "Só para o marketplace", Visibility.marketplace)
    db.session.commit()
    (request,) = _posts(httpserver)
    assert json.loads(request.get_data())["message"]["visibility"] == "marketplace"


def test_tickets_of_a_channel_that_is_not_integrated_send_nothing(db, httpserver, mkt_ticket, agent, items):
    mkt_ticket.channel.integrated = False
    db.session.commit()
    _answer(mkt_ticket, agent)
    db.session.commit()
    assert _deliveries(items, mkt_ticket) == [] and _posts(httpserver) == []


def test_escalation_refund_and_closing_are_delivered(db, httpserver, mkt_ticket, agent, items):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    tickets.refund(mkt_ticket, agent, Decimal("12.50"), "Produto avariado", expected_version=mkt_ticket.version)
    db.session.commit()
    tickets.escalate_ticket(mkt_ticket, agent, "payments", "Ver estorno", expected_version=mkt_ticket.version)
    db.session.commit()
    tickets.close_ticket(mkt_ticket, agent, expected_version=mkt_ticket.version)
    db.session.commit()
    sent = [json.loads(request.get_data()) for request in _posts(httpserver)]
    assert [data["type"] for data in sent] == ["ticket.refunded", "ticket.escalated", "ticket.closed"]
    assert sent[0]["refund"] == {"amount": "12.50", "currency": "BRL", "reason": "Produto avariado"}
    assert sent[1]["escalation"] == {"reason": "payments", "note": "Ver estorno"}
    assert len({data["event_id"] for data in sent}) == 3
    assert all(item.state is OutboxState.delivered for item in _deliveries(items, mkt_ticket))


def test_a_closing_that_came_from_the_marketplace_is_not_echoed(db, httpserver, mkt_ticket, agent, shopper, items):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    tickets.close_ticket(mkt_ticket, None)  # the inbound webhook closes with no user
    db.session.commit()
    tickets.reopen_ticket(mkt_ticket, agent)
    tickets.close_ticket(mkt_ticket, agent, notify_marketplace=False)
    db.session.commit()
    tickets.reopen_ticket(mkt_ticket, agent)
    tickets.close_ticket(mkt_ticket, shopper)
    db.session.commit()
    assert _deliveries(items, mkt_ticket) == [] and _posts(httpserver) == []
    tickets.reopen_ticket(mkt_ticket, agent)
    tickets.close_ticket(mkt_ticket, agent)
    db.session.commit()
    assert [item.event for item in _deliveries(items, mkt_ticket)] == ["closed"]


def test_500_then_200_counts_the_attempt_then_delivers(db, httpserver, mkt_ticket, agent, items, clock):
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_data("ok", status=200)
    _answer(mkt_ticket, agent)
    db.session.commit()
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.attempts, item.last_error) == (OutboxState.queued, 1, "http:500")
    assert reason_text(item.last_error) == "the marketplace answered HTTP 500"
    assert outbox.sweep() == 0  # the back-off is not over
    clock.advance(seconds=31)
    assert outbox.sweep() == 1
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.attempts) == (OutboxState.delivered, 1)
    bodies = [request.get_data() for request in _posts(httpserver)]
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the same event, deduplicated by its id


def test_a_timeout_leaves_the_delivery_queued(db, httpserver, mkt_ticket, agent, items, marketplace_config):
    marketplace_config["MARKETPLACE_READ_TIMEOUT"] = 0.5

    def slow(request):
        time.sleep(1.5)
        return Response("late", status=200)

    httpserver.expect_request(PATH, method="POST").respond_with_handler(slow)
    _answer(mkt_ticket, agent)
    db.session.commit()
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.attempts, item.last_error) == (OutboxState.queued, 1, "timeout:0.5")
    assert reason_text(item.last_error) == "no answer within 0.5 s"
    # The server logs the request once its handler returns, a second after the sender gave up: wait for it
    # here, or it lands in the log of the worker's next test.
    deadline = time.monotonic() + 10
    while not _posts(httpserver) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_posts(httpserver)) == 1


def test_a_refused_connection_is_retried(db, mkt_ticket, agent, items):
    mkt_ticket.channel.outbound_url = f"http://127.0.0.1:{free_port()}/events"
    db.session.commit()
    _answer(mkt_ticket, agent)
    db.session.commit()
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.last_error) == (OutboxState.queued, "refused")
    assert reason_text(item.last_error) == "the connection was refused"


@pytest.mark.parametrize(("status", "state"), [
    (400, OutboxState.failed), (422, OutboxState.failed), (404, OutboxState.failed),
    (408, OutboxState.queued), (429, OutboxState.queued), (503, OutboxState.queued),
])
def test_a_4xx_fails_at_once_except_408_and_429(db, httpserver, mkt_ticket, agent, items, status, state):
    httpserver.expect_request(PATH, method="POST").respond_with_data("no", status=status)
    _answer(mkt_ticket, agent)
    db.session.commit()
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.attempts, item.last_error) == (state, 1, f"http:{status}")
    assert reason_text(item.last_error) == f"the marketplace answered HTTP {status}"
    assert item.next_attempt_at is None if state is OutboxState.failed else item.next_attempt_at is not None


def test_eight_failures_make_the_delivery_failed(db, httpserver, mkt_ticket, agent, items, clock):
    httpserver.expect_request(PATH, method="POST").respond_with_data("down", status=502)
    _answer(mkt_ticket, agent)
    db.session.commit()
    for _attempt in range(7):
        clock.advance(hours=1, seconds=1)
        assert outbox.sweep() == 1
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.attempts, item.last_error) == (OutboxState.failed, 8, "http:502")
    assert reason_text(item.last_error) == "the marketplace answered HTTP 502"
    clock.advance(days=1)
    assert outbox.sweep() == 0
    assert len(_posts(httpserver, item)) == 8


def test_a_retry_by_hand_gets_all_its_attempts_again(db, httpserver, mkt_ticket, agent, items, clock):
    httpserver.expect_request(PATH, method="POST").respond_with_data("down", status=502)
    _answer(mkt_ticket, agent)
    db.session.commit()
    for _attempt in range(outbox.MAX_ATTEMPTS - 1):
        clock.advance(hours=1, seconds=1)
        assert outbox.sweep() == 1
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.attempts) == (OutboxState.failed, outbox.MAX_ATTEMPTS)
    outbox.retry(item)
    db.session.commit()  # sent at once, and it fails again
    (item,) = _deliveries(items, mkt_ticket)
    assert (item.state, item.attempts, item.last_error) == (OutboxState.queued, 1, "http:502")
    assert (item.next_attempt_at - clock.now).total_seconds() == pytest.approx(30, abs=1)
    assert len(_posts(httpserver, item)) == outbox.MAX_ATTEMPTS + 1


def test_a_marketplace_row_keeps_its_payload_for_a_retry_by_hand(db, httpserver, mkt_ticket, agent, items):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    _answer(mkt_ticket, agent, "Texto que fica")
    db.session.commit()
    (item,) = _deliveries(items, mkt_ticket)
    assert item.state is OutboxState.delivered and item.payload["message"]["body_text"] == "Texto que fica"

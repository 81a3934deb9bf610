"""Parallel deliveries against a live server: the same event, and other events of the same new ticket, at once.

Each request runs in its own thread and database connection and commits for real, so this module serves its
own portal and database (`live_portal`) instead of the rolled-back `db` fixture.
"""
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import IntegrationEvent, Ticket, TicketMessage

from .conftest import CHANNEL, at, payload, signed

pytestmark = pytest.mark.db

COPIES = 4


def _post_all(url: str, events: list[dict]) -> list[requests.Response]:
    """Post every event from its own thread, all released at the same moment."""
    start = threading.Barrier(len(events), timeout=10)

    def post(event: dict) -> requests.Response:
        body = json.dumps(event).encode()
        headers = signed(body)
        start.wait()
        return requests.post(f"{url}/api/v1/channels/{CHANNEL}/events", data=body, headers=headers,
                             timeout=(3, 30))

    with ThreadPoolExecutor(max_workers=len(events)) as pool:
        return list(pool.map(post, events))


def _state(app, code: str) -> tuple[int, list[str], int]:
    with app.app_context():
        tickets = db.session.scalars(select(Ticket).where(Ticket.marketplace_ticket_code == code)).all()
        messages = db.session.scalars(select(TicketMessage.external_id).join(Ticket).where(
            Ticket.marketplace_ticket_code == code).order_by(TicketMessage.external_id)).all()
        recorded = db.session.scalar(select(func.count()).select_from(IntegrationEvent).join(Ticket).where(
            Ticket.marketplace_ticket_code == code))
        db.session.remove()
        return len(tickets), list(messages), recorded


@pytest.mark.parametrize("round_", range(3))
def test_parallel_deliveries_give_one_ticket_and_one_message_per_message_id(live_portal, round_):
    code = f"MKT-PAR-{round_}"
    created = payload(event_id=f"evt-{code}-1", ticket=code, message=("msg-1", "Onde está?"), occurred_at=at(0))
    message = payload(kind="message.created", event_id=f"evt-{code}-2", ticket=code,
                      message=("msg-2", "Alguma novidade?"), occurred_at=at(1))
    responses = _post_all(live_portal.url, [created] * COPIES + [message] * COPIES)

    assert [r.status_code for r in responses] == [200] * (2 * COPIES), [r.text for r in responses]
    answers = [r.json() for r in responses]
    for group in (answers[:COPIES], answers[COPIES:]):
        assert sorted(a["result"] for a in group) == ["applied"] + ["duplicate"] * (COPIES - 1)
    assert len({a["ticket"] for a in answers}) == 1
    assert len({a["request_id"] for a in answers}) == 2 * COPIES
    assert _state(live_portal.app, code) == (1, ["msg-1", "msg-2"], 2)
    assert live_portal.errors == []


def test_parallel_status_changes_leave_the_newest_state(live_portal):
    code = "MKT-PAR-STATUS"
    first = _post_all(live_portal.url, [payload(event_id=f"evt-{code}", ticket=code)])
    assert first[0].status_code == 200
    changes = [payload(kind="ticket.status_changed", event_id=f"evt-{code}-{n}", ticket=code, message=None,
                       status=("waiting", "closed", "open")[n % 3], occurred_at=at(n + 1)) for n in range(6)]
    responses = _post_all(live_portal.url, changes)

    assert [r.status_code for r in responses] == [200] * len(changes), [r.text for r in responses]
    with live_portal.app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.marketplace_ticket_code == code))
        newest = changes[-1]
        assert ticket.status.value == newest["status"]
        assert ticket.marketplace_state_at.isoformat().replace("+00:00", "Z") == newest["occurred_at"]
        db.session.remove()

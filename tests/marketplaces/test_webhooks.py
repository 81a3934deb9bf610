"""The marketplace webhook: signed, idempotent, order-independent, all or nothing."""
import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.marketplaces import secrets as channel_secrets
from portal.models import (
    AuthorKind,
    Channel,
    IntegrationEvent,
    Role,
    Ticket,
    TicketEvent,
    TicketStatus,
    Visibility,
)
from portal.tickets import common as tickets_common
from portal.tickets import lifecycle

from .conftest import BASE, CHANNEL, ORDER, SECRET, at, counts, integrate, payload

pytestmark = pytest.mark.db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _ticket(db, code="MKT-778") -> Ticket:
    return db.session.scalar(db.select(Ticket).where(Ticket.marketplace_ticket_code == code))


def _refused(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert re.fullmatch(r"[0-9a-f]{32}|.{1,64}", error["request_id"])
    if field is not None:
        assert error["field"] == field
    return error


def test_a_signed_ticket_created_opens_the_ticket_with_its_sanitised_message(db, deliver, marketplace):
    event = payload(message=("msg-1", "<p>Onde está?</p><script>alert(1)</script>"))
    response = deliver(event)

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["result"] == "applied" and re.fullmatch(r"[0-9]{11}", body["ticket"])
    ticket = _ticket(db)
    assert ticket.number == body["ticket"] and ticket.order_id == marketplace.order.id
    assert ticket.channel_id == marketplace.channel.id and ticket.subject == "Pedido atrasado"
    assert ticket.status is TicketStatus.open and ticket.due_at is not None
    [message] = ticket.messages
    assert message.author_kind is AuthorKind.marketplace and message.visibility is Visibility.customer
    assert message.external_id == "msg-1" and "<script" not in message.body_html and "Onde está?" in message.body_html
    [recorded] = db.session.scalars(db.select(IntegrationEvent)).all()
    assert (recorded.event_id, recorded.kind, recorded.ticket_id) == ("evt-1", "ticket.created", ticket.id)
    assert recorded.request_id == body["request_id"]
    assert [e.kind for e in ticket.events] == ["opened"]


def test_the_site_order_number_finds_the_order_too(db, deliver, marketplace):
    response = deliver(payload(order=marketplace.order.number))
    assert response.status_code == 200
    assert _ticket(db).order_id == marketplace.order.id


@pytest.mark.parametrize("change", [
    pytest.param({"secret": "whsec_someone_else"}, id="wrong-secret"),
    pytest.param({"headers": {"X-Portal-Signature": None}}, id="no-signature"),
    pytest.param({"headers": {"X-Portal-Timestamp": None}}, id="no-timestamp"),
    pytest.param({"headers": {"X-Portal-Signature": "sha256=" + "0" * 64}}, id="bad-signature"),
    pytest.param({"headers": {"X-Portal-Timestamp": "yesterday"}}, id="not-a-number"),
    pytest.param({"headers": {"X-Portal-Timestamp": "²"}}, id="unicode-digit"),
    pytest.param({"headers": {"X-Portal-Signature": "sha256=é"}}, id="non-ascii-signature"),
    pytest.param({"timestamp_offset": -301}, id="stale"),
    pytest.param({"timestamp_offset": 301}, id="future"),
])
def test_unsigned_or_badly_signed_requests_are_refused_and_write_nothing(db, deliver, marketplace, change):
    change = dict(change)
    offset = change.pop("timestamp_offset", None)
    if offset is not None:
        change["timestamp"] = int(time.time()) + offset
    response = deliver(payload(), **change)

    _refused(response, 401, response.get_json()["error"]["code"])
    assert response.get_json()["error"]["code"] in {"signature_missing", "signature_invalid", "timestamp_out_of_range"}
    assert counts(db) == (0, 0, 0)


def test_a_tampered_body_is_refused(db, client, marketplace):
    from .conftest import signed

    headers = signed(json.dumps(payload()).encode())
    response = client.post(f"/api/v1/channels/{CHANNEL}/events", data=json.dumps(payload(subject="Outro")),
                           headers=headers)
    _refused(response, 401, "signature_invalid")
    assert counts(db) == (0, 0, 0)


def test_the_previous_secret_works_during_the_overlap_and_not_after(db, deliver, marketplace):
    new = channel_secrets.rotate_secret(marketplace.channel, overlap_hours=24)
    db.session.commit()

    assert deliver(payload(event_id="evt-old"), secret=SECRET).status_code == 200
    assert deliver(payload(kind="message.created", event_id="evt-new", message=("msg-2", "Oi")),
                   secret=new).status_code == 200
    marketplace.channel.previous_secret_expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    _refused(deliver(payload(event_id="evt-late"), secret=SECRET), 401, "signature_invalid")
    assert counts(db) == (1, 2, 2)


def test_unknown_or_not_integrated_channels_are_refused_as_badly_signed(db, deliver, factory, marketplace):
    factory.channel("b2w", "B2W").webhook_secret = SECRET  # a marketplace without the integration
    store = factory.db.session.scalar(factory.db.select(Channel).filter_by(code=Channel.STORE_CODE))
    store.integrated, store.webhook_secret = True, SECRET  # not a marketplace
    factory.db.session.commit()
    for code in ("nope", "b2w", Channel.STORE_CODE, "x" * 60):
        _refused(deliver(payload(), code=code), 401, "signature_invalid")
    assert counts(db) == (0, 0, 0)


def test_a_deactivated_channel_accepts_nothing(db, deliver, marketplace):
    marketplace.channel.active = False
    db.session.commit()
    _refused(deliver(payload()), 401, "signature_invalid")
    assert counts(db) == (0, 0, 0)


def test_an_unknown_order_is_not_found(db, deliver, factory, marketplace):
    other = integrate(factory, "carrefour")
    factory.order(channel=other, marketplace_order_number="CRF-1", number="900001")
    db.session.commit()
    for order in ("MLB-404", "CRF-1", "900001"):  # the last two exist, on another channel
        _refused(deliver(payload(order=order)), 404, "unknown_order", "ticket.order")
    assert counts(db) == (0, 0, 0)


@pytest.mark.parametrize("body, status, code, field", [
    (b"{not json", 400, "invalid_json", None),
    (b"[1, 2]", 400, "invalid_json", None),
    (b'{"event_id": NaN}', 400, "invalid_json", None),
    (b"\xff\xfe", 400, "invalid_json", None),
])
def test_malformed_bodies_are_refused_with_a_request_id(db, deliver, marketplace, body, status, code, field):
    _refused(deliver(body), status, code, field)
    assert counts(db) == (0, 0, 0)


@pytest.mark.parametrize("change, field", [
    ({"event_id": 7}, "event_id"),
    ({"event_id": None}, "event_id"),
    ({"type": "ticket.deleted"}, "type"),
    ({"type": ["ticket.created"]}, "type"),
    ({"occurred_at": "2026-12-01T10:00:00"}, "occurred_at"),  # no offset
    ({"occurred_at": "ontem"}, "occurred_at"),
    ({"occurred_at": 1764583200}, "occurred_at"),
    ({"occurred_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}, "occurred_at"),
    ({"ticket": "MKT-778"}, "ticket"),
    ({"ticket": {"order": ORDER, "subject": "x"}}, "ticket.id"),
    ({"ticket": {"id": "MKT-778", "order": 2001}}, "ticket.order"),
    ({"ticket": {"id": "MKT-778", "order": ORDER}}, "ticket.subject"),
    ({"ticket": {"id": "MKT-778", "order": ORDER, "subject": "s" * 201}}, "ticket.subject"),
    ({"message": {"body": "sem id"}}, "message.id"),
    ({"message": {"id": "msg-1", "body": 12}}, "message.body"),
    ({"type": "message.created", "message": None}, "message"),
    ({"type": "ticket.status_changed", "status": "solved"}, "status"),
    ({"type": "ticket.status_changed"}, "status"),
])
def test_wrong_fields_are_named_and_nothing_is_written(db, deliver, marketplace, change, field):
    _refused(deliver({**payload(), **change}), 422, "validation_error", field)
    assert counts(db) == (0, 0, 0)


def test_a_json_content_type_is_required(db, deliver, marketplace):
    _refused(deliver(payload(), headers={"Content-Type": "text/plain"}), 400, "invalid_json")


def test_a_body_over_1_mb_is_refused_in_json(db, deliver, marketplace):
    event = payload(message=("msg-1", "a" * (1024 * 1024)))
    _refused(deliver(event), 413, "too_large")
    assert counts(db) == (0, 0, 0)


def test_a_new_ticket_with_a_bad_message_leaves_no_ticket_and_no_event(db, deliver, marketplace):
    response = deliver(payload(message=("msg-1", "<img src=x>")))  # nothing left once sanitised
    _refused(response, 422, "validation_error", "message.body")
    assert counts(db) == (0, 0, 0)
    assert db.session.scalar(db.select(db.func.count()).select_from(TicketEvent)) == 0


def test_the_same_event_five_times_gives_one_ticket_and_one_message(db, deliver, marketplace):
    results = [deliver(payload()).get_json() for _ in range(5)]

    assert [r["result"] for r in results] == ["applied"] + ["duplicate"] * 4
    assert len({r["ticket"] for r in results}) == 1 and len({r["request_id"] for r in results}) == 5
    assert counts(db) == (1, 1, 1)


def test_a_message_before_its_ticket_created_still_gives_one_ticket(db, deliver, marketplace):
    first = deliver(payload(kind="message.created", event_id="evt-2", message=("msg-2", "Alguma novidade?"),
                            occurred_at=at(60)))
    late = deliver(payload(event_id="evt-1", message=("msg-1", "Onde está?")))
    again = deliver(payload(kind="message.created", event_id="evt-3", message=("msg-2", "Alguma novidade?")))

    assert [r.get_json()["result"] for r in (first, late, again)] == ["applied", "applied", "duplicate"]
    ticket = _ticket(db)
    assert sorted(m.external_id for m in ticket.messages) == ["msg-1", "msg-2"]
    assert counts(db) == (1, 2, 3)
    assert ticket.status is TicketStatus.open


def test_an_older_status_change_after_a_newer_one_changes_nothing(db, deliver, marketplace):
    deliver(payload())
    newer = deliver(payload(kind="ticket.status_changed", event_id="evt-closed", status="closed", message=None,
                            occurred_at=at(120)))
    older = deliver(payload(kind="ticket.status_changed", event_id="evt-waiting", status="waiting", message=None,
                            occurred_at=(BASE + timedelta(minutes=90)).astimezone(SAO_PAULO).isoformat()))

    assert (newer.get_json()["result"], older.get_json()["result"]) == ("applied", "stale")
    ticket = _ticket(db)
    assert ticket.status is TicketStatus.closed and ticket.closed_at is not None
    assert ticket.marketplace_state_at == BASE + timedelta(minutes=120)
    assert [e.kind for e in ticket.events] == ["opened", "closed"]
    assert counts(db) == (1, 1, 3)


def test_an_older_message_is_added_without_reopening_a_newer_close(db, deliver, marketplace):
    deliver(payload(kind="ticket.status_changed", status="closed", message=None, occurred_at=at(120)))
    deliver(payload(event_id="evt-0", message=("msg-1", "Onde está?"), occurred_at=at(0)))

    ticket = _ticket(db)
    assert ticket.status is TicketStatus.closed and [m.external_id for m in ticket.messages] == ["msg-1"]


def test_status_changes_pause_close_and_reopen(db, deliver, marketplace):
    deliver(payload())
    steps = [("waiting", TicketStatus.waiting), ("open", TicketStatus.open), ("closed", TicketStatus.closed),
             ("open", TicketStatus.open)]
    for minute, (status, expected) in enumerate(steps, start=1):
        response = deliver(payload(kind="ticket.status_changed", event_id=f"evt-s{minute}", status=status,
                                   message=None, occurred_at=at(minute)))
        assert response.get_json()["result"] == "applied"
        ticket = _ticket(db)
        assert ticket.status is expected
        assert (ticket.due_at is None) == (expected is not TicketStatus.open)
    assert [e.kind for e in _ticket(db).events] == ["opened", "status_changed", "status_changed", "closed",
                                                     "reopened"]


def test_a_marketplace_message_reopens_a_closed_ticket_and_resumes_a_waiting_one(db, deliver, marketplace):
    deliver(payload())
    deliver(payload(kind="ticket.status_changed", event_id="evt-w", status="waiting", message=None,
                    occurred_at=at(1)))
    deliver(payload(kind="message.created", event_id="evt-m1", message=("msg-2", "E aí?"),
                    occurred_at=at(2)))
    assert _ticket(db).status is TicketStatus.open
    deliver(payload(kind="ticket.status_changed", event_id="evt-c", status="closed", message=None,
                    occurred_at=at(3)))
    deliver(payload(kind="message.created", event_id="evt-m2", message=("msg-3", "Ainda não chegou"),
                    occurred_at=at(4)))
    ticket = _ticket(db)
    assert ticket.status is TicketStatus.open and ticket.closed_at is None and ticket.due_at is not None
    assert [e.kind for e in ticket.events][-2:] == ["closed", "reopened"]


def test_refusals_are_logged_with_the_request_id_and_channel(db, deliver, marketplace, caplog, monkeypatch):
    # Running the migrations in-process (the app fixture) disables loggers created before them.
    monkeypatch.setattr(logging.getLogger("portal.webhooks"), "disabled", False)
    with caplog.at_level(logging.WARNING, logger="portal.webhooks"):
        error = _refused(deliver(payload(), secret="wrong"), 401, "signature_invalid")
    [record] = [r for r in caplog.records if r.name == "portal.webhooks"]
    assert error["request_id"] in record.getMessage() and CHANNEL in record.getMessage()
    assert "signature" in record.getMessage()


def test_the_webhook_needs_no_bearer_token_but_the_rest_of_the_api_does(db, client, deliver, marketplace):
    assert deliver(payload()).status_code == 200
    assert client.get(f"/api/v1/orders/{marketplace.order.number}").status_code == 401


def test_the_request_id_of_the_request_is_answered_and_stored(db, deliver, marketplace):
    applied = deliver(payload(), headers={"X-Request-ID": "hub-req-42"})
    refused = deliver(payload(event_id="evt-9"), secret="wrong", headers={"X-Request-ID": "hub-req-43"})

    assert applied.get_json()["request_id"] == "hub-req-42"
    assert refused.get_json()["error"]["request_id"] == "hub-req-43"
    assert db.session.scalar(db.select(IntegrationEvent.request_id)) == "hub-req-42"


def test_a_marketplace_message_after_a_staff_answer_gets_a_fresh_sla(db, deliver, marketplace, factory,
                                                                    monkeypatch):
    moment = [datetime(2026, 11, 16, 12, 0, tzinfo=UTC)]
    monkeypatch.setattr(tickets_common, "utcnow", lambda: moment[0])
    deliver(payload())
    ticket = _ticket(db)
    assert ticket.due_at == moment[0] + timedelta(hours=24)
    moment[0] += timedelta(hours=20)
    lifecycle.reply_as_staff(ticket, factory.user(Role.agent), "Verificando", Visibility.marketplace,
                             expected_version=ticket.version)
    db.session.commit()
    assert ticket.sla_remaining_seconds == 4 * 3600
    moment[0] += timedelta(hours=1)
    deliver(payload(kind="message.created", event_id="evt-m1", message=("msg-2", "E aí?"), occurred_at=at(5)))
    db.session.expire_all()
    ticket = _ticket(db)
    assert ticket.status is TicketStatus.open
    assert ticket.due_at == moment[0] + timedelta(hours=24)  # "next reply": not the 4 h left at the answer


def test_a_new_ticket_is_written_in_one_insert_per_row_and_answered_without_reading_it_again(
        db, deliver, marketplace, count_queries):
    """Each row of a new ticket (the ticket, its message, its event, the delivery's record) is one INSERT with
    all its values: no UPDATE follows, and the answer's ticket number is not read again after the commit."""
    with count_queries() as statements:
        response = deliver(payload(message=("msg-1", "Onde está?")))
    assert response.status_code == 200, response.get_data(as_text=True)
    writes = [s.split("(")[0].strip() for s in statements if not s.lstrip().startswith("SELECT")]
    assert [w for w in writes if w.startswith("UPDATE")] == [], statements
    assert statements[-1].startswith("INSERT INTO integration_events"), statements[-1]
    # The channel, the repeat check, the order, the ticket by its code, the number's check, the store
    # settings; four INSERTs and the stored KPI days to forget. SQLite takes its write lock first and so
    # reads the channel again.
    extra = 2 if db.engine.dialect.name == "sqlite" else 0
    assert len(statements) <= 11 + extra, statements
    assert _ticket(db).messages[0].external_id == "msg-1" and _ticket(db).marketplace_state_at is not None

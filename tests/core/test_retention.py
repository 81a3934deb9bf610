"""Retention: delivered and failed outbox rows go after their time, in batches; the store's history never goes."""
from datetime import timedelta

import pytest

from portal.core import retention
from portal.models import (
    AuditEntry,
    OutboxItem,
    OutboxKind,
    OutboxState,
    Role,
    Ticket,
    TicketEvent,
    TicketMessage,
    Visibility,
)
from portal.models.base import utcnow
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db

NOW = utcnow()
LONG_AGO = NOW - timedelta(days=4000)


@pytest.fixture
def keep_days(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_KEEP_DAYS", 30)
    monkeypatch.setitem(app.config, "OUTBOX_FAILED_KEEP_DAYS", 90)
    monkeypatch.setitem(app.config, "RETENTION_BATCH", 1000)
    return app.config


def _row(db, key: str, state: OutboxState, age_days: float, **columns) -> int:
    moment = NOW - timedelta(days=age_days)
    item = OutboxItem(kind=OutboxKind.email, key=key, state=state, payload={"to": "a@example.com"},
                      created_at=moment, delivered_at=moment if state is OutboxState.delivered else None,
                      **columns)
    db.session.add(item)
    db.session.flush()
    return item.id


def _left(db) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(db.select(OutboxItem.key).where(OutboxItem.key.like("ret:%"))))


def test_rows_past_their_time_go_and_the_rest_stay(db, keep_days):
    _row(db, "ret:delivered-old", OutboxState.delivered, 31)
    _row(db, "ret:delivered-recent", OutboxState.delivered, 29)
    _row(db, "ret:failed-old", OutboxState.failed, 91)
    _row(db, "ret:failed-recent", OutboxState.failed, 60)  # past the delivered rows' time, not the failed ones'
    _row(db, "ret:queued-old", OutboxState.queued, 400)  # still to be sent: never removed
    _row(db, "ret:sending-old", OutboxState.sending, 400, claimed_at=LONG_AGO)
    assert retention.purge(NOW) == 2
    assert _left(db) == {"ret:delivered-recent", "ret:failed-recent", "ret:queued-old", "ret:sending-old"}


def test_the_times_are_settings_and_zero_keeps_for_ever(db, keep_days):
    _row(db, "ret:delivered", OutboxState.delivered, 10)
    _row(db, "ret:failed", OutboxState.failed, 10)
    keep_days.update(OUTBOX_KEEP_DAYS=0, OUTBOX_FAILED_KEEP_DAYS=0)
    assert retention.purge(NOW) == 0
    keep_days.update(OUTBOX_KEEP_DAYS=7, OUTBOX_FAILED_KEEP_DAYS=0)
    assert retention.purge(NOW) == 1
    assert _left(db) == {"ret:failed"}
    keep_days.update(OUTBOX_FAILED_KEEP_DAYS=9)
    assert retention.purge(NOW) == 1
    assert _left(db) == set()


def test_rows_go_in_batches_each_committed(db, keep_days):
    keep_days["RETENTION_BATCH"] = 4
    for number in range(10):
        _row(db, f"ret:old-{number}", OutboxState.delivered, 100)
    batches: list[int] = []
    assert retention.purge(NOW, on_batch=lambda: batches.append(len(_left(db)))) == 10
    assert batches == [6, 2, 0]  # three DELETEs of at most four rows, the rest left after each


def test_tickets_messages_events_and_audit_entries_are_never_removed(db, factory, keep_days):
    shopper = factory.user(Role.customer, name="Maria Souza")
    agent = factory.user(Role.agent, name="Ana Agente")
    order = factory.order(shopper)
    ticket = tickets.create_channel_ticket(order, order.channel, "Pedido", "Onde está?", None)
    db.session.flush()
    tickets.reply_as_staff(ticket, agent, "Seu pedido saiu hoje.", Visibility.customer,
                           expected_version=ticket.version)
    db.session.add(AuditEntry(user_id=agent.id, action="settings.update", target="store", created_at=LONG_AGO))
    db.session.flush()
    # Everything is years old, and the answer's e-mail was delivered years ago.
    for model in (Ticket, TicketMessage, TicketEvent):
        db.session.execute(db.update(model).values(created_at=LONG_AGO))
    db.session.execute(db.update(OutboxItem).where(OutboxItem.ticket_id == ticket.id)
                       .values(state=OutboxState.delivered, created_at=LONG_AGO, delivered_at=LONG_AGO))
    counts = {model: db.session.scalar(db.select(db.func.count()).select_from(model))
              for model in (Ticket, TicketMessage, TicketEvent, AuditEntry)}
    assert counts[TicketMessage] >= 2 and counts[TicketEvent] >= 1

    assert retention.purge(NOW) >= 1
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxItem)
                             .where(OutboxItem.ticket_id == ticket.id)) == 0
    assert {model: db.session.scalar(db.select(db.func.count()).select_from(model)) for model in counts} == counts
    assert db.session.get(Ticket, ticket.id).subject == "Pedido"


def test_the_task_commits_what_it_removes(db, app, keep_days):
    _row(db, "ret:task-old", OutboxState.delivered, 45)
    _row(db, "ret:task-recent", OutboxState.delivered, 1)
    db.session.commit()
    assert retention.purge_expired.call_local() == 1
    db.session.rollback()  # what the task committed stays
    assert _left(db) == {"ret:task-recent"}

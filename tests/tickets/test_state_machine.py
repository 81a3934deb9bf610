"""Every status transition the ticket rules allow, and those they refuse."""
from datetime import UTC, datetime

import pytest

from portal.core.errors import Conflict
from portal.models import TicketEvent, TicketStatus, Visibility
from portal.tickets import lifecycle as tickets


def _set_status(ticket, status, clock):
    """Bring a fresh ticket to a status through the service verbs."""
    if status is TicketStatus.waiting:
        tickets.reply_as_staff(ticket, ticket.assignee or _staff(ticket), "Resposta", Visibility.customer,
                               expected_version=ticket.version)
    elif status is TicketStatus.closed:
        tickets.close_ticket(ticket, _staff(ticket))
    return ticket


def _staff(ticket):
    from portal.extensions import db
    from portal.models import Role, User

    return db.session.scalar(db.select(User).where(User.role == Role.agent))


# (starting status, who acts, action, resulting status, or the error raised)
TABLE = [
    (TicketStatus.open, "customer", "reply", TicketStatus.open),
    (TicketStatus.waiting, "customer", "reply", TicketStatus.open),
    (TicketStatus.closed, "customer", "reply", TicketStatus.open),
    (TicketStatus.open, "staff", "reply_customer", TicketStatus.waiting),
    (TicketStatus.open, "staff", "reply_marketplace", TicketStatus.waiting),
    (TicketStatus.waiting, "staff", "reply_customer", TicketStatus.waiting),
    (TicketStatus.open, "staff", "internal", TicketStatus.open),
    (TicketStatus.waiting, "staff", "internal", TicketStatus.waiting),
    (TicketStatus.closed, "staff", "reply_customer", Conflict),
    (TicketStatus.closed, "staff", "internal", Conflict),
    (TicketStatus.open, "staff", "escalate", TicketStatus.waiting),
    (TicketStatus.closed, "staff", "escalate", Conflict),
    (TicketStatus.open, "staff", "close", TicketStatus.closed),
    (TicketStatus.waiting, "staff", "close", TicketStatus.closed),
    (TicketStatus.closed, "staff", "close", Conflict),
    (TicketStatus.open, "customer", "close", TicketStatus.closed),
    (TicketStatus.closed, "staff", "reopen", TicketStatus.open),
    (TicketStatus.open, "staff", "reopen", Conflict),
]


def _act(action, ticket, actor):
    if action == "reply":
        return tickets.reply_as_customer(ticket, actor, "Mais uma pergunta")
    if action.startswith("reply_") or action == "internal":
        visibility = {"reply_customer": Visibility.customer, "reply_marketplace": Visibility.marketplace,
                      "internal": Visibility.internal}[action]
        return tickets.reply_as_staff(ticket, actor, "Texto", visibility, expected_version=ticket.version)
    if action == "escalate":
        return tickets.escalate_ticket(ticket, actor, "cannot_help", "", expected_version=ticket.version)
    if action == "close":
        return tickets.close_ticket(ticket, actor)
    if action == "reopen":
        return tickets.reopen_ticket(ticket, actor)
    raise AssertionError(action)


@pytest.mark.parametrize(("start", "who", "action", "expected"), TABLE)
def test_transition(db, open_ticket, marketplace, shopper, agent, clock, start, who, action, expected):
    ticket = _set_status(open_ticket(channel=marketplace), start, clock)
    clock.advance(hours=1)
    actor = shopper if who == "customer" else agent
    events_before = db.session.scalar(db.select(db.func.count()).select_from(TicketEvent)
                                      .where(TicketEvent.ticket_id == ticket.id))
    version = ticket.version
    if isinstance(expected, type):
        with pytest.raises(expected):
            _act(action, ticket, actor)
        db.session.rollback()
        return
    _act(action, ticket, actor)
    assert ticket.status is expected
    assert ticket.version == version + 1
    events = db.session.scalars(db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                .order_by(TicketEvent.id)).all()
    assert len(events) == events_before + 1
    assert events[-1].actor_id == actor.id and events[-1].created_at == clock.now


def test_marketplace_only_answer_needs_a_marketplace_ticket(open_ticket, agent):
    ticket = open_ticket()
    with pytest.raises(Exception, match="marketplace"):
        tickets.reply_as_staff(ticket, agent, "Texto", Visibility.marketplace, expected_version=ticket.version)


def test_customer_reply_reopens_within_14_days(open_ticket, agent, shopper, clock):
    ticket = open_ticket()
    tickets.close_ticket(ticket, agent)
    clock.advance(days=14)
    tickets.reply_as_customer(ticket, shopper, "Ainda não chegou")
    assert ticket.status is TicketStatus.open
    assert ticket.closed_at is None
    assert ticket.events[-1].kind == "reopened"


def test_customer_reply_after_14_days_is_refused(db, open_ticket, agent, shopper, clock):
    ticket = open_ticket()
    tickets.close_ticket(ticket, agent)
    clock.advance(days=14, seconds=1)
    with pytest.raises(Conflict, match="new ticket"):
        tickets.reply_as_customer(ticket, shopper, "Ainda não chegou")
    assert ticket.status is TicketStatus.closed


def test_staff_may_reopen_an_old_ticket_but_the_shopper_may_not(open_ticket, agent, shopper, clock):
    first, second = open_ticket(), open_ticket()
    for ticket in (first, second):
        tickets.close_ticket(ticket, agent)
    clock.advance(days=30)
    with pytest.raises(Conflict):
        tickets.reopen_ticket(first, shopper)
    tickets.reopen_ticket(second, agent)
    assert second.status is TicketStatus.open


def test_escalation_marks_the_ticket(open_ticket, agent):
    ticket = open_ticket()
    tickets.escalate_ticket(ticket, agent, "account", "Pedido de exclusão de conta", expected_version=ticket.version)
    assert ticket.escalated and ticket.escalation_reason == "account"
    assert ticket.status is TicketStatus.waiting
    assert ticket.events[-1].kind == "escalated"
    assert ticket.events[-1].data["note"] == "Pedido de exclusão de conta"


def test_closing_stops_the_clock(open_ticket, agent, clock):
    ticket = open_ticket()
    tickets.close_ticket(ticket, agent)
    assert ticket.closed_at == clock.now
    assert ticket.due_at is None and ticket.sla_remaining_seconds is None


def test_reopened_from_closed_gets_the_full_sla(open_ticket, agent, shopper, clock):
    ticket = open_ticket()
    tickets.close_ticket(ticket, agent)
    moment = clock.advance(days=1)
    tickets.reply_as_customer(ticket, shopper, "Voltei")
    assert ticket.open_since == moment
    # Thursday 10:00 local; Friday 20 November is a national holiday: due Tuesday 10:00 local.
    assert ticket.due_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)

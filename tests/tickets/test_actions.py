"""Staff actions: refund and cancel bounds, forwarding, one event per action, stale versions."""
from decimal import Decimal

import pytest

from portal.core.errors import Conflict, NotFound, ValidationError
from portal.models import CancelledUnit, Refund, TicketEvent, TicketMessage, Visibility
from portal.tickets import lifecycle as tickets


def _count(db, model, **where):
    return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**where))


# The factory's order totals 215.90 (two items of 100.00 and 15.90 shipping).
@pytest.mark.parametrize(("amounts", "refused"), [
    (["0"], "greater than zero"),
    (["-1.00"], "greater than zero"),
    (["215.91"], "left to refund"),
    (["200.00", "15.91"], "left to refund"),
    (["1.001"], "two decimal places"),
])
def test_refund_out_of_bounds_is_refused(db, open_ticket, agent, amounts, refused):
    ticket = open_ticket()
    for amount in amounts[:-1]:
        tickets.refund(ticket, agent, Decimal(amount), "Frete", expected_version=ticket.version)
    with pytest.raises(ValidationError, match=refused) as error:
        tickets.refund(ticket, agent, Decimal(amounts[-1]), "Frete", expected_version=ticket.version)
    assert error.value.field == "amount"
    assert _count(db, Refund, ticket_id=ticket.id) == len(amounts) - 1


def test_refund_exactly_what_is_left(db, open_ticket, agent):
    ticket = open_ticket()
    tickets.refund(ticket, agent, Decimal("200.00"), "Produto com defeito", expected_version=ticket.version)
    tickets.refund(ticket, agent, Decimal("15.90"), "Frete", expected_version=ticket.version)
    assert tickets.refunded_total(ticket.order) == Decimal("215.90")
    event = ticket.events[-1]
    assert event.kind == "refunded" and event.data["amount"] == "15.90" and event.actor_id == agent.id


def test_refund_needs_a_reason(open_ticket, agent):
    ticket = open_ticket()
    with pytest.raises(ValidationError) as error:
        tickets.refund(ticket, agent, Decimal("1"), "  ", expected_version=ticket.version)
    assert error.value.field == "reason"


@pytest.mark.parametrize(("quantities", "refused"), [
    ([0], "at least one"),
    ([-1], "at least one"),
    ([4], "Only 3"),
    ([2, 2], "Only 1"),
])
def test_cancel_unit_out_of_bounds_is_refused(db, open_ticket, agent, quantities, refused):
    ticket = open_ticket()
    item = ticket.order.items[0]
    item.quantity = 3
    for quantity in quantities[:-1]:
        tickets.cancel_unit(ticket, agent, item.id, quantity, "Sem estoque", expected_version=ticket.version)
    with pytest.raises(ValidationError, match=refused):
        tickets.cancel_unit(ticket, agent, item.id, quantities[-1], "Sem estoque", expected_version=ticket.version)
    assert _count(db, CancelledUnit, ticket_id=ticket.id) == len(quantities) - 1


def test_cancel_every_unit_left(open_ticket, agent):
    ticket = open_ticket()
    item = ticket.order.items[0]
    item.quantity = 3
    tickets.cancel_unit(ticket, agent, item.id, 1, "Sem estoque", expected_version=ticket.version)
    row = tickets.cancel_unit(ticket, agent, item.id, 2, "Sem estoque", expected_version=ticket.version)
    assert row.quantity == 2
    assert ticket.events[-1].kind == "unit_cancelled" and ticket.events[-1].data["quantity"] == 2


def test_cancel_unit_of_another_order_is_refused(open_ticket, factory, agent):
    ticket = open_ticket()
    other = factory.order()
    with pytest.raises(NotFound):
        tickets.cancel_unit(ticket, agent, other.items[0].id, 1, "x", expected_version=ticket.version)


def test_forwarding_sets_assignee_and_received_from(open_ticket, agent, agent2):
    ticket = open_ticket()
    tickets.forward_ticket(ticket, agent, agent2, "Cliente VIP", expected_version=ticket.version)
    assert ticket.assignee == agent2 and ticket.forwarded_by == agent and ticket.forward_note == "Cliente VIP"
    event = ticket.events[-1]
    assert event.kind == "forwarded" and event.actor_id == agent.id and event.data["to_user_id"] == agent2.id


@pytest.mark.parametrize("target", ["self", "customer"])
def test_forwarding_to_self_or_a_customer_is_refused(open_ticket, agent, shopper, target):
    ticket = open_ticket()
    with pytest.raises(ValidationError):
        tickets.forward_ticket(ticket, agent, agent if target == "self" else shopper, "",
                               expected_version=ticket.version)


def test_taking_clears_received_from(open_ticket, agent, agent2):
    ticket = open_ticket()
    tickets.forward_ticket(ticket, agent, agent2, "", expected_version=ticket.version)
    tickets.take_ticket(ticket, agent, expected_version=ticket.version)
    assert ticket.assignee == agent and ticket.forwarded_by is None
    with pytest.raises(Conflict):
        tickets.take_ticket(ticket, agent, expected_version=ticket.version)


def test_unknown_escalation_reason_is_refused(open_ticket, agent):
    ticket = open_ticket()
    with pytest.raises(ValidationError) as error:
        tickets.escalate_ticket(ticket, agent, "bogus", "", expected_version=ticket.version)
    assert error.value.field == "reason"


ACTIONS = {
    "reply": lambda t, a, b, v: tickets.reply_as_staff(t, a, "Oi", Visibility.customer, expected_version=v),
    "note": lambda t, a, b, v: tickets.reply_as_staff(t, a, "Nota", Visibility.internal, expected_version=v),
    "forward": lambda t, a, b, v: tickets.forward_ticket(t, a, b, "", expected_version=v),
    "take": lambda t, a, b, v: tickets.take_ticket(t, a, expected_version=v),
    "escalate": lambda t, a, b, v: tickets.escalate_ticket(t, a, "not_for_us", "", expected_version=v),
    "refund": lambda t, a, b, v: tickets.refund(t, a, Decimal("10"), "Frete", expected_version=v),
    "cancel_unit": lambda t, a, b, v: tickets.cancel_unit(t, a, t.order.items[0].id, 1, "x", expected_version=v),
    "close": lambda t, a, b, v: tickets.close_ticket(t, a, expected_version=v),
}
KINDS = {"reply": "message", "note": "message", "forward": "forwarded", "take": "taken", "escalate": "escalated",
         "refund": "refunded", "cancel_unit": "unit_cancelled", "close": "closed"}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_writes_one_event_with_actor_and_time(db, open_ticket, agent, agent2, clock, action):
    ticket = open_ticket()
    assert [e.kind for e in ticket.events] == ["opened"]
    moment = clock.advance(minutes=5)
    ACTIONS[action](ticket, agent, agent2, ticket.version)
    db.session.flush()
    rows = db.session.scalars(db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(TicketEvent.id)).all()
    assert [e.kind for e in rows] == ["opened", KINDS[action]]
    assert rows[-1].actor_id == agent.id and rows[-1].created_at == moment


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_stale_version_is_refused_with_nothing_written(db, open_ticket, agent, agent2, action):
    ticket = open_ticket()
    models = (TicketEvent, TicketMessage, Refund, CancelledUnit)
    counts = [_count(db, model) for model in models]
    status, version = ticket.status, ticket.version
    with pytest.raises(tickets.StaleTicket) as error:
        ACTIONS[action](ticket, agent, agent2, version - 1)  # the form was rendered one change ago
    assert error.value.status_code == 409
    db.session.flush()
    assert [_count(db, model) for model in models] == counts
    assert ticket.status is status and ticket.version == version and ticket.assignee is None


def test_stale_reply_keeps_the_text(open_ticket, agent):
    ticket = open_ticket()
    with pytest.raises(tickets.StaleTicket) as error:
        tickets.reply_as_staff(ticket, agent, "Minha resposta longa", Visibility.customer,
                               expected_version=ticket.version - 1)
    assert error.value.text == "Minha resposta longa"


def test_a_ticket_back_with_the_store_is_no_longer_escalated(db, open_ticket, agent, shopper):
    ticket = open_ticket()
    tickets.escalate_ticket(ticket, agent, "payments", "", expected_version=ticket.version)
    assert ticket.escalated and ticket.status.value == "waiting"
    tickets.reply_as_customer(ticket, shopper, "Ainda preciso de ajuda")
    assert ticket.status.value == "open" and not ticket.escalated
    tickets.escalate_ticket(ticket, agent, "account", "de novo", expected_version=ticket.version)
    assert ticket.escalated and ticket.escalation_reason == "account"
    assert [e.kind for e in ticket.events].count("escalated") == 2


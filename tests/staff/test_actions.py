"""The actions menu: every action's happy path, its bad input, and its place in the history."""
import re
from decimal import Decimal

import pytest

from portal.models import CancelledUnit, Refund, TicketStatus

pytestmark = pytest.mark.db


@pytest.fixture
def signed_in(client, login, agent):
    login(agent)
    return agent


def post(client, form_of, ticket, action, **fields):
    return client.post(f"/staff/tickets/{ticket.number}/{action}", data={**form_of(ticket.number), **fields})


def history(client, ticket) -> str:
    return client.get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)


def test_refund_happy_path(client, form_of, signed_in, ticket, db):
    response = post(client, form_of, ticket, "refund", amount="25,90", reason="Atraso na entrega")
    assert response.status_code == 302
    refund = db.session.scalar(db.select(Refund).where(Refund.ticket_id == ticket.id))
    assert refund.amount == Decimal("25.90") and refund.reason == "Atraso na entrega"
    assert 'data-event="refunded"' in history(client, ticket)


@pytest.mark.parametrize("amount", ["", "abc", "0", "-5", "1,234", "99999"])
def test_refund_bad_amounts_rerender_and_save_nothing(client, form_of, signed_in, ticket, db, amount):
    response = post(client, form_of, ticket, "refund", amount=amount, reason="x")
    assert response.status_code in (409, 422)
    html = response.get_data(as_text=True)
    assert 'data-action-form="refund"' in html and "field--invalid" in html or "data-form-error" in html
    assert db.session.scalar(db.select(Refund).where(Refund.ticket_id == ticket.id)) is None


def test_escalate_happy_path_and_bad_reason(client, form_of, signed_in, ticket, db):
    assert post(client, form_of, ticket, "escalate", reason="made_up").status_code == 422
    response = post(client, form_of, ticket, "escalate", reason="not_for_us", note="Pedido de outra loja")
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.escalated and ticket.status is TicketStatus.waiting
    html = history(client, ticket)
    assert "data-escalated" in html and 'data-event="escalated"' in html


def test_cancel_unit_happy_path_and_too_many(client, form_of, signed_in, ticket, db):
    item = ticket.order.items[0]
    response = post(client, form_of, ticket, "cancel-unit", item=str(item.id), quantity="5", reason="Sem estoque")
    assert response.status_code == 422
    assert post(client, form_of, ticket, "cancel-unit", item=str(item.id), quantity="1",
                reason="Sem estoque").status_code == 302
    assert db.session.scalar(db.select(CancelledUnit).where(CancelledUnit.ticket_id == ticket.id)).quantity == 1
    assert 'data-event="unit_cancelled"' in history(client, ticket)


def test_cancel_unit_needs_a_reason(client, form_of, signed_in, ticket, db):
    response = post(client, form_of, ticket, "cancel-unit", item=str(ticket.order.items[0].id), quantity="1")
    assert response.status_code == 422
    assert db.session.scalar(db.select(CancelledUnit)) is None


def test_forward_take_close_reopen(client, form_of, signed_in, colleague, ticket, db):
    assert post(client, form_of, ticket, "forward", to_user="999999").status_code == 422
    assert post(client, form_of, ticket, "forward", to_user=str(colleague.id), note="Pode ver?").status_code == 302
    db.session.refresh(ticket)
    assert ticket.assignee_id == colleague.id and ticket.forwarded_by_id == signed_in.id
    assert post(client, form_of, ticket, "take").status_code == 302
    db.session.refresh(ticket)
    assert ticket.assignee_id == signed_in.id
    assert post(client, form_of, ticket, "close").status_code == 302
    db.session.refresh(ticket)
    assert ticket.status is TicketStatus.closed
    assert post(client, form_of, ticket, "reopen").status_code == 302
    db.session.refresh(ticket)
    assert ticket.status is TicketStatus.open
    html = history(client, ticket)
    for kind in ("forwarded", "taken", "closed", "reopened"):
        assert f'data-event="{kind}"' in html


def test_closed_ticket_offers_reopen_instead_of_the_reply_box(client, form_of, signed_in, ticket):
    post(client, form_of, ticket, "close")
    html = history(client, ticket)
    assert "Reopen it to answer" in html and "data-reply-form" not in html


def test_actions_without_csrf_are_refused(client, signed_in, ticket):
    for action in ("refund", "escalate", "cancel-unit", "forward", "take", "close", "reopen", "reply"):
        assert client.post(f"/staff/tickets/{ticket.number}/{action}", data={"version": "1"}).status_code == 400


def test_stale_action_is_refused_with_409(client, form_of, signed_in, colleague, ticket, db):
    from portal.tickets import lifecycle as tickets
    data = form_of(ticket.number)
    tickets.take_ticket(ticket, colleague, expected_version=ticket.version)
    db.session.commit()
    response = client.post(f"/staff/tickets/{ticket.number}/refund", data={**data, "amount": "10", "reason": "x"})
    assert response.status_code == 409
    assert "This ticket changed since you opened it" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Refund)) is None


def test_a_stale_reopen_is_refused_with_409(client, form_of, signed_in, colleague, ticket, db):
    from portal.tickets import lifecycle as tickets
    post(client, form_of, ticket, "close")
    data = form_of(ticket.number)
    tickets.reopen_ticket(ticket, colleague, expected_version=ticket.version)
    tickets.close_ticket(ticket, colleague)
    db.session.commit()
    assert client.post(f"/staff/tickets/{ticket.number}/reopen", data=data).status_code == 409
    db.session.refresh(ticket)
    assert ticket.status is TicketStatus.closed


def test_staff_cannot_answer_a_closed_ticket(client, form_of, signed_in, ticket, db):
    post(client, form_of, ticket, "close")
    response = post(client, form_of, ticket, "reply", body="Resposta tardia", visibility="customer")
    assert response.status_code == 409
    assert "Resposta tardia" in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.status is TicketStatus.closed and len(ticket.messages) == 1


@pytest.mark.parametrize(("language", "sentence"), [
    ("pt-BR", r"Só resta R\$\xa0(\d+),(\d\d) a reembolsar"),
    ("en", r"Only R\$(\d+)\.(\d\d) is left to refund"),
    ("de", r"(\d+),(\d\d)\xa0R\$"),
])
def test_the_refund_limit_names_the_money_as_the_language_writes_it(client, form_of, signed_in, ticket, db,
                                                                    language, sentence):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    html = post(client, form_of, ticket, "refund", amount="99999", reason="x").get_data(as_text=True)
    found = re.search(sentence, html)
    assert found, html[html.find("field__errors"):][:300]
    assert Decimal(f"{found[1]}.{found[2]}") == ticket.order.total

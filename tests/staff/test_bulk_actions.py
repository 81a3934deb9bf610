"""Bulk actions from the queue: a confirmation first, then each ticket through its single action's rules."""
import re

import pytest

from portal.models import (
    AuditEntry,
    OutboxItem,
    OutboxKind,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketStatus,
    Visibility,
)
from portal.tickets import lifecycle as tickets
from portal.tickets.numbers import new_ticket_number
from portal.web.staff.bulk import MAX_TICKETS

pytestmark = pytest.mark.db


@pytest.fixture
def signed_in(client, login, agent):
    login(agent)
    return agent


@pytest.fixture
def three(make_ticket):
    return [make_ticket(subject=f"Pergunta {n}") for n in range(3)]


def queue_form(client, csrf_from) -> dict:
    """The CSRF token and every row's checkbox value, as the queue renders them."""
    html = client.get("/staff/").get_data(as_text=True)
    values = dict(re.findall(r'name="ticket" value="((\d{11}):\d+)"', html))
    return {"csrf_token": csrf_from(html), "values": {number: value for value, number in values.items()}}


def bulk(client, shown, numbers, action, confirm=True, **fields):
    data = {"csrf_token": shown["csrf_token"], "action": action,
            "ticket": [shown["values"].get(number, number) for number in numbers], **fields}
    if confirm:
        data["confirm"] = "1"
    return client.post("/staff/bulk", data=data)


def audited(db, action):
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action))
    return sorted(entry.target for entry in entries)


def test_the_queue_offers_a_checkbox_per_row_with_its_version_and_a_label(client, csrf_from, signed_in, three):
    html = client.get("/staff/").get_data(as_text=True)
    for ticket in three:
        assert f'name="ticket" value="{ticket.number}:{ticket.version}"' in html
        assert f'for="select-{ticket.number}">Select ticket {ticket.number}: {ticket.subject}</label>' in html
    assert 'action="/staff/bulk"' in html and "data-bulk-all" in html
    assert 'name="action"' in html and 'name="to_user"' in html and 'name="text"' in html


def test_the_first_post_only_shows_the_tickets_and_changes_nothing(client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    numbers = [t.number for t in three[:2]]
    response = bulk(client, shown, numbers, "close", confirm=False)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for ticket in three[:2]:
        assert f'data-bulk-ticket="{ticket.number}"' in html and ticket.subject in html
    assert f'data-bulk-ticket="{three[2].number}"' not in html
    assert 'data-bulk-confirm="close"' in html and 'name="confirm" value="1"' in html and "data-bulk-cancel" in html
    assert all(db.session.get(Ticket, t.id).status is TicketStatus.open for t in three)
    assert audited(db, "ticket.bulk_close") == []


def test_close_closes_every_selected_ticket_with_its_event_and_an_audit_entry_each(
        client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    response = bulk(client, shown, [t.number for t in three], "close")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/")
    for ticket in three:
        db.session.refresh(ticket)
        assert ticket.status is TicketStatus.closed
        assert db.session.scalar(db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                              TicketEvent.kind == "closed")) is not None
    assert audited(db, "ticket.bulk_close") == sorted(f"ticket:{t.number}" for t in three)
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "ticket.bulk_close")).first()
    assert entry.user_id == signed_in.id
    page = client.get("/staff/?tab=closed").get_data(as_text=True)
    assert "3 tickets closed." in page


def test_assign_to_a_colleague_and_to_oneself(client, csrf_from, signed_in, colleague, three, db):
    shown = queue_form(client, csrf_from)
    assert bulk(client, shown, [t.number for t in three[:2]], "assign", to_user=str(colleague.id)).status_code == 302
    assert bulk(client, shown, [three[2].number], "assign", to_user="me").status_code == 302
    for ticket in three:
        db.session.refresh(ticket)
    assert [t.assignee_id for t in three] == [colleague.id, colleague.id, signed_in.id]
    assert len(audited(db, "ticket.bulk_assign")) == 3


def test_forward_sends_the_colleague_the_same_mail_and_event_as_one_forward(
        client, csrf_from, signed_in, colleague, three, db):
    shown = queue_form(client, csrf_from)
    response = bulk(client, shown, [t.number for t in three[:2]], "forward", to_user=str(colleague.id),
                    text="Pode ver estes?")
    assert response.status_code == 302
    for ticket in three[:2]:
        db.session.refresh(ticket)
        assert ticket.assignee_id == colleague.id and ticket.forwarded_by_id == signed_in.id
        assert ticket.forward_note == "Pode ver estes?"
        event = db.session.scalar(db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                               TicketEvent.kind == "forwarded"))
        assert event.data["note"] == "Pode ver estes?"
        mail = db.session.scalar(db.select(OutboxItem).where(OutboxItem.kind == OutboxKind.email,
                                                             OutboxItem.key.like(f"ticket-forwarded:{ticket.number}:%")))
        assert mail.payload["to"] == colleague.email
    assert db.session.get(Ticket, three[2].id).assignee_id is None
    assert len(audited(db, "ticket.bulk_forward")) == 2


def test_forwarding_to_oneself_is_refused_per_ticket_by_the_forward_rule(client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    assert bulk(client, shown, [three[0].number], "forward", to_user="me").status_code == 302
    assert db.session.get(Ticket, three[0].id).forwarded_by_id is None
    page = client.get("/staff/").get_data(as_text=True)
    assert f"{three[0].number}: Choose a colleague other than yourself." in page


def test_an_internal_note_on_every_ticket_is_invisible_to_the_shopper(
        client, app, csrf_from, login, signed_in, shopper, three, db):
    shown = queue_form(client, csrf_from)
    assert bulk(client, shown, [t.number for t in three[:2]], "note", text="Cliente ligou, aguardar").status_code == 302
    for ticket in three[:2]:
        notes = list(db.session.scalars(db.select(TicketMessage).where(
            TicketMessage.ticket_id == ticket.id, TicketMessage.visibility == Visibility.internal)))
        assert len(notes) == 1 and "Cliente ligou" in notes[0].body_html
    assert len(audited(db, "ticket.bulk_note")) == 2
    shopper_client = app.test_client()
    shopper_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(shopper_client.get("/login").get_data(as_text=True))
    shopper_client.post("/login", data={"email": shopper.email, "password": "correct horse 1", "csrf_token": token})
    page = shopper_client.get(f"/tickets/{three[0].number}")
    assert page.status_code == 200 and "Cliente ligou" not in page.get_data(as_text=True)


def test_a_note_needs_its_text_and_an_assignment_its_person(client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    assert bulk(client, shown, [three[0].number], "note", text="  ").status_code == 422
    assert bulk(client, shown, [three[0].number], "assign").status_code == 422
    assert bulk(client, shown, [three[0].number], "assign", to_user="999999").status_code == 422
    assert bulk(client, shown, [three[0].number], "explode").status_code == 422
    assert bulk(client, shown, [], "close").status_code == 422
    assert db.session.scalar(db.select(TicketMessage).where(TicketMessage.visibility == Visibility.internal)) is None


def test_a_stale_ticket_is_left_untouched_and_reported_while_the_others_are_done(
        client, csrf_from, signed_in, colleague, three, db):
    shown = queue_form(client, csrf_from)
    changed = three[1]
    tickets.reply_as_staff(changed, colleague, "Já respondi", Visibility.customer, expected_version=None)
    db.session.commit()
    response = bulk(client, shown, [t.number for t in three], "close")
    assert response.status_code == 302
    statuses = [db.session.get(Ticket, t.id).status for t in three]
    assert statuses == [TicketStatus.closed, TicketStatus.waiting, TicketStatus.closed]
    assert audited(db, "ticket.bulk_close") == sorted(f"ticket:{t.number}" for t in (three[0], three[2]))
    page = client.get("/staff/").get_data(as_text=True)
    assert f"2 tickets closed; 1 not: {changed.number}: changed meanwhile (reload the queue)" in page


def test_closing_a_closed_ticket_is_reported(client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    tickets.close_ticket(three[0], signed_in)
    db.session.commit()
    # The agent's queue page still showed it open, with the version before closing: ask with the current one.
    shown["values"][three[0].number] = f"{three[0].number}:{three[0].version}"
    assert bulk(client, shown, [t.number for t in three[:2]], "close").status_code == 302
    page = client.get("/staff/").get_data(as_text=True)
    assert f"1 ticket closed; 1 not: {three[0].number}: This ticket is already closed." in page
    assert audited(db, "ticket.bulk_close") == [f"ticket:{three[1].number}"]


def test_an_unknown_ticket_number_is_reported_not_a_500(client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    unknown = new_ticket_number()  # a valid check digit, no such ticket
    shown["values"][unknown] = f"{unknown}:1"
    confirm = bulk(client, shown, [three[0].number, unknown, "garbage"], "close", confirm=False)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and f'data-bulk-missing-number="{unknown}"' in html
    assert 'data-bulk-missing-number="garbage"' in html
    response = bulk(client, shown, [three[0].number, unknown, "garbage"], "close")
    assert response.status_code == 302
    assert db.session.get(Ticket, three[0].id).status is TicketStatus.closed
    page = client.get("/staff/").get_data(as_text=True)
    assert f"{unknown}: no such ticket" in page and "garbage: no such ticket" in page


def test_more_than_the_cap_is_a_400_with_a_message(client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    response = bulk(client, shown, [f"{three[0].number}"] * (MAX_TICKETS + 1), "close")
    assert response.status_code == 400
    assert f"Select at most {MAX_TICKETS} tickets" in response.get_data(as_text=True)
    assert db.session.get(Ticket, three[0].id).status is TicketStatus.open


def test_without_the_csrf_token_it_is_a_400(client, csrf_from, signed_in, three, db):
    shown = queue_form(client, csrf_from)
    shown["csrf_token"] = ""
    assert bulk(client, shown, [three[0].number], "close").status_code == 400
    assert db.session.get(Ticket, three[0].id).status is TicketStatus.open


def test_a_shopper_is_refused(client, csrf_from, login, shopper, three, db):
    login(shopper)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    response = client.post("/staff/bulk", data={"csrf_token": token, "action": "close", "confirm": "1",
                                                "ticket": [f"{three[0].number}:{three[0].version}"]})
    assert response.status_code == 403
    assert db.session.get(Ticket, three[0].id).status is TicketStatus.open


def test_the_confirmation_loads_the_tickets_in_one_query(client, csrf_from, signed_in, make_ticket, count_queries):
    few = [make_ticket() for _ in range(2)]
    many = few + [make_ticket() for _ in range(8)]
    shown = queue_form(client, csrf_from)

    def cost(selected):
        with count_queries() as statements:
            assert bulk(client, shown, [t.number for t in selected], "close", confirm=False).status_code == 200
        return len(statements)

    assert cost(many) == cost(few)


@pytest.mark.parametrize("action", ["note", "forward"])
@pytest.mark.parametrize("text", ["Ana\x00Lima", "x" * 10_000])
def test_hostile_text_in_a_confirmed_post_is_a_4xx_or_done_never_a_500(
        client, csrf_from, signed_in, colleague, three, db, action, text):
    shown = queue_form(client, csrf_from)
    response = bulk(client, shown, [three[0].number], action, to_user=str(colleague.id), text=text)
    assert response.status_code in (302, 400, 422)
    if response.status_code != 302:
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action.like("ticket.bulk_%"))) is None


def test_the_summary_is_in_the_users_language_with_plural_forms(client, csrf_from, signed_in, three, db):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"
    shown = queue_form(client, csrf_from)
    assert bulk(client, shown, [three[0].number], "close").status_code == 302
    assert "1 ticket encerrado." in client.get("/staff/").get_data(as_text=True)
    assert bulk(client, shown, [t.number for t in three[1:]], "close").status_code == 302
    assert "2 tickets encerrados." in client.get("/staff/").get_data(as_text=True)

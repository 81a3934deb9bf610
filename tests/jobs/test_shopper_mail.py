"""Ticket e-mails to the shopper through the outbox and a real SMTP server: the receipt with its number,
the closing (with the survey's question in the same mail), threading headers, the merchant's switches."""
import pytest

from portal.models import OutboxItem, Role, TicketReason, TicketSurvey
from portal.store.settings import settings_row
from portal.tickets import lifecycle as tickets
from portal.tickets.reply_address import reply_address, thread_id

pytestmark = pytest.mark.db


@pytest.fixture
def reason(db):
    return db.session.scalar(db.select(TicketReason).where(TicketReason.active.is_(True))
                             .order_by(TicketReason.position))


def _keys(db, like="ticket-%"):
    db.session.expire_all()
    return sorted(db.session.scalars(db.select(OutboxItem.key).where(OutboxItem.key.like(like))))


def test_a_new_ticket_is_confirmed_with_its_number_link_and_thread_headers(db, smtp, factory, shopper, reason):
    order = factory.order(shopper)
    ticket = tickets.open_ticket(order, shopper, reason.id, "Cadê?", "Onde está meu pedido?")
    db.session.commit()
    (message,) = smtp.inbox.wait_for(1, timeout=5)
    assert message["Subject"].startswith(f"Recebemos seu chamado {ticket.number}")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert ticket.number in text and f"/tickets/{ticket.number}" in text and f"/tickets/{ticket.number}" in html
    assert message["Reply-To"] == reply_address(ticket.number)
    assert thread_id(ticket.number) in message["In-Reply-To"] and thread_id(ticket.number) in message["References"]
    assert message["List-Unsubscribe"] is None and "<img" not in html


def test_the_closing_is_one_mail_carrying_the_survey_question_in_english(db, smtp, factory, agent, reason):
    reader = factory.user(Role.customer, name="Joan", locale="en")
    ticket = tickets.open_ticket(factory.order(reader), reader, reason.id, "Where?", "Where is it?")
    db.session.commit()
    tickets.close_ticket(ticket, agent)
    db.session.commit()
    messages = smtp.inbox.wait_for(2, timeout=5)
    assert len(messages) == 2
    closing = messages[1]
    assert closing["Subject"].startswith(f"Your ticket {ticket.number} was closed")
    text = closing.get_body(("plain",)).get_content()
    assert "How would you rate the service you received?" in text and "/survey/" in text and "opens again" in text
    assert closing["In-Reply-To"]
    assert db.session.scalar(db.select(TicketSurvey).where(TicketSurvey.ticket_id == ticket.id)) is not None
    assert [key.split(":")[0] for key in _keys(db)] == ["ticket-closed", "ticket-received"]


def test_switches_off_send_nothing_but_the_survey_still_asks_by_its_own_mail(db, factory, shopper, agent, reason):
    settings = settings_row()
    settings.mail_ticket_received = settings.mail_ticket_closed = False
    ticket = tickets.open_ticket(factory.order(shopper), shopper, reason.id, "Cadê?", "Onde está?")
    tickets.close_ticket(ticket, agent)
    assert [key.split(":")[0] for key in _keys(db)] == ["ticket-survey"]


def test_a_marketplace_ticket_gets_no_receipt_nor_closing(db, factory, shopper, agent):
    channel = factory.channel("amazon", "Amazon", marketplace=True)
    order = factory.order(shopper, channel=channel)
    ticket = tickets.create_channel_ticket(order, channel, "Atraso", "Cadê?", "AMZ-1")
    tickets.close_ticket(ticket, agent)
    assert _keys(db) == []


def test_an_unsubscribed_shopper_still_gets_ticket_mail(db, factory, shopper, reason):
    shopper.order_mail_off = True
    ticket = tickets.open_ticket(factory.order(shopper), shopper, reason.id, "Cadê?", "Onde está?")
    assert _keys(db) == [f"ticket-received:{ticket.number}:{ticket.events[0].id}"]


def test_the_merchant_turns_a_mail_off_on_the_settings_page_and_it_is_audited(app, db, client, login, factory,
                                                                              csrf_from):
    from portal.models.audit import AuditEntry
    admin = factory.user(Role.admin, name="Dona")
    db.session.commit()
    login(admin)
    page = client.get("/merchant-admin/settings").get_data(as_text=True)
    assert '<input checked class="field__check" id="mail_order_shipped" name="mail_order_shipped"' in page
    row = settings_row()
    form = {"csrf_token": csrf_from(page), "version": str(row.version), "store_name": row.store_name,
            "timezone": row.timezone, "country": row.country, "state": row.state,
            "default_locale": row.default_locale, "account_pages_enabled": "y", "late_quiet_days": "3",
            "mail_ticket_received": "y", "mail_ticket_closed": "y", "mail_order_delivered": "y",
            "mail_order_cancelled": "y"}
    response = client.post("/merchant-admin/settings", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    row = settings_row()
    assert row.mail_order_shipped is False and row.mail_order_delivered is True
    entry = db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry.action == "settings.update"
    assert entry.before["mail_order_shipped"] is True and entry.after["mail_order_shipped"] is False

"""E-mails through the outbox and a real SMTP server: once each, in the reader's language, never lost."""
import json
import re

import pytest

from portal.core import outbox
from portal.models import OutboxKind, OutboxState, Visibility
from portal.store.settings import settings_row
from portal.tickets import lifecycle as tickets

from .conftest import reason_text

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def no_receipts(db):
    """Follow one mail per ticket here: the receipt of a new ticket has its own tests (test_shopper_mail.py)."""
    settings_row().mail_ticket_received = False


def _queue(key="test-mail:1", to="someone@example.com"):
    return outbox.queue_email(key, to, "Assunto", "Texto simples", "<p>Texto <b>HTML</b></p>")


def test_the_same_key_twice_is_one_row_and_one_mail(db, smtp, items):
    first = _queue()
    again = _queue()
    assert again.id == first.id
    db.session.commit()
    assert _queue().id == first.id  # a later transaction adds nothing either
    db.session.commit()
    assert len([item for item in items() if item.key == "test-mail:1"]) == 1
    assert len(smtp.inbox.wait_for(1, timeout=2)) == 1
    message = smtp.messages[0]
    assert message["To"] == "someone@example.com" and message["Subject"] == "Assunto"
    assert message.get_body(("plain",)).get_content().strip() == "Texto simples"
    assert "<b>HTML</b>" in message.get_body(("html",)).get_content()


def test_running_the_delivery_twice_sends_one_mail(db, smtp, items):
    item = _queue()
    db.session.commit()  # delivered by the task queued after commit
    assert outbox.deliver.call_local(item.id) is False
    assert outbox.deliver.call_local(item.id) is False
    assert len(smtp.messages) == 1
    (row,) = items()
    assert row.state is OutboxState.delivered and row.delivered_at is not None and row.attempts == 0


def test_a_row_held_by_another_worker_is_left_alone_until_its_lease_ends(db, smtp, items, clock):
    item = _queue()
    assert outbox.claim(item.id)  # another worker claimed it and is sending
    db.session.commit()
    assert outbox.deliver.call_local(item.id) is False
    assert outbox.sweep() == 0
    assert smtp.messages == []
    clock.advance(minutes=11)  # that worker died: its lease ran out
    assert outbox.sweep() == 1
    assert len(smtp.inbox.wait_for(1, timeout=2)) == 1
    assert items()[0].state is OutboxState.delivered


def test_smtp_down_keeps_the_answer_and_the_mail_goes_out_once_it_is_back(db, smtp_config, items, clock, agent,
                                                                          shopper, factory):
    order = factory.order(shopper)
    ticket = tickets.create_channel_ticket(order, order.channel, "Pedido", "Onde está?", None)
    db.session.commit()
    tickets.reply_as_staff(ticket, agent, "Seu pedido saiu.", Visibility.customer, expected_version=ticket.version)
    db.session.commit()  # SMTP is down: the task fails inside, the answer stays
    (item,) = items(ticket, OutboxKind.email)
    assert item.state is OutboxState.queued and item.attempts == 1
    assert item.last_error == "refused" and reason_text(item.last_error) == "the connection was refused"
    assert (item.next_attempt_at - clock.now).total_seconds() == pytest.approx(30, abs=1)
    assert any("saiu" in message.body_html for message in ticket.messages)

    assert outbox.sweep() == 0  # not due yet
    smtp_config.start()
    clock.advance(seconds=31)
    assert outbox.sweep() == 1
    assert len(smtp_config.inbox.wait_for(1, timeout=2)) == 1
    clock.advance(minutes=30)
    assert outbox.sweep() == 0
    assert len(smtp_config.messages) == 1
    (item,) = items(ticket, OutboxKind.email)
    assert item.state is OutboxState.delivered and item.attempts == 1


def test_back_off_doubles_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_a_mail_never_handed_to_the_queue_is_swept_after_a_minute(db, smtp, clock, monkeypatch, items):
    def lost(*args, **kwargs):
        raise ConnectionError("redis is down")

    working = outbox.deliver
    monkeypatch.setattr(outbox, "deliver", lost)
    _queue()
    db.session.commit()
    monkeypatch.setattr(outbox, "deliver", working)
    clock.now = items()[0].created_at
    assert outbox.sweep() == 0
    clock.advance(seconds=61)
    assert outbox.sweep() == 1
    assert len(smtp.inbox.wait_for(1, timeout=2)) == 1


@pytest.mark.parametrize(("locale", "subject", "hello"), [
    ("pt_BR", "Resposta ao seu ticket", "Olá, Maria Souza!"),
    ("en", "Answer to your ticket", "Hello, Maria Souza!"),
])
def test_the_answer_mail_is_in_the_shoppers_language(db, smtp, agent, shopper, factory, locale, subject, hello):
    shopper.locale = locale
    order = factory.order(shopper)
    ticket = tickets.create_channel_ticket(order, order.channel, "Pedido", "Onde está?", None)
    db.session.commit()
    tickets.reply_as_staff(ticket, agent, "Seu pedido <strong>saiu</strong>.", Visibility.customer,
                           expected_version=ticket.version)
    db.session.commit()
    (message,) = smtp.inbox.wait_for(1, timeout=2)
    assert message["To"] == shopper.email
    assert message["Subject"].startswith(f"{subject} {ticket.number}")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert hello in text and hello in html
    assert "Seu pedido saiu." in text and "<strong>saiu</strong>" in html
    assert f"/tickets/{ticket.number}" in text


def test_the_colleague_is_mailed_when_a_ticket_is_forwarded(db, smtp, agent, colleague, shopper, factory, items):
    order = factory.order(shopper)
    ticket = tickets.create_channel_ticket(order, order.channel, "Pedido", "Onde está?", None)
    db.session.commit()
    tickets.forward_ticket(ticket, agent, colleague, "Pode ver <isso>?", expected_version=ticket.version)
    db.session.commit()
    (message,) = smtp.inbox.wait_for(1, timeout=2)
    assert message["To"] == colleague.email
    assert message["Subject"].startswith(f"Ticket {ticket.number} was forwarded to you")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello, Bruno Colega!" in text and "Ana Agente forwarded ticket" in text
    assert "Pode ver <isso>?" in text and "Pode ver &lt;isso&gt;?" in html
    assert f"/staff/tickets/{ticket.number}" in text
    assert f'href="http://portal.test/staff/tickets/{ticket.number}"' in html
    assert [item.state for item in items(ticket, OutboxKind.email)] == [OutboxState.delivered]


def test_a_password_reset_waits_for_smtp(client, db, smtp_config, csrf_from, factory, items, clock):
    user = factory.user(locale="en")
    db.session.commit()
    page = client.get("/forgot")
    response = client.post("/forgot", data={"email": user.email, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 200
    (item,) = [item for item in items() if item.key.startswith("login-link:")]
    assert item.state is OutboxState.queued and item.last_error == "refused"
    smtp_config.start()
    clock.advance(minutes=1)
    assert outbox.sweep() == 1
    (message,) = smtp_config.inbox.wait_for(1, timeout=2)
    assert message["To"] == user.email and message["Subject"].startswith("Reset your password")
    assert re.search(r"/access/[\w-]+", message.get_body(("plain",)).get_content())


def test_a_delivered_mail_keeps_no_link_in_the_outbox(client, db, smtp, csrf_from, factory, items):
    user = factory.user(locale="en")
    db.session.commit()
    page = client.get("/forgot")
    client.post("/forgot", data={"email": user.email, "csrf_token": csrf_from(page.get_data(as_text=True))})
    (message,) = smtp.inbox.wait_for(1, timeout=2)
    link = re.search(r"/access/[\w-]+", message.get_body(("plain",)).get_content()).group()
    (item,) = [item for item in items() if item.key.startswith("login-link:")]
    assert item.state is OutboxState.delivered
    assert link not in json.dumps(item.payload)
    assert item.payload == {"to": user.email, "subject": message["Subject"], "text": "", "html": None,
                            "redacted": True}


def test_a_mail_that_failed_for_good_keeps_no_body_in_the_outbox(db, smtp_config, items, clock):
    item = outbox.queue_email("test-mail:secret", "someone@example.com", "Convite",
                              "Entre em http://portal.test/access/s3cr3t-token", "<a href='/access/s3cr3t-token'>")
    db.session.commit()  # SMTP is down
    for _attempt in range(outbox.MAX_ATTEMPTS - 1):
        assert items()[0].payload["text"].endswith("s3cr3t-token")  # still needed for the next try
        clock.advance(hours=1, seconds=1)
        assert outbox.sweep() == 1
    (item,) = items()
    assert (item.state, item.attempts, item.last_error) == (OutboxState.failed, outbox.MAX_ATTEMPTS, "refused")
    assert "s3cr3t-token" not in json.dumps(item.payload)
    assert item.payload["to"] == "someone@example.com" and item.payload["subject"] == "Convite"


@pytest.mark.parametrize(("reason", "text"), [
    ("refused", "the connection was refused"),
    ("timeout:10", "no answer within 10 s"),
    ("smtp:550 5.1.1 mailbox unavailable", "the mail server answered 550 5.1.1 mailbox unavailable"),
    ("no_address", "the channel has no delivery address"),
    ("error:KeyError", "unexpected error (KeyError)"),
    ("timeout", "timeout"),  # a detail the sentence needs is missing: shown as stored
    ("HTTP 500", "HTTP 500"),  # written before the codes: shown as stored
    ("connection refused", "connection refused"),
    ("strange:thing", "strange:thing"),
])
def test_reasons_are_shown_as_sentences_and_unknown_ones_as_they_are(app, reason, text):
    assert reason_text(reason) == text

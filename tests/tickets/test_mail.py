"""The shopper is e-mailed once when the store answers them, and a mail failure never loses the answer."""
import email
import socket
from email import policy
from pathlib import Path

import pytest

from portal.models import OutboxItem, OutboxState, TicketMessage, Visibility
from portal.tickets import lifecycle as tickets


def _mails(app) -> set[Path]:
    directory = Path(app.config["MAIL_DIR"])
    return set(directory.glob("*.eml")) if directory.exists() else set()


def test_customer_visible_answer_is_mailed_once_after_commit(app, db, open_ticket, marketplace, agent, shopper):
    ticket = open_ticket(channel=marketplace)
    db.session.commit()
    before = _mails(app)
    tickets.reply_as_staff(ticket, agent, "Seu pedido <strong>saiu</strong> para entrega.<script>x()</script>",
                           Visibility.customer, expected_version=ticket.version)
    assert _mails(app) == before  # nothing leaves before the answer is committed
    db.session.commit()
    new = _mails(app) - before
    assert len(new) == 1
    message = email.message_from_bytes(new.pop().read_bytes(), policy=policy.default)
    assert message["To"] == shopper.email
    assert ticket.number in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "saiu para entrega" in text and "<strong>saiu</strong>" in html
    assert "<script>" not in html and "<script>" not in text
    assert f"/tickets/{ticket.number}" in text


def test_an_answer_in_a_savepoint_is_mailed_at_the_commit_not_when_the_savepoint_ends(
        app, db, open_ticket, marketplace, agent):
    ticket = open_ticket(channel=marketplace)
    db.session.commit()
    before = _mails(app)
    with db.session.begin_nested():
        tickets.reply_as_staff(ticket, agent, "Saiu para entrega.", Visibility.customer,
                               expected_version=ticket.version)
    assert _mails(app) == before
    db.session.commit()
    assert len(_mails(app) - before) == 1


@pytest.mark.parametrize("visibility", [Visibility.marketplace, Visibility.internal])
def test_no_mail_for_marketplace_only_or_internal(app, db, open_ticket, marketplace, agent, visibility):
    ticket = open_ticket(channel=marketplace)
    db.session.commit()
    before = _mails(app)
    tickets.reply_as_staff(ticket, agent, "Texto", visibility, expected_version=ticket.version)
    db.session.commit()
    assert _mails(app) == before


def test_rolled_back_answer_sends_nothing(app, db, open_ticket, agent):
    ticket = open_ticket()
    db.session.commit()
    before = _mails(app)
    tickets.reply_as_staff(ticket, agent, "Texto", Visibility.customer, expected_version=ticket.version)
    db.session.rollback()
    db.session.commit()
    assert _mails(app) == before


def test_mail_in_the_shoppers_language(app, db, open_ticket, agent, shopper):
    shopper.locale = "en"
    ticket = open_ticket()
    db.session.commit()
    before = _mails(app)
    tickets.reply_as_staff(ticket, agent, "Texto", Visibility.customer, expected_version=ticket.version)
    db.session.commit()
    message = email.message_from_bytes((_mails(app) - before).pop().read_bytes(), policy=policy.default)
    assert message["Subject"].startswith(f"Answer to your ticket {ticket.number}")


@pytest.fixture
def broken_smtp(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    yield
    app.config.update(saved)


def test_smtp_failure_does_not_lose_the_answer(app, db, open_ticket, agent, broken_smtp):
    ticket = open_ticket()
    db.session.commit()
    tickets.reply_as_staff(ticket, agent, "Resposta importante", Visibility.customer,
                           expected_version=ticket.version)
    db.session.commit()  # the task fails inside (connection refused) and is left to retry
    db.session.expire_all()
    bodies = db.session.scalars(db.select(TicketMessage.body_html).where(TicketMessage.ticket_id == ticket.id))
    assert any("Resposta importante" in body for body in bodies)
    item = db.session.scalar(db.select(OutboxItem).where(OutboxItem.ticket_id == ticket.id))
    assert item.state is OutboxState.queued and item.last_error == "refused"


def test_a_broken_queue_does_not_break_the_commit(app, db, open_ticket, agent, monkeypatch):
    from portal.core import outbox

    def boom(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(outbox, "deliver", boom)
    ticket = open_ticket()
    tickets.reply_as_staff(ticket, agent, "Resposta", Visibility.customer, expected_version=ticket.version)
    db.session.commit()
    assert ticket.status.value == "waiting"
    # The e-mail waits in the outbox for the sweep.
    item = db.session.scalar(db.select(OutboxItem).where(OutboxItem.ticket_id == ticket.id))
    assert item.state is OutboxState.queued

"""Answers to ticket e-mails arriving for real: by SMTP and LMTP into the aiosmtpd receiver, and polled from a
real IMAP server (Dovecot); each lands on its ticket through the ticket core."""
import imaplib
import logging
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
from huey.storage import MemoryStorage

from portal.core import mailbox
from portal.models import InboundMail, InboundState
from portal.tickets import inbound_poll
from portal.tickets import lifecycle as tickets
from portal.tickets.inbound_receiver import ReplyController
from portal.tickets.reply_address import reply_address

from .dovecot import dovecot, free_port  # noqa: F401  (the fixture)
from .test_inbound_mail import customer_messages, mail

pytestmark = pytest.mark.xdist_group("inbound_transport")


@pytest.fixture(autouse=True)
def reply_mailbox(app):
    app.config["TICKET_REPLY_ADDRESS"] = "suporte@loja.example"
    yield
    app.config.pop("TICKET_REPLY_ADDRESS", None)


@pytest.fixture
def answered(db, open_ticket, agent):
    ticket = open_ticket()
    tickets.reply_as_staff(ticket, agent, "Seu pedido saiu para entrega.", tickets.Visibility.customer,
                           expected_version=ticket.version)
    db.session.commit()
    return ticket


@pytest.fixture
def receiver(app, db):
    """Start the receiver (SMTP, or LMTP with lmtp=True) on a free port; stop it after the test."""
    started = []

    def _start(lmtp: bool = False) -> int:
        controller = ReplyController(app, "127.0.0.1", free_port(), lmtp=lmtp)
        controller.start()
        started.append(controller)
        return controller.port

    yield _start
    for controller in started:
        controller.stop()


def _send(port: int, msg, to: str, lmtp: bool = False):
    client = smtplib.LMTP("127.0.0.1", port, timeout=10) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=10)
    with client:
        return client.sendmail(str(msg["From"]).split("<")[-1].rstrip(">"), [to], msg.as_bytes())


# SMTP / LMTP


def test_a_reply_sent_by_smtp_is_on_the_ticket_and_its_page(db, app, answered, receiver, login, client):
    port = receiver()
    _send(port, mail(answered, text="Chegou só metade do pedido."), reply_address(answered.number))
    assert "Chegou só metade do pedido." in customer_messages(db, answered)[-1].body_html
    login(answered.customer)
    page = client.get(f"/tickets/{answered.number}").get_data(as_text=True)
    assert "Chegou só metade do pedido." in page


def test_an_lmtp_delivery_is_on_the_ticket(db, answered, receiver):
    port = receiver(lmtp=True)
    _send(port, mail(answered, text="Por LMTP também."), reply_address(answered.number), lmtp=True)
    assert "Por LMTP também." in customer_messages(db, answered)[-1].body_html


@pytest.mark.parametrize("to", ["vendas@loja.example", "suporte@outra.example"])
def test_a_recipient_outside_the_reply_mailbox_is_refused(db, answered, receiver, to):
    port = receiver()
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(port, mail(answered, to=to), to)
    assert refused.value.recipients[to][0] == 550
    assert db.session.scalar(db.select(db.func.count(InboundMail.id))) == 0


def test_a_message_above_the_cores_bound_is_refused(db, app, answered, receiver):
    app.config["INBOUND_MAIL_MAX_BYTES"] = 4000
    try:
        port = receiver()
    finally:
        app.config.pop("INBOUND_MAIL_MAX_BYTES")
    with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:  # at SIZE= or at DATA
        _send(port, mail(answered, text="x" * 8000), reply_address(answered.number))
    assert refused.value.smtp_code == 552
    assert db.session.scalar(db.select(db.func.count(InboundMail.id))) == 0


def test_flask_inbound_smtp_serves_the_reply_mailbox_until_stopped(tmp_path):
    port = free_port()
    env = dict(os.environ, FLASK_APP="wsgi", PORTAL_INSTANCE_PATH=str(tmp_path),
               TICKET_REPLY_ADDRESS="suporte@loja.example")
    command = [sys.executable, "-m", "flask", "inbound-smtp", "--port", str(port), "--lmtp"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        assert process.stdout.readline().decode().startswith(f"Receiving ticket answers by LMTP on 127.0.0.1:{port}")
        with smtplib.LMTP("127.0.0.1", port, timeout=10) as client:
            client.ehlo()
            client.mail("maria@example.com")
            assert client.rcpt("vendas@loja.example")[0] == 550
            assert client.rcpt("suporte+12345678901.0123456789abcdef@loja.example")[0] == 250
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# IMAP


@pytest.fixture
def imap(app, dovecot):  # noqa: F811 - the fixture imported above
    """The Dovecot mailbox emptied, and the app set to poll it."""
    client = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=5)
    client.login(dovecot.user, dovecot.password)
    client.select("INBOX")
    if client.search(None, "ALL")[1][0]:
        client.store("1:*", "+FLAGS", r"(\Deleted)")
        client.expunge()
    settings = dict(INBOUND_IMAP_HOST=dovecot.host, INBOUND_IMAP_PORT=dovecot.port, INBOUND_IMAP_SSL=False,
                    INBOUND_IMAP_USER=dovecot.user, INBOUND_IMAP_PASSWORD=dovecot.password, INBOUND_IMAP_TIMEOUT=5)
    before = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    yield client
    app.config.update(before)
    client.logout()


def _settings(app) -> mailbox.ImapSettings:
    return mailbox.ImapSettings.from_config(app.config)


def _unseen(client) -> list[bytes]:
    client.select("INBOX")
    return client.uid("SEARCH", "UNSEEN")[1][0].split()


def test_one_poll_posts_the_answer_flags_it_seen_and_a_second_posts_nothing(db, app, answered, imap):
    before = len(customer_messages(db, answered))
    imap.append("INBOX", None, None, mail(answered, text="Lido pelo IMAP.").as_bytes())
    assert inbound_poll.poll_inbound_mail.call_local() == 1  # the periodic task's own body
    assert "Lido pelo IMAP." in customer_messages(db, answered)[-1].body_html
    assert _unseen(imap) == []
    assert inbound_poll.poll_once(_settings(app)).fetched == 0
    assert len(customer_messages(db, answered)) == before + 1


def test_a_message_handled_again_is_not_posted_twice(db, app, answered, imap):
    raw = mail(answered, text="Uma vez só.").as_bytes()
    imap.append("INBOX", None, None, raw)
    imap.append("INBOX", None, None, raw)  # the same Message-ID again, as a re-fetched message would be
    assert inbound_poll.poll_once(_settings(app)).handled == 2
    assert sum(m.body_html.count("Uma vez só.") for m in customer_messages(db, answered)) == 1


def test_a_message_whose_handler_failed_stays_unseen_and_is_posted_next_time(db, app, answered, imap, caplog):
    imap.append("INBOX", None, None, mail(answered, text="Depois da falha.").as_bytes())

    def database_down(raw: bytes):
        raise ConnectionError("database down")

    with caplog.at_level(logging.WARNING, logger="portal.core.mailbox"):
        result = mailbox.poll(_settings(app), database_down)
    assert (result.fetched, result.handled, result.failed) == (1, 0, 1)
    assert len(_unseen(imap)) == 1
    assert [r.getMessage().count("\n") for r in caplog.records] == [0]
    assert inbound_poll.poll_once(_settings(app)).handled == 1
    assert "Depois da falha." in customer_messages(db, answered)[-1].body_html


def test_a_slot_already_polled_polls_nothing(db, app, answered, imap):
    imap.append("INBOX", None, None, mail(answered).as_bytes())
    storage, now = MemoryStorage("slots"), datetime(2026, 12, 7, 12, 0, 10, tzinfo=UTC)
    assert inbound_poll.poll_mailbox(now, storage=storage) == 1
    imap.append("INBOX", None, None, mail(answered, text="Outra.").as_bytes())
    assert inbound_poll.poll_mailbox(now.replace(second=40), storage=storage) is None  # another consumer's run
    assert len(_unseen(imap)) == 1
    assert inbound_poll.poll_mailbox(now.replace(minute=1), storage=storage) == 1


def test_kept_aside_mail_is_flagged_seen_too(db, app, imap):
    imap.append("INBOX", None, None, mail(None, sender="alguem@fora.example").as_bytes())
    assert inbound_poll.poll_once(_settings(app)).handled == 1
    assert db.session.scalar(db.select(InboundMail.state)) is InboundState.kept
    assert _unseen(imap) == []


def test_without_a_host_the_task_polls_nothing(db, app):
    assert app.config["INBOUND_IMAP_HOST"] == ""
    assert inbound_poll.poll_inbound_mail.call_local() == 0


def test_an_unreachable_server_is_logged_in_one_line_not_raised(app, caplog):
    settings = mailbox.ImapSettings(host="127.0.0.1", port=free_port(), user="u", password="p", use_ssl=False,
                                    timeout=2)
    with caplog.at_level(logging.WARNING, logger="portal.core.mailbox"):
        result = mailbox.poll(settings, lambda raw: None)
    assert result.error and "ConnectionRefusedError" in result.error
    assert len(caplog.records) == 1 and "\n" not in caplog.records[0].getMessage()
    assert "unavailable" in caplog.records[0].getMessage()


def test_a_server_that_never_answers_is_given_up_after_the_timeout(app, caplog):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        accepted = []
        threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
        settings = mailbox.ImapSettings(host="127.0.0.1", port=silent.getsockname()[1], user="u", password="p",
                                        use_ssl=False, timeout=0.5)
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="portal.core.mailbox"):
            result = mailbox.poll(settings, lambda raw: None)
        assert time.monotonic() - started < 3
        assert result.error and "timeout" in result.error.lower()
        for connection, _address in accepted:
            connection.close()
    assert len(caplog.records) == 1

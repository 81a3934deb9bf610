"""E-mail answers land on their ticket as the shopper's message; anything else is kept aside and never answered."""
import email
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from portal.accounts import audit
from portal.models import (
    AuthorKind,
    InboundMail,
    InboundState,
    KeptReason,
    OutboxItem,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketStatus,
)
from portal.models.tickets import REOPEN_DAYS
from portal.tickets import inbound_mail
from portal.tickets import lifecycle as tickets
from portal.tickets.reply_address import reply_address

from .conftest import PNG

_counter = iter(range(1, 1_000_000))


@pytest.fixture(autouse=True)
def reply_mailbox(app):
    app.config["TICKET_REPLY_ADDRESS"] = "suporte@loja.example"
    yield
    app.config.pop("TICKET_REPLY_ADDRESS", None)


def mail(ticket=None, *, sender=None, to=None, text="Obrigada, mas ainda não chegou.", html=None,
         message_id=None, headers=None, attachments=()) -> EmailMessage:
    """Build a shopper's answer to a ticket e-mail, as their mail program sends it."""
    msg = EmailMessage()
    msg["From"] = sender or f"Maria Souza <{ticket.customer.email}>"
    msg["To"] = to or (reply_address(ticket.number) if ticket is not None else "suporte@loja.example")
    msg["Subject"] = f"Re: Resposta ao seu ticket {ticket.number if ticket else ''}"
    msg["Message-ID"] = message_id or f"<m{next(_counter)}@mail.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def customer_messages(db, ticket) -> list[TicketMessage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(TicketMessage).where(
        TicketMessage.ticket_id == ticket.id, TicketMessage.author_kind == AuthorKind.customer)
        .order_by(TicketMessage.id)))


def sent_to(app, number: str):
    """Return the newest e-mail the file backend wrote whose subject names the ticket."""
    found = []
    for path in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if number in str(msg["Subject"]):
            found.append((path.stat().st_mtime_ns, msg))
    return max(found, key=lambda pair: pair[0])[1]


def outbox_count(db) -> int:
    return db.session.scalar(db.select(db.func.count(OutboxItem.id)))


@pytest.fixture
def answered(db, open_ticket, agent):
    """A ticket the store answered, so that it waits for the shopper."""
    ticket = open_ticket()
    tickets.reply_as_staff(ticket, agent, "Seu pedido saiu para entrega.", tickets.Visibility.customer,
                           expected_version=ticket.version)
    db.session.commit()
    return ticket


def test_an_answer_becomes_the_shoppers_message_and_reopens_the_ticket(db, answered):
    assert answered.status is TicketStatus.waiting
    queued = outbox_count(db)
    row = inbound_mail.receive_and_commit(bytes(mail(answered)), envelope_to=["suporte@loja.example"])
    assert row.state is InboundState.posted and row.ticket_id == answered.id
    messages = customer_messages(db, answered)
    assert "ainda não chegou" in messages[-1].body_html
    assert row.ticket_message_id == messages[-1].id
    assert db.session.get(Ticket, answered.id).status is TicketStatus.open
    assert outbox_count(db) == queued  # a shopper's message is never answered by mail


def test_the_same_message_id_twice_is_posted_once(db, answered):
    raw = bytes(mail(answered, message_id="<again@mail.example>"))
    first = inbound_mail.receive_and_commit(raw, source="imap")
    second = inbound_mail.receive_and_commit(raw, source="imap")
    assert first.id == second.id
    assert len(customer_messages(db, answered)) == 2  # the opening message and this one
    assert db.session.scalar(db.select(db.func.count(InboundMail.id))) == 1


def test_the_token_may_come_in_the_envelope_only(db, answered):
    raw = bytes(mail(answered, to="suporte@loja.example"))
    row = inbound_mail.receive_and_commit(raw, envelope_to=[reply_address(answered.number)])
    assert row.state is InboundState.posted


@pytest.mark.parametrize("to", [
    "suporte@loja.example",                                   # the mailbox without a token
    "suporte+12345678901.0000000000000000@loja.example",      # a made-up token
])
def test_no_valid_token_is_kept_aside(db, answered, to):
    row = inbound_mail.receive_and_commit(bytes(mail(answered, to=to)))
    assert row.state is InboundState.kept and row.reason is KeptReason.no_token
    assert len(customer_messages(db, answered)) == 1


def test_a_stranger_is_kept_aside(db, answered):
    queued = outbox_count(db)
    row = inbound_mail.receive_and_commit(bytes(mail(answered, sender="Outro <outro@mail.example>")))
    assert row.reason is KeptReason.unknown_sender and row.ticket_id == answered.id
    assert len(customer_messages(db, answered)) == 1 and outbox_count(db) == queued


def test_the_sender_matches_whatever_the_case(db, answered):
    row = inbound_mail.receive_and_commit(bytes(mail(answered, sender=answered.customer.email.upper())))
    assert row.state is InboundState.posted


def test_an_address_the_shopper_changed_from_is_theirs(db, answered, factory):
    customer = answered.customer
    old = customer.email
    customer.email = "maria.nova@mail.example"
    audit.record(customer, "email.change_confirmed", f"user:{customer.id}", {"email": old},
                 {"email": customer.email})
    db.session.commit()
    assert inbound_mail.receive_and_commit(bytes(mail(answered, sender=old))).state is InboundState.posted
    # Once someone else has that address, it is theirs and no longer the shopper's.
    factory.user(email=old)
    db.session.commit()
    assert inbound_mail.receive_and_commit(bytes(mail(answered, sender=old))).reason is KeptReason.unknown_sender


@pytest.mark.parametrize(("headers", "why"), [
    ({"Auto-Submitted": "auto-replied"}, KeptReason.auto_reply),
    ({"Precedence": "bulk"}, KeptReason.auto_reply),
    ({"Precedence": "junk"}, KeptReason.auto_reply),
    ({"X-Autoreply": "yes"}, KeptReason.auto_reply),
    ({"X-Autorespond": "Out of office"}, KeptReason.auto_reply),
    ({"List-Id": "<clientes.mail.example>"}, KeptReason.auto_reply),
    ({"Return-Path": "<>"}, KeptReason.bounce),
    ({"X-Loop": "suporte@loja.example"}, KeptReason.loop),
])
def test_automatic_mail_is_kept_aside(db, answered, headers, why):
    queued = outbox_count(db)
    row = inbound_mail.receive_and_commit(bytes(mail(answered, headers=headers)))
    assert row.state is InboundState.kept and row.reason is why
    assert len(customer_messages(db, answered)) == 1 and outbox_count(db) == queued


def test_auto_submitted_no_is_a_person(db, answered):
    row = inbound_mail.receive_and_commit(bytes(mail(answered, headers={"Auto-Submitted": "no"})))
    assert row.state is InboundState.posted


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.mail.example", "postmaster@mail.example"])
def test_bounce_senders_are_kept_aside(db, answered, sender):
    assert inbound_mail.receive_and_commit(bytes(mail(answered, sender=sender))).reason is KeptReason.bounce


def test_a_delivery_report_is_a_bounce(db, answered):
    raw = (f"From: {answered.customer.email}\r\nTo: {reply_address(answered.number)}\r\n"
           "Message-ID: <dsn1@mx.example>\r\nSubject: Undelivered\r\n"
           'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
           "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
           "--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n").encode()
    assert inbound_mail.receive_and_commit(raw).reason is KeptReason.bounce


def test_mail_from_our_own_sender_is_a_loop(app, db, answered):
    row = inbound_mail.receive_and_commit(bytes(mail(answered, sender=app.config["MAIL_SENDER"])))
    assert row.reason is KeptReason.loop


def test_too_many_mails_from_one_sender_is_a_loop(db, answered):
    rows = [inbound_mail.receive_and_commit(bytes(mail(answered, text=f"Mensagem {n}")))
            for n in range(inbound_mail.LOOP_LIMIT + 1)]
    assert [row.state for row in rows[:-1]] == [InboundState.posted] * inbound_mail.LOOP_LIMIT
    assert rows[-1].reason is KeptReason.loop


def test_an_autoresponder_answering_our_mail_twice_ends_with_nothing(app, db, answered, agent):
    """Our answer reaches an autoresponder; it answers, we answer again, it answers again: nothing is posted
    and nothing more is sent."""
    responder = {"Auto-Submitted": "auto-replied", "X-Loop": "suporte@loja.example"}
    queued = outbox_count(db)
    first = inbound_mail.receive_and_commit(bytes(mail(answered, text="Estou de férias.", headers=responder)))
    tickets.reply_as_staff(answered, agent, "Alguma novidade?", tickets.Visibility.customer,
                           expected_version=answered.version)
    db.session.commit()
    queued_after_answer = outbox_count(db)
    assert queued_after_answer == queued + 1
    second = inbound_mail.receive_and_commit(bytes(mail(answered, text="Estou de férias.", headers=responder)))
    assert first.state is second.state is InboundState.kept
    assert len(customer_messages(db, answered)) == 1
    assert outbox_count(db) == queued_after_answer


def test_an_outgoing_shopper_mail_carries_the_loop_marker(app, db, answered):
    sent = sent_to(app, answered.number)
    assert sent["X-Loop"] == "suporte@loja.example"
    assert sent["Reply-To"] == reply_address(answered.number)


def test_too_large_is_kept_aside_unread(app, db, answered, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_MAIL_MAX_BYTES", 2000)
    row = inbound_mail.receive_and_commit(bytes(mail(answered, text="x" * 5000)))
    assert row.reason is KeptReason.too_large and row.text == ""


def test_nothing_but_quoted_text_is_kept_aside(db, answered):
    row = inbound_mail.receive_and_commit(bytes(mail(
        answered, text="Em seg., 7 de dez. de 2026 às 10:00, Loja <suporte@loja.example> escreveu:\n> Olá\n")))
    assert row.reason is KeptReason.no_text


@pytest.mark.parametrize("raw", [
    b"",
    b"\x00\xff\xfe garbage \x80\x81",
    b"From: \xff\xfe\r\nTo: <<<@@@>>>\r\nSubject: =?x-unknown?q?zz?=\r\n\r\n\xff",
    b"Content-Type: multipart/mixed; boundary=\"x\"\r\nFrom: a@b\r\n\r\n--x\r\nContent-Type: text/plain; "
    b"charset=x-nonsense\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n",
    b"From: =?utf-8?b?AAAA?= <\r\nMessage-ID: " + b"<" * 400 + b"\r\n\r\nbody",
])
def test_malformed_bytes_are_kept_aside_without_raising(db, raw):
    row = inbound_mail.receive_and_commit(raw)
    assert row.state is InboundState.kept and row.id is not None


def test_a_closed_ticket_within_the_limit_is_reopened(db, answered, agent, clock):
    tickets.close_ticket(answered, agent)
    db.session.commit()
    clock.advance(days=REOPEN_DAYS - 1)
    row = inbound_mail.receive_and_commit(bytes(mail(answered)))
    assert row.ticket_id == answered.id
    assert db.session.get(Ticket, answered.id).status is TicketStatus.open


def test_past_the_limit_a_new_linked_ticket_opens_and_the_shopper_is_told(app, db, answered, agent, clock):
    answered.customer.locale = "en"
    tickets.close_ticket(answered, agent)
    db.session.commit()
    clock.advance(days=REOPEN_DAYS + 1)
    row = inbound_mail.receive_and_commit(bytes(mail(answered, text="Chegou quebrado.")))
    db.session.expire_all()
    new = db.session.get(Ticket, row.ticket_id)
    assert new.id != answered.id and new.previous_ticket_id == answered.id
    assert new.order_id == answered.order_id and new.status is TicketStatus.open
    assert "Chegou quebrado." in new.messages[0].body_html
    assert db.session.get(Ticket, answered.id).status is TicketStatus.closed
    opened = db.session.scalar(db.select(TicketEvent).where(TicketEvent.ticket_id == new.id))
    assert opened.data["follows"] == answered.number
    assert db.session.scalar(db.select(OutboxItem.id).where(OutboxItem.ticket_id == new.id)) is not None
    notice = sent_to(app, new.number)
    assert notice["Subject"].startswith(f"Your message opened the new ticket {new.number}")
    assert notice["To"] == answered.customer.email
    assert notice["Reply-To"] == reply_address(new.number)
    assert notice["Auto-Submitted"] == "auto-replied"
    # Answering the old ticket's e-mail again goes to the new ticket: no third ticket, no second notice.
    again = inbound_mail.receive_and_commit(bytes(mail(answered, text="Mais uma foto.")))
    assert again.ticket_id == new.id
    assert db.session.scalar(db.select(db.func.count(Ticket.id)).where(Ticket.previous_ticket_id.isnot(None))) == 1
    assert db.session.scalar(db.select(db.func.count(OutboxItem.id)).where(OutboxItem.ticket_id == new.id)) == 1


def test_an_unexpected_error_keeps_the_mail_aside_as_error(db, answered, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tickets, "reply_as_customer", boom)
    row = inbound_mail.receive_and_commit(bytes(mail(answered)))
    assert row.reason is KeptReason.error
    assert len(customer_messages(db, answered)) == 1


def test_attachments_follow_the_upload_rules(db, answered, attachments_dir):
    raw = bytes(mail(answered, attachments=[
        ("foto.png", PNG, "image", "png"),
        ("virus.exe", b"MZ\x90\x00", "application", "octet-stream"),
    ]))
    row = inbound_mail.receive_and_commit(raw)
    assert row.state is InboundState.posted
    message = customer_messages(db, answered)[-1]
    assert [a.filename for a in message.attachments] == ["foto.png"]
    assert row.refused_attachments == [{"name": "virus.exe", "why": "kind"}]
    assert "virus.exe" in message.body_html


def test_a_file_sent_without_a_disposition_is_an_attachment_and_an_inline_logo_is_not(db, answered,
                                                                                     attachments_dir):
    msg = mail(answered)
    msg.make_mixed()
    loose = EmailMessage()
    loose.set_content(PNG, maintype="image", subtype="png")
    del loose["Content-Disposition"]
    logo = EmailMessage()
    logo.set_content(PNG, maintype="image", subtype="png", disposition="inline", cid="<logo@mail.example>")
    msg.attach(loose)
    msg.attach(logo)
    inbound_mail.receive_and_commit(bytes(msg))
    assert len(customer_messages(db, answered)[-1].attachments) == 1


def test_an_html_only_mail_is_cleaned_to_text(db, answered):
    raw = bytes(mail(answered, text=None,
                     html="<p>Ainda <b>nada</b>.</p><script>alert(1)</script><img src=x onerror=alert(2)>"))
    inbound_mail.receive_and_commit(raw)
    body = customer_messages(db, answered)[-1].body_html
    assert "Ainda" in body and "nada" in body
    assert "<script" not in body and "onerror" not in body and "<b>" not in body


def test_a_nul_character_in_the_text_is_dropped(db, answered):
    row = inbound_mail.receive_and_commit(bytes(mail(answered, text="Ainda\x00 nada")))
    assert row.state is InboundState.posted
    assert "\x00" not in customer_messages(db, answered)[-1].body_html


def test_text_that_looks_like_html_stays_text(db, answered):
    inbound_mail.receive_and_commit(bytes(mail(answered, text="Se 2 < 3 e <script>x</script>, ok")))
    body = customer_messages(db, answered)[-1].body_html
    assert "<script>" not in body and "&lt;script&gt;" in body


GMAIL_PT = """Recebi o produto errado, quero trocar.

Em seg., 7 de dez. de 2026 às 10:00, Loja Exemplo <suporte@loja.example>
escreveu:

> Olá, Maria!
> Seu pedido saiu para entrega.
"""
GMAIL_EN = """It arrived broken.

On Mon, Dec 7, 2026 at 10:00 AM Shop <suporte@loja.example> wrote:
> Your order is on its way.
"""
OUTLOOK_EN = """Here is the photo.

-----Original Message-----
From: Shop <suporte@loja.example>
Sent: Monday, December 7, 2026 10:00 AM
Subject: Answer to your ticket

Your order is on its way.
"""
OUTLOOK_PT = """Segue a nota fiscal.

De: Loja Exemplo <suporte@loja.example>
Enviado: segunda-feira, 7 de dezembro de 2026 10:00
Para: Maria Souza <maria@mail.example>
Assunto: Resposta ao seu ticket

Seu pedido saiu para entrega.
"""
# The signature separator is "-- " with its trailing space.
SIGNATURE = "Obrigada pela ajuda.\n\n-- \nMaria Souza\n(11) 99999-0000\n"


@pytest.mark.parametrize(("text", "kept", "gone"), [
    (GMAIL_PT, "Recebi o produto errado", "saiu para entrega"),
    (GMAIL_EN, "It arrived broken.", "on its way"),
    (OUTLOOK_EN, "Here is the photo.", "on its way"),
    (OUTLOOK_PT, "Segue a nota fiscal.", "saiu para entrega"),
    (SIGNATURE, "Obrigada pela ajuda.", "99999"),
])
def test_quoted_history_and_signatures_are_cut(db, answered, text, kept, gone):
    inbound_mail.receive_and_commit(bytes(mail(answered, text=text)))
    body = customer_messages(db, answered)[-1].body_html
    assert kept in body and gone not in body


def test_the_loop_window_forgets(db, answered, clock):
    for n in range(inbound_mail.LOOP_LIMIT):
        inbound_mail.receive_and_commit(bytes(mail(answered, text=f"Mensagem {n}")))
    clock.advance(seconds=inbound_mail.LOOP_WINDOW.total_seconds() + timedelta(minutes=1).total_seconds())
    assert inbound_mail.receive_and_commit(bytes(mail(answered))).state is InboundState.posted


def test_every_shopper_mail_of_a_ticket_threads_and_staff_mail_does_not(db, answered, agent, agent2):
    from portal.models import TicketSurvey
    from portal.tickets.mail import forwarded_mail, late_order_mail
    from portal.tickets.survey import survey_mail

    tickets.close_ticket(answered, agent)
    survey = db.session.scalar(db.select(TicketSurvey).where(TicketSurvey.ticket_id == answered.id))
    for built in (survey_mail(answered, survey), late_order_mail(answered.order, answered)):
        assert built["headers"]["Reply-To"] == reply_address(answered.number)
        assert built["headers"]["References"] == f"<ticket.{answered.number}@loja.example>"
    assert "Reply-To" not in late_order_mail(answered.order)["headers"]  # no ticket, no thread
    assert "headers" not in forwarded_mail(answered, agent, agent2, None, 1)

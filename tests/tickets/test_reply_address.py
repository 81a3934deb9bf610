"""Each ticket's e-mails carry an answer address nobody can make up for another ticket, and thread together."""
import email
from email import policy

import pytest

from portal.core import mail as core_mail
from portal.tickets.reply_address import reply_address, thread_headers, thread_id, ticket_number_from


@pytest.fixture
def ctx(app):
    app.config["TICKET_REPLY_ADDRESS"] = "Suporte <suporte@loja.example>"
    with app.app_context():
        yield app


def test_the_address_names_the_ticket_and_verifies(ctx):
    address = reply_address("12345678901")
    assert address.startswith("suporte+12345678901.") and address.endswith("@loja.example")
    assert ticket_number_from(f"Loja <{address}>") == "12345678901"
    assert ticket_number_from(["someone@else.example", address.upper()]) == "12345678901"


@pytest.mark.parametrize("value", [
    "suporte@loja.example",                        # no token
    "suporte+12345678901@loja.example",            # no MAC
    "suporte+12345678902.{mac}@loja.example",      # another ticket's number with this MAC
    "suporte+12345678901.{mac}@other.example",     # another domain
    "vendas+12345678901.{mac}@loja.example",       # another mailbox
    "suporte+12345678901.0000000000000000@loja.example",
    "not an address", "",
])
def test_anything_else_names_no_ticket(ctx, value):
    mac = reply_address("12345678901").split(".", 1)[1].split("@")[0]
    assert ticket_number_from(value.format(mac=mac)) is None


def test_the_key_is_the_secret_key(ctx):
    before = reply_address("12345678901")
    ctx.config["SECRET_KEY"] = "another secret"
    assert reply_address("12345678901") != before
    assert ticket_number_from(before) is None


def test_without_a_configured_mailbox_it_is_suporte_at_the_senders_domain(app):
    app.config["TICKET_REPLY_ADDRESS"] = None
    app.config["MAIL_SENDER"] = "Loja <no-reply@shop.example>"
    with app.app_context():
        assert reply_address("12345678901").startswith("suporte+12345678901.")
        assert reply_address("12345678901").endswith("@shop.example")


def test_the_headers_reach_the_message(ctx):
    headers = thread_headers("12345678901")
    msg = core_mail.build_message("a@b.example", "Subject", "text", key="k1",
                                  headers={**headers, "Message-ID": "<forged@x>", "From": "x@y"})
    parsed = email.message_from_bytes(bytes(msg), policy=policy.default)
    assert parsed["Reply-To"] == reply_address("12345678901")
    assert parsed["In-Reply-To"] == parsed["References"] == thread_id("12345678901")
    assert parsed["Message-ID"] == core_mail.message_id("k1")
    assert parsed["From"] == ctx.config["MAIL_SENDER"]

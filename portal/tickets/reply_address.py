"""The address a shopper answers a ticket e-mail to, and the headers that thread the e-mails of one ticket.

The address carries the ticket's number and a MAC of it (`suporte+<number>.<mac>@store`): whoever holds an
e-mail of the ticket can answer it, nobody can make up the address of another. The key is derived from
SECRET_KEY; the mailbox is TICKET_REPLY_ADDRESS (by default suporte@ the domain of MAIL_SENDER).
"""
import hashlib
import hmac
import re
from email.utils import getaddresses, parseaddr

from flask import current_app

MAC_LENGTH = 16
_TOKEN = re.compile(rf"^(?P<number>\d{{11}})\.(?P<mac>[0-9a-f]{{{MAC_LENGTH}}})$")


def _mailbox() -> tuple[str, str]:
    """Return the reply mailbox's local part and domain: TICKET_REPLY_ADDRESS, else suporte@ MAIL_SENDER's domain."""
    configured = current_app.config.get("TICKET_REPLY_ADDRESS")
    if configured:
        local, _, domain = parseaddr(configured)[1].rpartition("@")
    else:
        local, domain = "suporte", parseaddr(current_app.config["MAIL_SENDER"])[1].rpartition("@")[2]
    return (local or "suporte").split("+", 1)[0], domain or "localhost"


def _mac(number: str) -> str:
    key = hashlib.sha256(b"ticket-reply-address:" + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:MAC_LENGTH]


def reply_address(number: str) -> str:
    """Return the address whose mail lands on ticket `number`."""
    local, domain = _mailbox()
    return f"{local}+{number}.{_mac(number)}@{domain}"


def ticket_number_from(addresses: str | list[str]) -> str | None:
    """Return the ticket number a reply address among `addresses` (To/Cc/Delivered-To values) names, if its
    MAC is right and it is our mailbox; None for anything else (no token, a bad or foreign one)."""
    values = [addresses] if isinstance(addresses, str) else list(addresses)
    local_wanted, domain_wanted = _mailbox()
    for _name, address in getaddresses(values):
        local, _, domain = address.rpartition("@")
        base, plus, token = local.partition("+")
        if not plus or base.lower() != local_wanted.lower() or domain.lower() != domain_wanted.lower():
            continue
        match = _TOKEN.match(token.lower())
        if match and hmac.compare_digest(match["mac"], _mac(match["number"])):
            return match["number"]
    return None


def thread_id(number: str) -> str:
    """Return the Message-ID every e-mail of the ticket refers to, so that mail programs keep them together."""
    return f"<ticket.{number}@{_mailbox()[1]}>"


def thread_headers(number: str) -> dict[str, str]:
    """Return the headers of an e-mail about ticket `number`: where answers go and which thread it is in."""
    root = thread_id(number)
    return {"Reply-To": reply_address(number), "In-Reply-To": root, "References": root}


def is_reply_mailbox(address: str) -> bool:
    """Say whether `address` is the reply mailbox itself or one of its `+` addresses (valid token or not)."""
    local_wanted, domain_wanted = _mailbox()
    local, _, domain = parseaddr(address)[1].rpartition("@")
    return local.partition("+")[0].lower() == local_wanted.lower() and domain.lower() == domain_wanted.lower()


def shopper_headers(number: str) -> dict[str, str]:
    """Return the headers of an e-mail to the shopper about ticket `number`: its thread, its reply address, and
    X-Loop, which an auto-responder's answer brings back so that it is recognised as a loop."""
    local, _, domain = reply_address(number).rpartition("@")
    return {**thread_headers(number), "X-Loop": f"{local.split('+', 1)[0]}@{domain}"}

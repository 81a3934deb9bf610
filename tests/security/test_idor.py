"""Nobody reaches another's objects: every object URL of the buyer's portal, and the marketplace webhook.

The shopper-side URLs are read from app.url_map: every customer route with an argument is requested by one
shopper with the other's objects, with every method it allows (POSTs carry the asker's own valid CSRF token
and a plausible form), and must answer 404 without a byte of the other's data in its body or headers. An
argument this file does not know fails the sweep until OBJECTS learns it.
"""
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from portal.models import Cart, CustomerAddress, EmailChange, IntegrationEvent, Ticket, TicketMessage
from portal.orders import tracking

from .holdings import Holdings, holdings, staff

pytestmark = pytest.mark.db

# What each URL argument names, among a shopper's holdings (each value is tried).
OBJECTS = {
    "number": lambda h: [h.order.number],
    "ticket_number": lambda h: [h.ticket.number, h.closed_ticket.number],
    "attachment_id": lambda h: [h.attachment_id],
    "address_id": lambda h: [h.address_id],
    "deflection_id": lambda h: [h.deflection_id],
    "item_id": lambda h: [h.cart_item_id],
}
# A <token> is a different secret on each route.
TOKENS = {"customer.shared_cart": "cart_token", "customer.shared_cart_confirm": "cart_token",
          "customer.shared_cart_quantity": "cart_token", "customer.shared_cart_remove": "cart_token",
          "customer.confirm_email": "email_token"}
# Links whose secret is the permission (sent to the shopper's mailbox, answered without signing in):
# holding one is being its addressee, so another shopper's session changes nothing.
CAPABILITY_LINKS = {"customer.survey", "customer.unsubscribe", "customer.unsubscribe_confirm"}
# Routes the URL map must yield (a sanity check of the generation, not the list swept).
SURELY_SWEPT = {"customer.order", "customer.tracking_json", "customer.ticket", "customer.ticket_attachment",
                "customer.reply", "customer.edit_address", "customer.delete_address", "customer.help_answer",
                "customer.ticket_survey", "customer.shared_cart", "customer.shared_cart_confirm",
                "customer.confirm_email", "customer.order_address"}
# A form a careless view would act on: a reply, a quantity, a rating, an address.
FORM = {"body": "Quero ver isto", "quantity": "3", "rating": "1", "comment": "ruim", "outcome": "resolved",
        "street": "Rua do Intruso", "number": "1", "city": "Santos", "state": "SP", "postal_code": "11000-000",
        "name": "Intruso", "reason_id": "1", "subject": "Intruso", "version": "1"}


def object_urls(app, victim: Holdings) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, url) for every customer route with an argument, filled with the victim's objects."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.endpoint.startswith("customer.") or not rule.arguments or rule.endpoint in CAPABILITY_LINKS:
            continue
        choices = {}
        for name in sorted(rule.arguments):
            if name == "token" and rule.endpoint in TOKENS:
                choices[name] = [getattr(victim, TOKENS[rule.endpoint])]
            elif name in OBJECTS and name != "token":
                choices[name] = OBJECTS[name](victim)
            else:
                pytest.fail(f"{rule.endpoint}: <{name}> names no object of the shopper; teach OBJECTS or TOKENS")
        combinations = [{}]
        for name, values in choices.items():
            combinations = [{**done, name: value} for done in combinations for value in values]
        for values in combinations:
            url = rule.build(values, append_unknown=False)[1]
            found.extend((rule.endpoint, method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return found


def leaks(response, secrets: list[str], asked: str = "") -> list[str]:
    """Return the victim's texts found anywhere in the answer, body or headers.

    The path the intruder typed is taken out first: the page echoes it (the language form's `next`),
    and it tells them nothing they did not send.
    """
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    seen = response.get_data().decode("utf-8", errors="replace") + "\n" + headers
    if asked:
        seen = seen.replace(asked, "")
    return [secret for secret in secrets if secret.lower() in seen.lower()]


def _state(db, victim: Holdings) -> tuple:
    """What the victim's objects look like: whatever an intruder's request changed shows here."""
    db.session.expire_all()
    return (
        db.session.scalar(db.select(db.func.count()).select_from(TicketMessage)
                          .where(TicketMessage.ticket_id.in_([victim.ticket.id, victim.closed_ticket.id]))),
        tuple(db.session.scalars(db.select(Ticket.status).where(Ticket.customer_id == victim.user.id)
                                 .order_by(Ticket.id))),
        db.session.scalar(db.select(CustomerAddress.street).where(CustomerAddress.id == victim.address_id)),
        db.session.scalar(db.select(Cart.state).where(Cart.customer_id == victim.user.id)),
        db.session.scalar(db.select(EmailChange.used_at).where(EmailChange.user_id == victim.user.id)),
        victim.user.email, victim.order.delivery_address["street"],
    )


@pytest.fixture
def shoppers(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "CORREIOS_BASE_URL", "")
    tracking._client.cache_clear()
    operator = staff(factory)["operator"]
    pair = holdings(factory, operator, "A"), holdings(factory, operator, "B")
    factory.db.session.commit()  # an error answer rolls the session back; the set-up must survive it
    return pair


def _signed_in(app, csrf_from, user) -> tuple[object, str]:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": user.email, "password": "correct horse 1",
                                       "csrf_token": token}).status_code == 302
    return client, csrf_from(client.get("/account").get_data(as_text=True))


def test_every_object_url_of_another_shopper_is_404_and_leaks_nothing(app, db, csrf_from, shoppers):
    problems = []
    for intruder, victim in (shoppers, shoppers[::-1]):
        client, token = _signed_in(app, csrf_from, intruder.user)
        assert token, "the intruder needs a valid CSRF token of their own session"
        before = _state(db, victim)
        urls = object_urls(app, victim)
        assert {endpoint for endpoint, _method, _url in urls} >= SURELY_SWEPT
        for endpoint, method, url in urls:
            data = {**FORM, "csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            if response.status_code != 404:
                problems.append(f"{method} {endpoint} {url}: {response.status_code}")
            found = leaks(response, victim.secrets, url)
            if found:
                problems.append(f"{method} {endpoint} {url}: shows {found}")
        assert _state(db, victim) == before, "an intruder's request changed the victim's objects"
        # The intruder's own objects answer normally: the 404s are about ownership, not broken URLs.
        assert client.get(f"/orders/{intruder.order.number}").status_code == 200
        assert client.get(f"/tickets/attachments/{intruder.attachment_id}").status_code == 200
    assert not problems, "\n".join(problems)


# --- Between two marketplace channels ---------------------------------------------------------------------------

SECRETS = {"chan_a": "whsec_channel_a_secret", "chan_b": "whsec_channel_b_secret"}


def _sign(secret: str, body: bytes) -> dict:
    moment = str(int(time.time()))
    mac = hmac.new(secret.encode(), moment.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Portal-Timestamp": moment, "X-Portal-Signature": f"sha256={mac}"}


def _event(event_id: str, ticket: str, order: str, *, kind: str = "message.created", text: str = "Olá",
           status: str | None = None) -> dict:
    moment = (datetime.now(UTC) - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    body = {"event_id": event_id, "type": kind, "occurred_at": moment,
            "ticket": {"id": ticket, "order": order, "subject": "Assunto do canal"}}
    if kind == "ticket.status_changed":
        body["status"] = status
    else:
        body["message"] = {"id": f"m-{event_id}", "body": text}
    return body


@pytest.fixture
def channels(client, factory):
    """Two integrated marketplaces, each with an order and a ticket opened through its own webhook."""
    made = {}
    for code, secret in SECRETS.items():
        channel = factory.channel(code, code.upper())
        channel.integrated, channel.webhook_secret = True, secret
        channel.sla_hours, channel.sla_working_days = 24, False
        buyer = factory.user(name=f"Comprador {code}", email=f"buyer-{code}@example.com")
        order = factory.order(buyer, channel=channel, marketplace_order_number=f"MKT-{code}-991")
        made[code] = {"channel": channel, "order": order, "ticket_code": f"T-{code}-1"}
    factory.db.session.commit()
    for code, item in made.items():
        body = json.dumps(_event(f"open-{code}", item["ticket_code"], item["order"].marketplace_order_number,
                                 kind="ticket.created", text=f"Segredo do {code}")).encode()
        response = client.post(f"/api/v1/channels/{code}/events", data=body, headers=_sign(SECRETS[code], body))
        assert response.status_code == 200, response.get_data(as_text=True)
        item["ticket"] = factory.db.session.scalar(
            factory.db.select(Ticket).where(Ticket.channel_id == item["channel"].id))
    return made


def _snapshot(db, ticket) -> tuple:
    db.session.expire_all()
    messages = db.session.scalar(db.select(db.func.count()).select_from(TicketMessage)
                                 .where(TicketMessage.ticket_id == ticket.id))
    events = db.session.scalar(db.select(db.func.count()).select_from(IntegrationEvent)
                               .where(IntegrationEvent.ticket_id == ticket.id))
    return messages, events, db.session.get(Ticket, ticket.id).status


def _b_secrets(channels) -> list[str]:
    b = channels["chan_b"]
    return [b["order"].number, b["order"].marketplace_order_number, b["ticket"].number, "Segredo do chan_b",
            "Comprador chan_b", "buyer-chan_b@example.com"]


@pytest.mark.parametrize("attempt", ["b-url", "b-order", "b-order-site-number", "b-ticket-code", "b-status"])
def test_one_channel_cannot_read_or_write_another_channels_objects(client, db, channels, attempt):
    a, b = channels["chan_a"], channels["chan_b"]
    before = _snapshot(db, b["ticket"])
    url, order_ref = "/api/v1/channels/chan_a/events", a["order"].marketplace_order_number
    ticket_code, kind, status = a["ticket_code"], "message.created", None
    if attempt == "b-url":            # A's signature on B's address
        url = "/api/v1/channels/chan_b/events"
        ticket_code, order_ref = b["ticket_code"], b["order"].marketplace_order_number
    elif attempt == "b-order":        # A names B's order by its marketplace number
        ticket_code, order_ref = "T-new-1", b["order"].marketplace_order_number
    elif attempt == "b-order-site-number":
        ticket_code, order_ref = "T-new-2", b["order"].number
    elif attempt == "b-ticket-code":  # A reuses B's ticket code on its own order
        ticket_code = b["ticket_code"]
    else:                             # A closes B's ticket through B's order
        ticket_code, order_ref, kind, status = b["ticket_code"], b["order"].number, "ticket.status_changed", "closed"
    body = json.dumps(_event(f"evil-{attempt}", ticket_code, order_ref, kind=kind, status=status,
                             text="Mensagem do canal A")).encode()
    response = client.post(url, data=body, headers=_sign(SECRETS["chan_a"], body))

    expected = {"b-url": 401, "b-order": 404, "b-order-site-number": 404, "b-status": 404}.get(attempt, 200)
    assert response.status_code == expected, response.get_data(as_text=True)
    assert leaks(response, _b_secrets(channels)) == []
    assert _snapshot(db, b["ticket"]) == before
    if attempt == "b-ticket-code":    # a ticket of A's own, never B's
        created = response.get_json()["ticket"]
        owner = db.session.scalar(db.select(Ticket).where(Ticket.number == created))
        assert owner.channel_id == a["channel"].id and owner.id != b["ticket"].id

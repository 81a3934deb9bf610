"""Every rule of the URL map, requested as every identity, answers what portal/route_audience.py declares.

The rules are read from app.url_map: a new route fails here until its audience is declared, and a route
whose URL needs an argument this file cannot fill fails until build_url() learns it. GET routes are asked
with GET; routes without GET are asked with their own method, a valid CSRF token and an empty form (or `{}`
for the JSON API), each from a copy of the session so that signing out or acting for a customer stays there.
"""
import json

import pytest

from portal.marketplaces import signing
from portal.models import ApiToken, Role, TicketReason
from portal.orders import tracking
from portal.route_audience import ALLOWED, LOGIN, ROUTES, Identity, expected_answer
from portal.tickets import inbound_mail, text_modules

from .holdings import holdings, staff

pytestmark = pytest.mark.db

CHANNEL, SECRET = "sweepmkt", "whsec_route_sweep_secret"
REFUSALS = (401, 403, 405)
# Routes that end every session of the user, not only the copy that asks.
SESSION_ENDERS = frozenset({"auth.logout"})


@pytest.fixture
def world(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "CORREIOS_BASE_URL", "")
    tracking._client.cache_clear()
    people = staff(factory)
    owner = holdings(factory, people["operator"], "A")
    other = factory.user(name="Outra Pessoa")
    channel = factory.channel(CHANNEL, "Sweep Market")
    channel.integrated, channel.webhook_secret = True, SECRET
    spare_staff = factory.user(role=Role.agent, name="Agente Extra")
    db = factory.db
    world = {
        "people": {Identity.owner: owner.user, Identity.other_shopper: other,
                   Identity.agent: people["agent"], Identity.operator: people["operator"],
                   Identity.admin: people["admin"]},
        "owner": owner, "channel": channel, "token": factory.api_token("sweep"),
        "values": {
            "number": owner.order.number, "ticket_number": owner.ticket.number,
            "attachment_id": owner.attachment_id, "address_id": owner.address_id,
            "deflection_id": owner.deflection_id, "customer_id": owner.user.id, "user_id": spare_staff.id,
            "status_id": factory.status("SWEEP STATUS").id, "channel_id": channel.id,
            "module_id": text_modules.create_module(people["admin"], None, "Saudação", "Olá!").id,
            "reason_id": db.session.scalars(db.select(TicketReason.id)).first(),
            "host_id": factory.trusted_host("sweep.example.com").id,
            "token_id": db.session.scalars(db.select(ApiToken.id)).first(),
            "code": CHANNEL, "sku": "SWEEP-1", "filename": "css/portal.css", "view_id": 999_999,
            "mail_id": inbound_mail.receive(b"From: a@mail.example\r\nTo: b@mail.example\r\n"
                                            b"Message-ID: <sweep@mail.example>\r\n\r\nOi").id,
        },
    }
    db.session.commit()  # an error answer rolls the session back; the world must survive it
    return world


# Arguments whose meaning depends on the route: the shopper's link token, a shared cart's line.
TOKENS = {"customer.shared_cart": "cart_token", "customer.shared_cart_confirm": "cart_token",
          "customer.shared_cart_quantity": "cart_token", "customer.shared_cart_remove": "cart_token",
          "customer.confirm_email": "email_token", "customer.survey": "survey_token",
          "auth.set_password": "login_token", "customer.unsubscribe": "unsubscribe_token",
          "customer.unsubscribe_confirm": "unsubscribe_token"}


def build_url(rule, world) -> str:
    values = dict(world["values"])
    owner = world["owner"]
    if rule.endpoint in TOKENS:
        values["token"] = getattr(owner, TOKENS[rule.endpoint])
    # A line of the shopper's shared cart; elsewhere (the operator's cart, a delivery) one that does not exist.
    values["item_id"] = owner.cart_item_id if rule.endpoint.startswith("customer.") else 999_999
    if rule.endpoint == "api.get_ticket":
        values["number"] = owner.ticket.number
    unknown = set(rule.arguments) - set(values)
    if unknown:
        pytest.fail(f"{rule.endpoint} needs {sorted(unknown)}; teach build_url() these arguments")
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def outcome(response):
    if response.status_code in (301, 302, 303):
        location = response.headers["Location"]
        return LOGIN if location.split("?")[0].endswith("/login") else location
    return response.status_code


def allowed(got) -> bool:
    """A state-changing request let through to its view: answered, but not refused and not broken."""
    return got != LOGIN and (not isinstance(got, int) or (got not in REFUSALS and got < 500))


def _csrf(client, csrf_from) -> str:
    return csrf_from(client.get("/forgot").get_data(as_text=True))


def _machine_headers(identity, world, path: str, body: bytes) -> dict:
    if identity is Identity.api_token:
        return {"Authorization": f"Bearer {world['token']}"}
    if identity is Identity.webhook and path.startswith("/api/"):
        return signing.signed_headers(SECRET, body)
    return {}


def _request(client, rule, url, identity, world, token):
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    if rule.endpoint.startswith("api."):
        body = b"" if method == "GET" else json.dumps({}).encode()
        headers = {**_machine_headers(identity, world, url, body), "Content-Type": "application/json"}
        return method, client.open(url, method=method, data=body, headers=headers)
    headers = _machine_headers(identity, world, url, b"")
    data = None if method == "GET" else {"csrf_token": token}
    return method, client.open(url, method=method, data=data, headers=headers)


def _copy_session(app, client):
    """Return a new client holding the same cookies, so that what one request does to the session stays there."""
    copy = app.test_client()
    copy.environ_base.update(client.environ_base)
    copy._cookies.update(client._cookies)  # Werkzeug keys them by (domain, path, name); the values are frozen
    return copy


def rules(app):
    found = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
    assert {rule.endpoint for rule in found} >= {"customer.order", "staff.ticket", "merchant_admin.index",
                                                 "telesales.cart", "api.get_order", "api.channel_events"}
    return found


def test_every_route_has_a_declared_audience(app):
    undeclared = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(ROUTES))
    assert undeclared == [], f"declare these endpoints' audience in portal/route_audience.py: {undeclared}"
    stale = sorted(set(ROUTES) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert stale == [], f"these declared endpoints no longer exist: {stale}"


@pytest.mark.parametrize("identity", list(Identity), ids=str)
def test_role_by_route(app, client, login, csrf_from, world, identity):
    person = world["people"].get(identity)
    if person is not None:
        login(person)
    token = _csrf(client, csrf_from)
    mismatches = []
    # Reads first, on this session; then each write from a copy of it; signing out (every session) last.
    ordered = sorted(rules(app), key=lambda rule: ("GET" not in rule.methods, rule.endpoint in SESSION_ENDERS))
    for rule in ordered:
        if rule.endpoint not in ROUTES:
            continue  # test_every_route_has_a_declared_audience names it
        url = build_url(rule, world)
        reads = "GET" in rule.methods
        method, response = _request(client if reads else _copy_session(app, client), rule, url, identity, world,
                                    token)
        expected, got = expected_answer(rule.endpoint, identity), outcome(response)
        if not reads and expected == 200:
            expected = ALLOWED
        if (expected == ALLOWED and not allowed(got)) or (expected != ALLOWED and got != expected):
            mismatches.append(f"{method} {rule.endpoint}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)

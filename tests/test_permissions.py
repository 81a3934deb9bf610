"""Who reaches which buyer-side page: every auth and customer route, for every role.

The routes are read from app.url_map, so a new route of these blueprints is checked as soon as it exists;
a route whose URL needs an argument this table does not know fails loudly until the table learns it.
"""
import pytest

from portal.models import Role, TicketReason
from portal.orders import tracking
from portal.tickets import lifecycle as tickets

pytestmark = pytest.mark.db

BLUEPRINTS = ("customer", "auth")
PERSONAS = ("anonymous", "owner", "other_customer", "agent", "operator", "admin")
LOGIN_REDIRECT = "login"

# Endpoint -> persona -> expected answer to GET; personas left out get the blueprint's default.
EXPECTED = {
    "customer.theme_css": dict.fromkeys(PERSONAS, 200),
    "customer.index": {"anonymous": LOGIN_REDIRECT, **dict.fromkeys(PERSONAS[1:3], "/orders"),
                       **dict.fromkeys(PERSONAS[3:], "/staff/")},
    "customer.orders": {"other_customer": 200},
    "auth.login": {"anonymous": 200, **dict.fromkeys(PERSONAS[1:3], "/orders"),
                   **dict.fromkeys(PERSONAS[3:], "/staff/")},
    "auth.forgot": dict.fromkeys(PERSONAS, 200),
    "auth.set_password": dict.fromkeys(PERSONAS, 404),
    "customer.tickets_list": {"other_customer": 200},
    "customer.ticket": {"other_customer": 404},
    # Staff may read a shopper's order but never open a ticket in the shopper's name.
    "customer.order_help": {"other_customer": 404, "agent": 403, "operator": 403, "admin": 403},
    # The table's attachment id does not exist: nobody signed in learns anything from it.
    "customer.ticket_attachment": dict.fromkeys(PERSONAS[1:], 404),
    # A shared cart link is the shopper's to confirm: an unknown token is 404, staff may not use one at all.
    # "Minha conta" is the shopper's own; staff reach it only while serving a customer. The table's address
    # id does not exist.
    "customer.account": dict.fromkeys(("agent", "operator", "admin"), 403),
    "customer.addresses": dict.fromkeys(("agent", "operator", "admin"), 403),
    "customer.new_address": dict.fromkeys(("agent", "operator", "admin"), 403),
    "customer.edit_address": {"owner": 404, "other_customer": 404, "agent": 403, "operator": 403, "admin": 403},
    # The e-mail address and the password are the account holder's alone; the table's link token is unknown.
    "customer.change_email": dict.fromkeys(("agent", "operator", "admin"), 403),
    "customer.change_password": dict.fromkeys(("agent", "operator", "admin"), 403),
    "customer.confirm_email": {"owner": 404, "other_customer": 404, "agent": 403, "operator": 403, "admin": 403},
    # The shopper changes where their order goes (the page says why not once shipped); staff only while serving.
    "customer.order_address": dict.fromkeys(("agent", "operator", "admin"), 403),
    "customer.shared_cart": {"owner": 404, "other_customer": 404, "agent": 403, "operator": 403, "admin": 403},
    # A survey link with a token we never signed: the same clear 404 whoever opens it.
    "customer.survey": dict.fromkeys(PERSONAS, 404),
    # So is an unsubscribe link we never signed.
    "customer.unsubscribe": dict.fromkeys(PERSONAS, 404),
}


def default_for(endpoint: str, persona: str, takes_order: bool):
    """A customer page is for signed-in users; an order's pages only for its owner and the staff."""
    if not endpoint.startswith("customer."):
        pytest.fail(f"{endpoint} is not in the permission table; add it to EXPECTED")
    if persona == "anonymous":
        return LOGIN_REDIRECT
    if persona == "other_customer" and takes_order:
        return 404
    return 200


@pytest.fixture
def world(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "CORREIOS_BASE_URL", "")
    tracking._client.cache_clear()
    owner = factory.user()
    order = factory.order(owner, status="ENVIADO", paid=True, shipped=True, shipping_code="AA123456785BR")
    users = {"owner": owner, "other_customer": factory.user(),
             "agent": factory.user(role=Role.agent), "operator": factory.user(role=Role.operator),
             "admin": factory.user(role=Role.admin)}
    reason = factory.db.session.scalars(factory.db.select(TicketReason).order_by(TicketReason.position)).first()
    ticket = tickets.open_ticket(order, owner, reason.id, "Onde está?", "Não chegou.")
    return {"order": order, "users": users, "ticket": ticket}


def build_url(rule, world) -> str:
    values = {"number": world["order"].number, "token": "not-a-real-token",
              "ticket_number": world["ticket"].number, "attachment_id": 999_999, "item_id": 999_999,
              "address_id": 999_999, "deflection_id": 999_999}
    unknown = set(rule.arguments) - set(values)
    if unknown:
        pytest.fail(f"{rule.endpoint} needs {sorted(unknown)}; teach build_url() these arguments")
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def outcome(response):
    if response.status_code in (301, 302, 303):
        location = response.headers["Location"]
        return LOGIN_REDIRECT if location.startswith("/login?next=") or location == "/login" else location
    return response.status_code


def rules(app):
    found = [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in BLUEPRINTS]
    assert {rule.endpoint for rule in found} >= {"customer.orders", "customer.order", "auth.login"}
    return sorted(found, key=lambda rule: rule.rule)


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_by_route_table(app, client, login, world, persona):
    if persona != "anonymous":
        login(world["users"][persona])
    mismatches = []
    for rule in rules(app):
        url = build_url(rule, world)
        if "GET" not in rule.methods:
            got = outcome(client.get(url))
            if got != 405:
                mismatches.append((rule.endpoint, "GET on a POST-only route", got))
            continue
        expected = EXPECTED.get(rule.endpoint, {}).get(persona)
        if expected is None:
            expected = default_for(rule.endpoint, persona, "number" in rule.arguments)
        got = outcome(client.get(url))
        if got != expected:
            mismatches.append((rule.endpoint, expected, got))
    assert mismatches == []


def test_post_only_routes_refuse_a_post_without_csrf(app, client, login, world):
    login(world["users"]["owner"])
    for rule in rules(app):
        if "POST" in rule.methods and "GET" not in rule.methods:
            assert client.post(build_url(rule, world)).status_code == 400, rule.endpoint

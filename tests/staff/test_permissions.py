"""Who reaches the staff area: every staff route from app.url_map, for every role."""
import pytest

from portal.models import Role

pytestmark = pytest.mark.db

PERSONAS = ("anonymous", "customer", "agent", "operator", "admin")
LOGIN = "login"
# The call centre's routes: operators and admins only (access.can_use_telesales).
TELESALES = {"staff.customers", "staff.act_for"}


@pytest.fixture
def world(factory, ticket):
    users = {"customer": ticket.customer, "agent": factory.user(role=Role.agent),
             "operator": factory.user(role=Role.operator), "admin": factory.user(role=Role.admin)}
    return {"ticket": ticket, "users": users}


def staff_rules(app):
    found = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")]
    assert {rule.endpoint for rule in found} >= {"staff.queue", "staff.ticket", "staff.order_print"}
    return sorted(found, key=lambda rule: rule.rule)


def build(rule, ticket) -> str:
    values = {"ticket_number": ticket.number, "number": ticket.order.number, "attachment_id": 999_999,
              "item_id": 999_999, "customer_id": ticket.customer_id, "view_id": 999_999, "mail_id": 999_999}
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.endpoint} needs {sorted(unknown)}: teach build() these arguments"
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def outcome(response):
    if response.status_code in (301, 302, 303):
        location = response.headers["Location"]
        return LOGIN if location.startswith("/login") else "redirect"
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_by_route_table(app, client, login, world, persona, monkeypatch):
    """With CSRF out of the way, the gate alone decides: login, 403, or the page / the form's own answer."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    if persona != "anonymous":
        login(world["users"][persona])
    mismatches = []
    for rule in staff_rules(app):
        url = build(rule, world["ticket"])
        method = client.get if "GET" in rule.methods else client.post
        got = outcome(method(url))
        if persona == "anonymous":
            expected = {LOGIN}
        elif persona == "customer" or (persona == "agent" and rule.endpoint in TELESALES):
            expected = {403}
        elif persona == "agent" and getattr(app.view_functions[rule.endpoint], "telesales_only", False):
            expected = {403}  # the call centre's pages are for operators and admins
        elif rule.endpoint in ("staff.attachment", "staff.retry_delivery", "staff.rename_view", "staff.delete_view",
                               "staff.inbound_mail_detail", "staff.discard_inbound_mail"):
            expected = {404}
        elif "GET" in rule.methods:
            expected = {200, "redirect"}
        else:
            expected = {"redirect", 409, 422}  # an empty form is refused in place, or the action just happens
        if got not in expected:
            mismatches.append((rule.endpoint, sorted(map(str, expected)), got))
    assert mismatches == []


def test_agents_cannot_reach_the_merchant_area(client, login, world):
    login(world["users"]["agent"])
    assert client.get("/merchant-admin/text-modules").status_code == 403
    assert client.get("/merchant-admin/channels").status_code == 403


def test_posts_without_a_csrf_token_are_refused(app, client, login, world):
    login(world["users"]["agent"])
    for rule in staff_rules(app):
        if "POST" in rule.methods:
            assert client.post(build(rule, world["ticket"]), data={"version": "1"}).status_code == 400, rule.endpoint

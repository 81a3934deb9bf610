"""Role x route: every merchant-area URL, current and future, is for admins only."""
import pytest

from portal.models import Role, TicketReason

IGNORED = {"HEAD", "OPTIONS"}


@pytest.fixture
def url_values(factory):
    """A real object for every URL argument the merchant area uses; a new argument must be added here."""
    status = factory.status("EM SEPARAÇÃO")
    agent = factory.user(Role.agent)
    from portal.accounts import users as accounts
    token, _raw = accounts.create_api_token("ERP")
    host = factory.trusted_host("rastreio.example.com")
    from portal.models import TextModule
    module = TextModule(title="Prazo", body="Olá {cliente}")
    factory.db.session.add(module)
    factory.db.session.flush()
    return {"status_id": status.id, "user_id": agent.id, "token_id": token.id, "host_id": host.id,
            "module_id": module.id, "channel_id": factory.channel().id,
            "reason_id": factory.db.session.scalar(factory.db.select(TicketReason.id).limit(1))}


def merchant_routes(app, url_values):
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("merchant_admin."):
                continue
            missing = set(rule.arguments) - set(url_values)
            assert not missing, f"add a value for {missing} of {rule.rule} to url_values"
            url = rule.build({name: url_values[name] for name in rule.arguments})[1]
            routes += [(method, url, rule.endpoint) for method in sorted(rule.methods - IGNORED)]
    return routes


def test_the_area_has_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("merchant_admin.")}
    assert {"merchant_admin.index", "merchant_admin.statuses", "merchant_admin.rules", "merchant_admin.hosts",
            "merchant_admin.colours", "merchant_admin.staff_users", "merchant_admin.tokens",
            "merchant_admin.settings_page", "merchant_admin.audit_log"} <= endpoints
    assert all(rule.rule.startswith("/merchant-admin") for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("merchant_admin."))


@pytest.mark.parametrize("role", [None, Role.customer, Role.agent, Role.operator, Role.admin])
def test_role_x_route(app, factory, sign_in, url_values, monkeypatch, role):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    client = sign_in(factory.user(role) if role else None)
    wrong = []
    for method, url, endpoint in merchant_routes(app, url_values):
        response = client.open(url, method=method, data={})
        status, location = response.status_code, response.headers.get("Location", "")
        if role is None:
            ok = status == 302 and "/login" in location
        elif role is not Role.admin:
            ok = status == 403
        elif method == "GET":
            ok = status == 200
        else:
            ok = status in (200, 302, 400, 409, 422) and "/login" not in location
        if not ok:
            wrong.append((endpoint, method, url, status, location))
    assert wrong == []


def test_post_without_csrf_token_is_refused(admin_client, db):
    from portal.models import OrderStatus

    response = admin_client.post("/merchant-admin/statuses/new", data={"name": "SEM TOKEN"})
    assert response.status_code in (400, 422)
    assert db.session.scalar(db.select(OrderStatus).filter_by(name="SEM TOKEN")) is None

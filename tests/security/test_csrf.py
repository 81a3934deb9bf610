"""Every state-changing HTML route refuses a post without a CSRF token or with another session's token, writing nothing.

The routes are read from app.url_map: a new POST/PUT/PATCH/DELETE rule is swept without touching this file, and one
whose blueprint has no declared identity or whose URL argument has no object in csrf_world.py fails until declared.
The token-authenticated API and the signed webhook carry their own proof and are left out.
"""
import pytest

from .csrf_world import act_for, build_world, row_counts, sign_in, url_values

pytestmark = pytest.mark.db

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Bearer tokens (the API) and HMAC signatures (the webhook, in the same blueprint): no browser session to ride.
NOT_BROWSER = frozenset({"api"})
# Who may post to each blueprint's routes.
BLUEPRINT_IDENTITY = {"customer": "shopper", "auth": "shopper", "staff": "agent", "merchant_admin": "admin",
                      "telesales": "operator"}
ENDPOINT_IDENTITY = {"auth.login": "anonymous", "auth.forgot": "anonymous", "auth.set_password": "anonymous",
                     "customer.end_acting": "acting"}


def state_changing_rules(app):
    """Yield (rule, method) for every state-changing rule a browser session can reach."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint.partition(".")[0] in NOT_BROWSER:
            continue
        for method in sorted((rule.methods or set()) & MUTATING):
            yield rule, method


def identity_of(endpoint: str) -> str:
    identity = ENDPOINT_IDENTITY.get(endpoint) or BLUEPRINT_IDENTITY.get(endpoint.partition(".")[0])
    assert identity, f"{endpoint}: declare who posts to it in BLUEPRINT_IDENTITY or ENDPOINT_IDENTITY"
    return identity


@pytest.fixture
def sweep(app, factory, csrf_from):
    world = build_world(factory)
    users = {"shopper": world.shopper, "agent": world.agent, "admin": world.admin, "operator": world.operator,
             "anonymous": None, "acting": world.operator}
    clients = {}

    def client_for(identity):
        if identity not in clients:
            clients[identity] = sign_in(app, csrf_from, users[identity])
            if identity == "acting":
                act_for(clients[identity], world.operator, world.shopper)
        return clients[identity]

    # Someone else's session, with a token that is valid there.
    stranger = sign_in(app, csrf_from, factory.user(name="Pessoa Estranha"))
    foreign_token = csrf_from(stranger.get("/account").get_data(as_text=True))
    assert foreign_token, "the account page carries no CSRF token to borrow"
    adapter = app.url_map.bind("portal.test")

    def run(borrowed: bool) -> list[str]:
        token = foreign_token if borrowed else None
        before = row_counts(factory.db)
        wrong = []
        swept = 0
        for rule, method in state_changing_rules(app):
            url = adapter.build(rule.endpoint, url_values(world, rule.endpoint, rule.arguments), method=method)
            data = {"csrf_token": token} if token else {}
            response = client_for(identity_of(rule.endpoint)).open(url, method=method, data=data)
            swept += 1
            after = row_counts(factory.db)
            changed = {name: (before[name], after[name]) for name in before if before[name] != after.get(name)}
            if response.status_code != 400 or changed:
                wrong.append(f"{method} {url} ({rule.endpoint}): {response.status_code}, rows changed {changed}")
                before = after
        assert swept >= 60, f"only {swept} state-changing routes found"
        return wrong

    return run


def test_every_state_changing_route_refuses_a_post_without_a_token(sweep):
    assert sweep(borrowed=False) == []


def test_every_state_changing_route_refuses_another_sessions_token(sweep):
    assert sweep(borrowed=True) == []

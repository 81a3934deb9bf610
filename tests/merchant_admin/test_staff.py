"""Staff users and roles, the last-admin rule, ending sessions, and API tokens."""
import os

import pytest

from portal.models import ApiToken, AuditEntry, Role, User
from portal.services import accounts, staff
from portal.services.errors import Conflict

STAFF = "/merchant-admin/staff"
TOKENS = "/merchant-admin/tokens"


def _mails(app):
    folder = app.config["MAIL_DIR"]
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def test_create_staff_with_password(admin_client, post, db, sign_in):
    response = post(admin_client, STAFF, {"email": "Agente@Loja.example.com", "name": "Ag", "role": "agent",
                                          "password": "long enough 1"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="agente@loja.example.com"))
    assert user.role is Role.agent and user.check_password("long enough 1")
    assert sign_in(user, "long enough 1").get("/merchant-admin/").status_code == 403


def test_invite_staff_sends_a_first_access_link(admin_client, post, db, app):
    before = _mails(app)
    response = post(admin_client, STAFF, {"email": "op@loja.example.com", "role": "operator"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="op@loja.example.com"))
    assert user.role is Role.operator and user.password_hash is None
    new = _mails(app) - before
    assert len(new) == 1
    body = open(os.path.join(app.config["MAIL_DIR"], new.pop()), encoding="utf-8").read()
    assert "op@loja.example.com" in body and "/access/" in body


@pytest.mark.parametrize("data, field", [
    ({"email": "nope", "role": "agent"}, "email"),
    ({"email": "x@example.com", "role": "customer"}, "role"),
    ({"email": "x@example.com", "role": "agent", "password": "short"}, "password"),
])
def test_invalid_staff_form(admin_client, post, db, data, field):
    response = post(admin_client, STAFF, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in html
    if data["email"] != "nope":
        assert 'value="x@example.com"' in html
    assert db.session.scalar(db.select(User).filter_by(email="x@example.com")) is None


def test_existing_email_is_refused(admin_client, post, admin):
    response = post(admin_client, STAFF, {"email": admin.email, "role": "agent"})
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)


def test_change_role(admin_client, post, factory, db):
    agent = factory.user(Role.agent)
    response = post(admin_client, f"{STAFF}/{agent.id}/role", {"role": "admin"}, page=STAFF)
    assert response.status_code == 302
    db.session.refresh(agent)
    assert agent.role is Role.admin
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="staff.role"))
    assert (entry.before, entry.after) == ({"role": "agent"}, {"role": "admin"})


def test_customers_are_not_managed_here(admin_client, post, factory, db):
    customer = factory.user(Role.customer)
    response = post(admin_client, f"{STAFF}/{customer.id}/role", {"role": "admin"}, page=STAFF)
    assert response.status_code == 404
    assert customer.role is Role.customer


def test_last_active_admin_cannot_be_demoted_or_deactivated(admin_client, post, admin, db, factory):
    factory.user(Role.admin, active=False)
    response = post(admin_client, f"{STAFF}/{admin.id}/role", {"role": "agent"}, page=STAFF, follow_redirects=True)
    assert "last active administrator" in response.get_data(as_text=True)
    response = post(admin_client, f"{STAFF}/{admin.id}/active", {"active": "0"}, page=STAFF, follow_redirects=True)
    assert "last active administrator" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role is Role.admin and admin.active
    with pytest.raises(Conflict):
        staff.change_role(admin, admin, Role.operator)


def test_an_admin_may_step_down_when_another_admin_remains(admin_client, post, admin, factory, db):
    factory.user(Role.admin)
    response = post(admin_client, f"{STAFF}/{admin.id}/role", {"role": "agent"}, page=STAFF)
    assert response.status_code == 302
    db.session.refresh(admin)
    assert admin.role is Role.agent
    assert admin_client.get("/merchant-admin/").status_code == 403


def test_deactivation_ends_a_live_session_at_once(admin_client, post, factory, sign_in, db):
    agent = factory.user(Role.agent)
    order = factory.order()
    agent_client = sign_in(agent)
    assert agent_client.get(f"/orders/{order.number}").status_code == 200
    response = post(admin_client, f"{STAFF}/{agent.id}/active", {"active": "0"}, page=STAFF)
    assert response.status_code == 302
    after = agent_client.get(f"/orders/{order.number}")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    db.session.refresh(agent)
    assert agent.active is False
    assert post(admin_client, f"{STAFF}/{agent.id}/active", {"active": "1"}, page=STAFF).status_code == 302
    assert agent_client.get(f"/orders/{order.number}").status_code == 302


def test_token_secret_is_shown_once_and_revocable(admin_client, post, db):
    response = post(admin_client, TOKENS, {"name": "ERP"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "data-new-token" in html
    assert response.headers["Cache-Control"] == "no-store"
    token = db.session.scalar(db.select(ApiToken).filter_by(name="ERP"))
    raw = html.split('class="code token-secret">')[1].split("<")[0]
    assert raw.startswith(token.prefix) and accounts.authenticate_api_token(raw) is not None
    listing = admin_client.get(TOKENS).get_data(as_text=True)
    assert raw not in listing and "ERP" in listing and token.prefix in listing
    assert post(admin_client, f"{TOKENS}/{token.id}/revoke", page=TOKENS).status_code == 302
    assert accounts.authenticate_api_token(raw) is None
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["token.create", "token.revoke"]


def test_invalid_token_name(admin_client, post):
    response = post(admin_client, TOKENS, {"name": "  "})
    assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)
    assert "data-new-token" not in response.get_data(as_text=True)

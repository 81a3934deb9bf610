"""Staff users and roles, the last-admin rule, ending sessions, and API tokens."""
import os

import pytest

from portal.accounts import staff
from portal.accounts import users as accounts
from portal.core.errors import Conflict
from portal.models import ApiToken, AuditEntry, Role, User

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


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app):
    """Runs on committed rows and real connections (not the rolled-back test transaction), then cleans up."""
    import threading

    from portal.extensions import db as real_db

    with app.app_context():
        if real_db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite lets one writer at a time hold the database, so it needs no row locks; "
                        "run with TEST_DATABASE_URL set to PostgreSQL")
        ids = [accounts.create_user(f"race-{n}@loja.test", Role.admin).id for n in (1, 2)]
        real_db.session.commit()
    start, finish = threading.Barrier(2), threading.Barrier(2)
    results = {}

    def demote(actor_id, target_id):
        with app.app_context():
            actor, target = real_db.session.get(User, actor_id), real_db.session.get(User, target_id)
            start.wait(timeout=5)
            try:
                staff.change_role(actor, target, Role.agent)
            except Conflict as error:
                real_db.session.rollback()
                results[actor_id] = str(error.message)
                return
            try:
                finish.wait(timeout=1)  # both hold their locks here if the locks do not overlap
            except threading.BrokenBarrierError:
                pass
            real_db.session.commit()
            results[actor_id] = "demoted"

    threads = [threading.Thread(target=demote, args=pair) for pair in (ids, ids[::-1])]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=15)
        with app.app_context():
            roles = sorted(real_db.session.scalars(db_roles(ids)))
            assert roles == [Role.admin, Role.agent]
            assert sorted(results.values())[0] == "demoted"
            refused = sorted(results.values())[1]
            assert refused != "demoted" and "race-" in refused  # the Conflict's message names the admin
    finally:
        with app.app_context():
            real_db.session.execute(real_db.delete(AuditEntry).where(AuditEntry.user_id.in_(ids)))
            real_db.session.execute(real_db.delete(User).where(User.id.in_(ids)))
            real_db.session.commit()


def db_roles(ids):
    from portal.extensions import db as real_db
    return real_db.select(User.role).where(User.id.in_(ids))


def test_tokens_page_shows_last_used_after_an_api_call(admin_client, factory, db, app):
    import re

    raw = factory.api_token("nightly sync")
    db.session.commit()

    def last_used():
        html = admin_client.get(TOKENS).get_data(as_text=True)
        row = re.search(r'<tr data-token="nightly sync">(.*?)</tr>', html, re.S).group(1)
        return re.findall(r"<td>(.*?)</td>", row)[1]

    assert last_used() == "Never"
    assert app.test_client().get("/api/v1/statuses", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    db.session.expire_all()
    assert last_used() not in ("Never", "")

"""The activation checklist, the on/off switch and what buyers meet while the portal is off."""
import pytest

from portal.models import AuditEntry, Role, StatusType, StoreSettings
from portal.store import settings as store

INDEX = "/merchant-admin/"
SWITCH = "/merchant-admin/activation"


def _switch(post, client, version, active, confirm=False):
    data = {"version": version, "active": "1" if active else "0"}
    if confirm:
        data["confirm"] = "y"
    return post(client, SWITCH, data, page=INDEX)


def test_checklist_lists_what_is_missing(admin_client, factory, db):
    factory.status("EM SEPARAÇÃO")
    html = admin_client.get(INDEX).get_data(as_text=True)
    assert 'data-checklist="not-ready"' in html and "3 items are open" in html
    assert "EM SEPARAÇÃO" in html
    checklist = store.checklist()
    assert checklist.untyped_statuses == ["EM SEPARAÇÃO"] and checklist.rules_need_review
    assert checklist.no_trusted_host


def test_checklist_ready(admin_client, factory, db):
    factory.status("EM SEPARAÇÃO", StatusType.in_progress)
    factory.trusted_host("rastreio.example.com")
    store.mark_rules_reviewed()
    html = admin_client.get(INDEX).get_data(as_text=True)
    assert 'data-checklist="ready"' in html


def test_switch_off_and_on_with_confirmation(admin_client, post, version, db):
    assert StoreSettings.get().portal_active is True
    assert _switch(post, admin_client, version("switch_version"), False).status_code == 302
    assert StoreSettings.get().portal_active is False
    response = _switch(post, admin_client, version("switch_version"), True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tick the confirmation" in html
    assert StoreSettings.get().portal_active is False
    assert _switch(post, admin_client, version("switch_version"), True, confirm=True).status_code == 302
    assert StoreSettings.get().portal_active is True
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["portal.off", "portal.on"]


def test_switch_on_without_confirmation_when_ready(admin_client, post, version, factory):
    factory.trusted_host("rastreio.example.com")
    store.mark_rules_reviewed()
    _switch(post, admin_client, version("switch_version"), False)
    assert _switch(post, admin_client, version("switch_version"), True).status_code == 302
    assert StoreSettings.get().portal_active is True


def test_stale_switch_is_refused(admin_client, post, version):
    stale = version("switch_version")
    _switch(post, admin_client, stale, False)
    response = _switch(post, admin_client, stale, True, confirm=True)
    assert response.status_code == 409 and "changed these settings meanwhile" in response.get_data(as_text=True)
    assert StoreSettings.get().portal_active is False


@pytest.fixture
def portal_off(db):
    settings = store.settings_row()
    settings.portal_active = False
    db.session.commit()
    return settings


def test_buyers_see_a_notice_while_off(portal_off, factory, sign_in, app):
    customer = factory.user()
    order = factory.order(customer)
    anonymous = app.test_client()
    response = anonymous.get("/orders")
    assert response.status_code == 503 and "data-portal-off" in response.get_data(as_text=True)
    buyer = sign_in(customer)
    assert buyer.get(f"/orders/{order.number}").status_code == 503
    assert anonymous.get("/theme.css").status_code == 200
    assert anonymous.get("/login").status_code == 200


def test_buyers_go_to_the_old_area_while_off(portal_off, factory, sign_in, db):
    portal_off.old_portal_url = "https://loja.example.com/central"
    db.session.commit()
    buyer = sign_in(factory.user())
    response = buyer.get("/orders")
    assert response.status_code == 302 and response.headers["Location"] == "https://loja.example.com/central"


def test_staff_merchant_area_and_api_keep_working_while_off(portal_off, factory, sign_in, app):
    order = factory.order()
    agent = sign_in(factory.user(Role.agent))
    assert agent.get(f"/orders/{order.number}").status_code == 200
    admin = sign_in(factory.user(Role.admin))
    assert admin.get(INDEX).status_code == 200
    raw = factory.api_token()
    response = app.test_client().get(f"/api/v1/orders/{order.number}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code != 503 and response.status_code != 302


def test_my_data_and_my_addresses_go_to_the_old_area_while_off(portal_off, factory, sign_in, db):
    portal_off.old_portal_url = "https://loja.example.com/central"
    db.session.commit()
    buyer_user = factory.user()
    order = factory.order(buyer_user)
    db.session.commit()
    buyer = sign_in(buyer_user)
    for url in ("/account", "/account/addresses", "/account/addresses/new", f"/orders/{order.number}/address"):
        response = buyer.get(url)
        assert (response.status_code, response.headers.get("Location")) == (
            302, "https://loja.example.com/central"), url

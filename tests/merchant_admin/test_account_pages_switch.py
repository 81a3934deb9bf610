"""The merchant's "My account" switch: off, the account links and pages lead to the old central, or are gone."""
import pytest

from portal.models import AuditEntry, StoreSettings

pytestmark = pytest.mark.db

SETTINGS = "/merchant-admin/settings"
VALID = {"store_name": "Loja da Ana", "support_email": "", "timezone": "America/Sao_Paulo", "country": "BR",
         "state": "SP", "default_locale": "pt_BR", "old_portal_url": "https://central.loja.example.com/"}
ACCOUNT_PAGES = ("/account", "/account/addresses", "/account/addresses/new", "/account/email", "/account/password")


def test_the_switch_is_on_the_settings_form_and_saved_audited(admin_client, post, version, db):
    html = admin_client.get(SETTINGS).get_data(as_text=True)
    assert 'id="account_pages_enabled"' in html and 'for="account_pages_enabled"' in html and "checked" in html
    response = post(admin_client, SETTINGS, {**VALID, "version": version()})  # the box left unticked
    assert response.status_code == 302
    assert StoreSettings.get().account_pages_enabled is False
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="settings.update"))
    assert entry.before["account_pages_enabled"] is True and entry.after["account_pages_enabled"] is False
    post(admin_client, SETTINGS, {**VALID, "account_pages_enabled": "y", "version": version()})
    assert StoreSettings.get().account_pages_enabled is True


@pytest.fixture
def shopper_client(factory, sign_in, db):
    user = factory.user(email="joana@example.com")
    order = factory.order(user, "A ENVIAR")
    db.session.commit()
    client = sign_in(user)
    client.order_number = order.number
    return client


def _switch(db, enabled: bool, old_url: str):
    settings = db.session.get(StoreSettings, 1)
    settings.account_pages_enabled, settings.old_portal_url = enabled, old_url
    db.session.commit()


def test_off_with_an_old_central_the_links_and_pages_go_there(shopper_client, db):
    _switch(db, False, "https://central.loja.example.com/")
    html = shopper_client.get("/orders").get_data(as_text=True)
    assert 'href="https://central.loja.example.com/" data-account-link' in html
    for path in (*ACCOUNT_PAGES, f"/orders/{shopper_client.order_number}/address"):
        response = shopper_client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "https://central.loja.example.com/"
    order_page = shopper_client.get(f"/orders/{shopper_client.order_number}").get_data(as_text=True)
    assert 'href="https://central.loja.example.com/" data-change-delivery-address' in order_page


def test_off_without_an_old_central_the_links_are_gone_and_pages_404(shopper_client, db):
    _switch(db, False, "")
    html = shopper_client.get("/orders").get_data(as_text=True)
    assert "data-account-link" not in html
    for path in ACCOUNT_PAGES:
        assert shopper_client.get(path).status_code == 404, path
    assert "data-change-delivery-address" not in shopper_client.get(
        f"/orders/{shopper_client.order_number}").get_data(as_text=True)


def test_on_the_pages_are_the_portals_own(shopper_client, db):
    _switch(db, True, "https://central.loja.example.com/")
    assert 'href="/account" data-account-link' in shopper_client.get("/orders").get_data(as_text=True)
    for path in ACCOUNT_PAGES:
        assert shopper_client.get(path).status_code == 200, path

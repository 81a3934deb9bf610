"""The merchant grants "aprovar preços" and sets the back office, the price ceiling and the link days."""
import pytest

from portal.models import AuditEntry, Role, StoreSettings

pytestmark = pytest.mark.db


def test_the_merchant_grants_the_approval_permission_audited(client, login, admin, factory, post, db):
    agent = factory.user(Role.agent, email="atendente@example.com")
    login(admin)
    assert "aprovar preços" in client.get("/merchant-admin/staff").get_data(as_text=True)
    response = post(f"/merchant-admin/staff/{agent.id}/approve-prices", {"can_approve_prices": "1"},
                    page="/merchant-admin/staff")
    assert response.status_code == 302
    db.session.refresh(agent)
    assert agent.can_approve_prices
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "staff.approve_prices"))
    assert entry.after == {"can_approve_prices": True} and entry.user_id == admin.id
    post(f"/merchant-admin/staff/{agent.id}/approve-prices", {}, page="/merchant-admin/staff")
    db.session.refresh(agent)
    assert not agent.can_approve_prices


def test_the_telesales_settings_are_saved_and_checked(client, login, admin, post, db):
    db.session.commit()
    login(admin)
    page = "/merchant-admin/telesales"
    bad = post(page, {"backoffice_url": "ftp://x", "backoffice_secret": "s", "manual_price_ceiling": "100",
                      "cart_link_days": "7"}, page=page)
    assert bad.status_code == 422
    zero = post(page, {"backoffice_url": "", "manual_price_ceiling": "0", "cart_link_days": "7"}, page=page)
    assert zero.status_code == 422, zero.get_data(as_text=True)[-3000:]
    ok = post(page, {"backoffice_url": "http://127.0.0.1:9/events", "backoffice_secret": "segredo",
                     "manual_price_ceiling": "500,00", "cart_link_days": "3"}, page=page)
    assert ok.status_code == 302
    settings = db.session.get(StoreSettings, 1)
    db.session.refresh(settings)
    assert (settings.backoffice_url, settings.backoffice_secret, settings.manual_price_ceiling_cents,
            settings.cart_link_days) == ("http://127.0.0.1:9/events", "segredo", 50000, 3)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "telesales.settings"))
    assert "segredo" not in str(entry.after) and entry.after["secret_changed"] is True

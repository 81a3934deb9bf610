"""The late-order settings in the store settings form: saved, validated, kept on error."""
import re

import pytest

from portal.core.errors import ValidationError
from portal.models import StoreSettings
from portal.store import settings as store

SETTINGS = "/merchant-admin/settings"
VALID = {"store_name": "Loja da Ana", "support_email": "", "timezone": "America/Sao_Paulo", "country": "BR",
         "state": "SP", "default_locale": "pt_BR", "old_portal_url": ""}


def test_the_form_shows_the_late_order_settings(admin_client):
    html = admin_client.get(SETTINGS).get_data(as_text=True)
    assert "data-late-settings" in html and 'name="late_quiet_days"' in html and 'value="3"' in html
    assert 'name="late_opens_ticket"' in html and 'name="late_emails_shopper"' in html


def test_the_late_order_settings_are_saved(admin_client, post, version):
    response = post(admin_client, SETTINGS, {**VALID, "version": version(), "late_quiet_days": "5",
                                             "late_opens_ticket": "y", "late_emails_shopper": "y"})
    assert response.status_code == 302
    settings = StoreSettings.get()
    assert (settings.late_quiet_days, settings.late_opens_ticket, settings.late_emails_shopper) == (5, True, True)
    response = post(admin_client, SETTINGS, {**VALID, "version": version(), "late_quiet_days": "30"})
    assert response.status_code == 302
    settings = StoreSettings.get()
    assert (settings.late_quiet_days, settings.late_opens_ticket, settings.late_emails_shopper) == (30, False, False)


@pytest.mark.parametrize("value", ["0", "31", "-2", "três"])
def test_quiet_days_outside_1_to_30_are_refused_and_the_entries_kept(admin_client, post, version, value):
    response = post(admin_client, SETTINGS, {**VALID, "version": version(), "late_quiet_days": value,
                                             "late_opens_ticket": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="late_quiet_days-error"' in html
    box = re.search(r'<input[^>]*name="late_opens_ticket"[^>]*>', html).group(0)
    assert "checked" in box and f'value="{value}"' in html
    assert StoreSettings.get().late_quiet_days == 3 and StoreSettings.get().store_name != "Loja da Ana"


def test_the_service_checks_the_range_too(db):
    for bad in (0, 31, "x"):
        with pytest.raises(ValidationError) as error:
            store.check_late_quiet_days(bad)
        assert error.value.field == "late_quiet_days"
    assert store.check_late_quiet_days("7") == 7
    assert store.check_late_quiet_days(None) == 3

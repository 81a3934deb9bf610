"""Store settings: validation per field, values kept on error, compare-and-set against concurrent saves."""
import pytest

from portal.core.errors import Conflict
from portal.models import AuditEntry, StoreSettings
from portal.store import settings as store

SETTINGS = "/merchant-admin/settings"
VALID = {"store_name": "Loja da Ana", "support_email": "Ajuda@Loja.example.com", "timezone": "America/Manaus",
         "country": "br", "state": "am", "default_locale": "en", "old_portal_url": "https://loja.example.com/central"}


def test_valid_settings_are_saved_and_audited(admin_client, post, version, db):
    response = post(admin_client, SETTINGS, {**VALID, "version": version()})
    assert response.status_code == 302
    settings = StoreSettings.get()
    assert (settings.store_name, settings.support_email, settings.timezone, settings.country, settings.state,
            settings.default_locale, settings.old_portal_url) == (
        "Loja da Ana", "ajuda@loja.example.com", "America/Manaus", "BR", "AM", "en",
        "https://loja.example.com/central")
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="settings.update"))
    assert entry.before["timezone"] == "America/Sao_Paulo" and entry.after["timezone"] == "America/Manaus"
    assert "store_name" in entry.after and "version" not in entry.after


@pytest.mark.parametrize("field, value, message", [
    ("store_name", "", "This field is required"),
    ("support_email", "not-an-email", "valid e-mail address"),
    ("timezone", "Mars/Olympus_Mons", "Choose a time zone"),
    ("country", "XX", "no holiday calendar"),
    ("state", "ZZ", "not known for BR"),
    ("default_locale", "es", "Not a valid choice"),
    ("old_portal_url", "javascript:alert(1)", "full web address"),
])
def test_each_invalid_field_gets_its_message_and_values_are_kept(admin_client, post, version, field, value,
                                                                  message):
    response = post(admin_client, SETTINGS, {**VALID, field: value, "version": version()})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert 'value="Loja da Ana"' in html or field == "store_name"
    assert StoreSettings.get().store_name != "Loja da Ana"


def test_second_admin_with_a_stale_form_is_told_and_keeps_values(admin_client, post, version, factory, sign_in):
    from portal.models import Role

    other = sign_in(factory.user(Role.admin))
    rendered = version()
    assert post(other, SETTINGS, {**VALID, "store_name": "Saved first", "version": rendered}).status_code == 302
    response = post(admin_client, SETTINGS, {**VALID, "store_name": "Saved second", "version": rendered})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed these settings meanwhile" in html and 'value="Saved second"' in html
    assert "Saved first" in html
    assert StoreSettings.get().store_name == "Saved first"
    again = post(admin_client, SETTINGS, {**VALID, "store_name": "Saved second", "version": rendered + 1})
    assert again.status_code == 302 and StoreSettings.get().store_name == "Saved second"


def test_saving_the_colours_or_the_switch_does_not_stale_the_settings_form(admin_client, post, version, factory,
                                                                            sign_in):
    from portal.models import Role

    other = sign_in(factory.user(Role.admin))
    rendered = version()
    colours = {"version": version("colours_version"), "primary_color": "#111111", "accent_color": "#222222"}
    assert post(other, "/merchant-admin/colours", colours).status_code == 302
    assert post(other, "/merchant-admin/activation", {"version": version("switch_version"), "active": "0"},
                page="/merchant-admin/").status_code == 302
    response = post(admin_client, SETTINGS, {**VALID, "version": rendered})
    assert response.status_code == 302 and StoreSettings.get().store_name == "Loja da Ana"
    assert StoreSettings.get().primary_color == "#111111" and not StoreSettings.get().portal_active


def test_compare_and_set_in_the_service(db, admin):
    start = store.settings_row().version
    store.save(admin, start, {"store_name": "A"}, "settings.update")
    with pytest.raises(Conflict):
        store.save(admin, start, {"store_name": "B"}, "settings.update")
    assert store.settings_row().store_name == "A" and store.settings_row().version == start + 1


def test_missing_or_garbled_version_is_refused(admin_client, post):
    response = post(admin_client, SETTINGS, {**VALID, "version": "abc"})
    assert response.status_code == 422 and "out of date" in response.get_data(as_text=True)
    assert StoreSettings.get().store_name != "Loja da Ana"


def test_store_default_language_is_used_when_the_browser_names_none(app, db):
    store.settings_row().default_locale = "en"
    db.session.commit()
    assert '<html lang="en">' in app.test_client().get("/login").get_data(as_text=True)
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"
    assert '<html lang="pt-BR">' in browser.get("/login").get_data(as_text=True)


def test_the_default_language_is_chosen_by_its_name(admin_client):
    html = admin_client.get(SETTINGS).get_data(as_text=True)
    select = html[html.index('id="default_locale"'):]
    select = select[:select.index("</select>")]
    for code, name in (("pt_BR", "Português (Brasil)"), ("en", "English"), ("cs", "Čeština"), ("fr", "Français"),
                       ("de", "Deutsch")):
        assert f'value="{code}">{name}</option>' in select or f'value="{code}" selected>{name}</option>' in select

"""Colours: hex validation, contrast warnings, reset, the buyer's theme, and conflicting saves."""
import re

from portal.models import AuditEntry, StoreSettings
from portal.models.settings import DEFAULT_ACCENT, DEFAULT_PRIMARY
from portal.store.colours import contrast_ratio, normalise_hex, passes_aa, readable_on, text_on_white

COLOURS = "/merchant-admin/colours"


def test_contrast_maths():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
    assert passes_aa("#767676") and not passes_aa("#777777")
    assert normalise_hex("#ABC") == "#aabbcc" and normalise_hex("red") is None and normalise_hex("#12345g") is None


def test_save_colours_reaches_the_buyer_theme(admin_client, post, version, db, app):
    response = post(admin_client, COLOURS, {"version": version("colours_version"), "primary_color": "#7A1F5C",
                                            "accent_color": "#1f5c7a"})
    assert response.status_code == 302
    settings = StoreSettings.get()
    assert (settings.primary_color, settings.accent_color) == ("#7a1f5c", "#1f5c7a")
    css = app.test_client().get("/theme.css").get_data(as_text=True)
    assert "--color-primary: #7a1f5c" in css and "--color-accent: #1f5c7a" in css
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="colours.update"))
    assert entry.before == {"primary_color": DEFAULT_PRIMARY, "accent_color": DEFAULT_ACCENT}


def test_invalid_colour_keeps_the_values(admin_client, post, version):
    response = post(admin_client, COLOURS, {"version": version("colours_version"), "primary_color": "blue",
                                            "accent_color": "#1f5c7a"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="primary_color-error"' in html and "six hex digits" in html
    assert 'value="#1f5c7a"' in html and 'value="blue"' in html
    assert StoreSettings.get().primary_color == DEFAULT_PRIMARY


def test_light_colour_gets_black_text_like_the_buyer_theme_and_no_false_warning(admin_client, post, version, app):
    response = post(admin_client, COLOURS, {"version": version("colours_version"), "primary_color": "#ffd700",
                                            "accent_color": "#0a7d4f"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert StoreSettings.get().primary_color == "#ffd700"
    assert 'contrast__item--low" data-contrast-for' not in html
    assert html.count("below the 4.5:1 of WCAG AA") == 2  # only the two data-low-text templates for the script
    assert 'contrast__item" data-contrast-for="primary" data-text="#000000"' in html
    assert "buyers see black text on it" in html
    assert 'contrast__item" data-contrast-for="accent" data-text="#ffffff"' in html
    css = app.test_client().get("/theme.css").get_data(as_text=True)
    on_primary = re.search(r"--color-on-primary: (#[0-9a-f]{6});", css).group(1)
    link = re.search(r"--color-primary-text: (#[0-9a-f]{6});", css).group(1)
    assert on_primary == "#000000"
    assert f'data-on-primary="{on_primary}"' in html and f'data-primary-text="{link}"' in html
    assert link != "#ffd700" and contrast_ratio(link, "#ffffff") >= 4.5


def test_colour_choosers_are_the_theme_functions():
    assert readable_on("#ffd700") == "#000000" and readable_on("#0b5cad") == "#ffffff"
    assert text_on_white("#0b5cad") == "#0b5cad" and contrast_ratio(text_on_white("#ffd700"), "#ffffff") >= 4.5


def test_reset_with_a_stale_version_is_refused(admin_client, post, version):
    stale = version("colours_version")
    post(admin_client, COLOURS, {"version": stale, "primary_color": "#111111", "accent_color": "#222222"})
    response = post(admin_client, f"{COLOURS}/reset", {"version": stale}, page=COLOURS)
    assert response.status_code == 409
    assert (StoreSettings.get().primary_color, StoreSettings.get().accent_color) == ("#111111", "#222222")


def test_reset_to_defaults(admin_client, post, version, db):
    post(admin_client, COLOURS, {"version": version("colours_version"), "primary_color": "#111111",
                                 "accent_color": "#222222"})
    response = post(admin_client, f"{COLOURS}/reset", {"version": version("colours_version")}, page=COLOURS)
    assert response.status_code == 302
    assert (StoreSettings.get().primary_color, StoreSettings.get().accent_color) == (DEFAULT_PRIMARY, DEFAULT_ACCENT)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="colours.reset")) is not None


def test_stale_colour_form_keeps_values_and_says_changed_meanwhile(admin_client, post, version):
    stale = version("colours_version")
    post(admin_client, COLOURS, {"version": stale, "primary_color": "#111111", "accent_color": "#222222"})
    response = post(admin_client, COLOURS, {"version": stale, "primary_color": "#333333", "accent_color": "#444444"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed these settings meanwhile" in html
    assert 'value="#333333"' in html and "data-conflict" in html and "#111111" in html
    assert StoreSettings.get().primary_color == "#111111"
    assert f'name="version" type="hidden" value="{stale + 1}"' in html


def test_the_contrast_ratio_uses_the_locales_decimal_sign(sign_in, admin):
    client = sign_in(admin)
    english = client.get("/merchant-admin/colours").get_data(as_text=True)
    assert re.search(r"reaching \d+\.\d\d:1", english) and 'data-decimal-sign="."' in english
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"
    portuguese = client.get("/merchant-admin/colours").get_data(as_text=True)
    assert re.search(r"contraste de\s+\d+,\d\d:1", portuguese) and 'data-decimal-sign=","' in portuguese
    assert not re.search(r"\d\.\d\d:1", portuguese)

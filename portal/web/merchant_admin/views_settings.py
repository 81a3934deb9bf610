"""Merchant area: the activation checklist and switch, store settings and colours."""
from babel.numbers import get_decimal_symbol
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...core.errors import Conflict, DomainError
from ...extensions import db
from ...store import settings as store
from ...store.colours import AA_NORMAL_TEXT, contrast_ratio, normalise_hex, readable_on, text_on_white
from ..auth.views import language_choices
from . import bp
from .common import attach_error
from .forms import ActivationForm, ColoursForm, SettingsForm, VersionedForm


def _save(form, verb, *args, fields=(), counter="version"):
    """Run a versioned save; on a conflict keep the user's values and offer the form's current version."""
    try:
        verb(current_user, form.version.data, *args)
    except Conflict as error:
        db.session.rollback()
        current = store.settings_row()
        form.version.raw_data = None
        form.version.data = getattr(current, counter)
        attach_error(form, error)
        return {name: getattr(current, name) for name in fields}, 409
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None, 422
    db.session.commit()
    return None, None


@bp.route("/")
def index():
    """Show the activation checklist and the portal's on/off switch."""
    settings = store.settings_row()
    form = ActivationForm(version=settings.switch_version, active="0" if settings.portal_active else "1")
    return render_template("merchant_admin/index.html", settings=settings, checklist=store.checklist(), form=form)


@bp.route("/activation", methods=["POST"])
def activation():
    """Switch the portal on (confirming open checklist items) or off."""
    form = ActivationForm()
    code = 400
    if form.validate_on_submit():
        _current, code = _save(form, store.set_portal_active, form.active.data == "1", form.confirm.data,
                               counter="switch_version")
        if code is None:
            on = store.settings_row().portal_active
            flash(_("The portal is on: buyers can use it.") if on else _("The portal is off."), "success")
            return redirect(url_for(".index"))
    settings = store.settings_row()
    return render_template("merchant_admin/index.html", settings=settings, checklist=store.checklist(),
                           form=form), code


def _settings_form(settings) -> SettingsForm:
    form = SettingsForm(obj=settings) if request.method == "GET" else SettingsForm()
    form.default_locale.choices = language_choices()
    return form


@bp.route("/settings", methods=["GET", "POST"])
def settings_page():
    """Edit the store's name, support e-mail, time zone, holiday region, language and old portal address."""
    form = _settings_form(store.settings_row())
    current, code = None, 200
    if form.validate_on_submit():
        current, code = _save(form, store.save_store_settings, form.data, fields=store.STORE_FIELDS)
        if code is None:
            flash(_("Store settings saved."), "success")
            return redirect(url_for(".settings_page"))
    elif request.method == "POST":
        code = 422
    return render_template("merchant_admin/settings.html", form=form, current=current,
                           timezones=sorted(store.timezones()), regions=store.holiday_regions()), code


def contrast_report(primary: str, accent: str) -> list[dict]:
    """Rate the text buyers see on the main and the accent colour (black or white, as theme.css picks it)."""
    report = []
    for key, label, colour in (("primary", _("Main colour"), primary), ("accent", _("Accent colour"), accent)):
        colour = normalise_hex(colour)
        if colour:
            text = readable_on(colour)
            ratio = contrast_ratio(colour, text)
            report.append({"key": key, "label": label, "colour": colour, "text": text,
                           "ok": ratio >= AA_NORMAL_TEXT, "ratio": format_decimal(ratio, format="0.00")})
    return report


def theme_preview(primary: str, accent: str) -> dict:
    """Return the colours buyers' pages would use, as theme.css computes them, for the preview."""
    primary = normalise_hex(primary) or store.settings_row().primary_color
    accent = normalise_hex(accent) or store.settings_row().accent_color
    return {"primary": primary, "on_primary": readable_on(primary), "primary_text": text_on_white(primary),
            "accent": accent, "on_accent": readable_on(accent)}


@bp.route("/colours", methods=["GET", "POST"])
def colours():
    """Pick the main and accent colours with a live preview and a contrast warning."""
    settings = store.settings_row()
    form = ColoursForm(obj=settings) if request.method == "GET" else ColoursForm()
    if request.method == "GET":
        form.version.data = settings.colours_version
    current, code = None, 200
    if form.validate_on_submit():
        current, code = _save(form, store.save_colours, form.primary_color.data, form.accent_color.data,
                              fields=store.COLOUR_FIELDS, counter="colours_version")
        if code is None:
            flash(_("Colours saved."), "success")
            return redirect(url_for(".colours"))
    elif request.method == "POST":
        code = 422
    primary, accent = form.primary_color.data, form.accent_color.data
    return render_template("merchant_admin/colours.html", form=form, current=current,
                           report=contrast_report(primary, accent), theme=theme_preview(primary, accent),
                           decimal_sign=get_decimal_symbol(get_locale())), code


@bp.route("/colours/reset", methods=["POST"])
def reset_colours():
    """Put back the default colours, unless someone saved colours since the page was rendered."""
    form = VersionedForm()
    code = 400
    if form.validate_on_submit():
        _current, code = _save(form, store.reset_colours, fields=store.COLOUR_FIELDS, counter="colours_version")
        if code is None:
            flash(_("Colours reset to the defaults."), "success")
            return redirect(url_for(".colours"))
    settings = store.settings_row()
    page = ColoursForm(formdata=None, obj=settings)
    page.version.data = settings.colours_version
    page.form_errors.append(_("The colours changed meanwhile or the form expired; nothing was reset."))
    return render_template("merchant_admin/colours.html", form=page, current=None,
                           report=contrast_report(settings.primary_color, settings.accent_color),
                           theme=theme_preview(settings.primary_color, settings.accent_color),
                           decimal_sign=get_decimal_symbol(get_locale())), code

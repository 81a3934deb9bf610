"""Merchant area: text modules per channel (create, edit, order, retire) with a filled-in preview."""
from functools import lru_cache

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ... import access
from ...core.errors import DomainError
from ...core.templating import store_settings
from ...extensions import db
from ...models import PLACEHOLDERS, Channel, TextModule
from ...tickets import lifecycle as tickets
from ...tickets import text_modules as module_admin
from ..auth.views import language_name
from ..forms import EmptyForm
from ..staff.context import FilledModule, mark_missing
from . import bp
from .common import attach_error

STORE_WIDE = "all"


class TextModuleForm(FlaskForm):
    channel = SelectField(_l("Channel"), validate_choice=True)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=5000)])


@lru_cache(maxsize=8)
def _form_class(locales: tuple[str, ...]) -> type[TextModuleForm]:
    """The form with an optional title and text for each of these languages, built once per set of languages."""
    fields = {}
    for code in locales:
        fields[f"title_{code}"] = StringField(_l("Title"), validators=[Optional(), Length(max=120)])
        fields[f"body_{code}"] = TextAreaField(_l("Text"), validators=[Optional(), Length(max=5000)])
    return type("TextModuleLanguagesForm", (TextModuleForm,), fields)


def other_languages() -> tuple[str, ...]:
    """The languages a module can have its own text in: all but the store's default, which its main text is."""
    default = store_settings().default_locale
    return tuple(code for code in current_app.config["LANGUAGES"] if code != default)


def _channels() -> list[Channel]:
    return list(db.session.scalars(db.select(Channel).order_by(Channel.name)))


def _form(channels, **defaults) -> TextModuleForm:
    form_class = _form_class(other_languages())
    form = form_class(**defaults) if request.method == "GET" else form_class()
    form.channel.choices = [(STORE_WIDE, _("All channels"))] + [(str(c.id), c.name) for c in channels]
    return form


def _channel_id(value: str) -> int | None:
    return None if value == STORE_WIDE else int(value)


def _preview(form) -> FilledModule | None:
    """Fill the placeholders from the channel's latest order, when there is one."""
    if not form.body.data or form.channel.data not in [value for value, _label in form.channel.choices]:
        return None
    sample = module_admin.sample_ticket(_channel_id(form.channel.data))
    if sample is None:
        return FilledModule(0, form.title.data or "", form.body.data, (), False)
    text, missing = tickets.fill_placeholders(form.body.data, sample)
    return FilledModule(0, form.title.data or "", mark_missing(text, missing), tuple(missing), False)


@bp.route("/text-modules")
def text_modules():
    """List the text modules, all or one channel's, in the order agents see them."""
    chosen = request.args.get("channel", "")
    channel_id = int(chosen) if chosen.isdigit() else None
    modules = list(db.session.scalars(module_admin.modules_query(channel_id, chosen == STORE_WIDE)))
    return render_template("merchant_admin/text_modules/list.html", modules=modules, channels=_channels(),
                           chosen=chosen, form=EmptyForm())


def _save(module: TextModule | None):
    """Create or edit a module; the Preview button re-renders with the placeholders filled instead."""
    channels = _channels()
    defaults = {"channel": str(module.channel_id) if module and module.channel_id else
                request.args.get("channel", STORE_WIDE)}
    locales = other_languages()
    if module:
        defaults.update(title=module.title, body=module.body)
        for code, text in (module.texts or {}).items():
            defaults.update({f"title_{code}": text.get("title"), f"body_{code}": text.get("body")})
    form = _form(channels, **defaults)
    previewing = "preview" in request.form
    if not previewing and form.validate_on_submit():
        texts = {code: (form[f"title_{code}"].data, form[f"body_{code}"].data) for code in locales}
        if module:  # keep the texts of a language no longer offered here (the store's default changed)
            texts = {code: (text.get("title"), text.get("body")) for code, text in (module.texts or {}).items()
                     if code not in locales and code in current_app.config["LANGUAGES"]} | texts
        args = (_channel_id(form.channel.data), form.title.data, form.body.data, texts)
        try:
            module = (module_admin.update_module(current_user, module, *args) if module
                      else module_admin.create_module(current_user, *args))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Text module “%(title)s” saved.", title=module.title), "success")
            return redirect(url_for(".text_modules", channel=module.channel_id or STORE_WIDE))
    code = 422 if request.method == "POST" and not previewing else 200
    return render_template("merchant_admin/text_modules/form.html", form=form, module=module,
                           preview=_preview(form) if previewing else None, placeholders=PLACEHOLDERS,
                           locales=[(code, language_name(code)) for code in locales],
                           state_form=EmptyForm()), code


@bp.route("/text-modules/new", methods=["GET", "POST"])
def new_text_module():
    return _save(None)


@bp.route("/text-modules/<int:module_id>", methods=["GET", "POST"])
def edit_text_module(module_id: int):
    return _save(access.get_text_module_or_404(module_id))


@bp.route("/text-modules/<int:module_id>/move", methods=["POST"])
def move_text_module(module_id: int):
    """Move a module one place up or down in its channel's list."""
    module = access.get_text_module_or_404(module_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if not EmptyForm().validate_on_submit() or step is None:
        abort(400)
    module_admin.move_module(current_user, module, step)
    db.session.commit()
    return redirect(url_for(".text_modules", channel=request.form.get("back") or None))


@bp.route("/text-modules/<int:module_id>/retire", methods=["POST"])
def retire_text_module(module_id: int):
    """Retire a module, or bring a retired one back."""
    module = access.get_text_module_or_404(module_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    retire = request.form.get("retired") != "0"
    module_admin.set_retired(current_user, module, retire)
    db.session.commit()
    flash(_("“%(title)s” retired.", title=module.title) if retire else
          _("“%(title)s” is offered again.", title=module.title), "success")
    return redirect(url_for(".text_modules", channel=request.form.get("back") or None))

"""Merchant area: the reasons a shopper picks when opening a ticket (add, rename, about delivery, order, retire)."""
from functools import lru_cache

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ... import access
from ...core.errors import DomainError
from ...extensions import db
from ...tickets import reasons as ticket_reasons
from ..auth.views import language_name
from ..forms import EmptyForm
from . import bp
from .common import attach_error
from .text_modules import other_languages


class ReasonForm(FlaskForm):
    label = StringField(_l("Reason"), validators=[DataRequired(), Length(max=ticket_reasons.MAX_LABEL)])


@lru_cache(maxsize=8)
def _edit_form_class(locales: tuple[str, ...]) -> type[ReasonForm]:
    """The rename form with an optional label for each of these languages, built once per set of languages."""
    fields = {f"label_{code}": StringField(_l("Reason"), validators=[Optional(), Length(max=ticket_reasons.MAX_LABEL)])
              for code in locales}
    fields["about_delivery"] = BooleanField(_l("About delivery: show where the order is before the ticket form"))
    return type("ReasonLanguagesForm", (ReasonForm,), fields)


def _page(new_form: ReasonForm, editing=None, edit_form: ReasonForm | None = None, status: int = 200):
    reasons = list(db.session.scalars(ticket_reasons.reasons_query()))
    locales = [(code, language_name(code)) for code in other_languages()] if editing else []
    return render_template("merchant_admin/reasons.html", reasons=reasons, form=new_form, editing=editing,
                           edit_form=edit_form, state_form=EmptyForm(), locales=locales), status


@bp.route("/ticket-reasons", methods=["GET", "POST"])
def ticket_reasons_page():
    """List the reasons in the order shoppers see them; the form at the top adds one."""
    form = ReasonForm()
    if request.method == "GET":
        return _page(form)
    if form.validate_on_submit():
        try:
            reason = ticket_reasons.create_reason(current_user, form.label.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        except IntegrityError:
            # Another admin added the same reason at the same moment.
            db.session.rollback()
            form.label.errors = [*form.label.errors, _("There is already a reason with this text.")]
            return _page(form, status=409)
        else:
            flash(_("Reason “%(label)s” added.", label=reason.label), "success")
            return redirect(url_for(".ticket_reasons_page"))
    return _page(form, status=422)


@bp.route("/ticket-reasons/<int:reason_id>", methods=["GET", "POST"])
def edit_ticket_reason(reason_id: int):
    """Rename a reason, give it its label in other languages, and say whether it asks where the order is."""
    reason = access.get_ticket_reason_or_404(reason_id)
    locales = other_languages()
    form_class = _edit_form_class(locales)
    defaults = {"label": reason.label, "about_delivery": reason.about_delivery,
                **{f"label_{code}": text for code, text in (reason.labels or {}).items()}}
    form = form_class(**defaults) if request.method == "GET" else form_class()
    for code in locales:
        form[f"label_{code}"].label.text = language_name(code)
    if request.method == "POST" and form.validate_on_submit():
        try:
            ticket_reasons.rename_reason(current_user, reason, form.label.data)
            labels = {code: text for code, text in (reason.labels or {}).items()
                      if code not in locales and code in current_app.config["LANGUAGES"]}
            labels |= {code: form[f"label_{code}"].data for code in locales}
            ticket_reasons.set_labels(current_user, reason, labels, current_app.config["LANGUAGES"])
            ticket_reasons.set_about_delivery(current_user, reason, form.about_delivery.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Reason saved."), "success")
            return redirect(url_for(".ticket_reasons_page"))
    return _page(ReasonForm(formdata=None), reason, form, 422 if request.method == "POST" else 200)


@bp.route("/ticket-reasons/<int:reason_id>/move", methods=["POST"])
def move_ticket_reason(reason_id: int):
    """Move a reason one place up or down."""
    reason = access.get_ticket_reason_or_404(reason_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if not EmptyForm().validate_on_submit() or step is None:
        abort(400)
    ticket_reasons.move_reason(current_user, reason, step)
    db.session.commit()
    return redirect(url_for(".ticket_reasons_page"))


@bp.route("/ticket-reasons/<int:reason_id>/active", methods=["POST"])
def toggle_ticket_reason(reason_id: int):
    """Retire a reason, or offer a retired one again."""
    reason = access.get_ticket_reason_or_404(reason_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        ticket_reasons.set_reason_active(current_user, reason, request.form.get("active") == "1")
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
    return redirect(url_for(".ticket_reasons_page"))

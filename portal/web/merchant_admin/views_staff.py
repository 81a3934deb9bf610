"""Merchant area: staff users and roles, and the back office's API tokens."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...accounts import staff
from ...core import outbox
from ...core.errors import DomainError
from ...extensions import db
from ..forms import EmptyForm
from . import bp
from .common import attach_error
from .forms import STAFF_ROLE_CHOICES, RoleForm, StaffForm, TokenForm
from .mail import invitation_mail


def _staff_page(form, code=200):
    users = list(db.session.scalars(staff.staff_query()))
    return render_template("merchant_admin/staff.html", form=form, users=users, role_choices=STAFF_ROLE_CHOICES,
                           button_form=EmptyForm()), code


@bp.route("/staff", methods=["GET", "POST"])
def staff_users():
    """List staff users and create or invite one."""
    form = StaffForm()
    if not form.validate_on_submit():
        return _staff_page(form, 422 if request.method == "POST" else 200)
    hours = current_app.config["LOGIN_LINK_HOURS"]
    try:
        user, raw = staff.add_staff(current_user, form.email.data, form.name.data, form.role.data,
                                    form.password.data, hours)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _staff_page(form, 422)
    if raw:
        outbox.queue_email(**invitation_mail(user, raw, hours))
    db.session.commit()
    if raw:
        flash(_("%(email)s was invited by e-mail.", email=user.email), "success")
    else:
        flash(_("%(email)s can sign in now.", email=user.email), "success")
    return redirect(url_for(".staff_users"))


def _apply(user_id: int, form, verb, values):
    """Load the staff user, run one verb on them and report the outcome as a flash message."""
    user = access.get_staff_user_or_404(user_id)
    if not form.validate_on_submit():
        flash(_("The form expired or was incomplete. Please try again."), "error")
        return redirect(url_for(".staff_users"))
    try:
        verb(current_user, user, *values(form))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".staff_users"))
    db.session.commit()
    flash(_("%(email)s updated.", email=user.email), "success")
    return redirect(url_for(".staff_users"))


@bp.route("/staff/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    return _apply(user_id, RoleForm(), staff.change_role, lambda form: (form.role.data,))


@bp.route("/staff/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    """Deactivate (ending the user's sessions at once) or reactivate a staff user."""
    active = request.form.get("active") == "1"
    return _apply(user_id, EmptyForm(), staff.set_active, lambda form: (active,))


@bp.route("/staff/<int:user_id>/approve-prices", methods=["POST"])
def set_approve_prices(user_id: int):
    """Grant or withdraw the "aprovar preços" permission (audited)."""
    allowed = request.form.get("can_approve_prices") == "1"
    return _apply(user_id, EmptyForm(), staff.set_can_approve_prices, lambda form: (allowed,))


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """List the API tokens, create one (its secret is shown once, on this response only)."""
    form = TokenForm()
    raw, code = None, 200
    if form.validate_on_submit():
        try:
            _token, raw = staff.create_token(current_user, form.name.data)
        except DomainError as error:
            attach_error(form, error)
            code = 422
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    elif request.method == "POST":
        code = 422
    response = render_template("merchant_admin/tokens.html", form=form, tokens=staff.tokens(), raw=raw,
                               button_form=EmptyForm())
    return response, code, {"Cache-Control": "no-store"}


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    token = access.get_api_token_or_404(token_id)
    if EmptyForm().validate_on_submit():
        staff.revoke_token(current_user, token)
        db.session.commit()
        flash(_("Token %(name)s revoked.", name=token.name), "success")
    else:
        flash(_("The form expired. Please try again."), "error")
    return redirect(url_for(".tokens"))

""""Minha conta": the shopper's own e-mail address and password, never changed by an operator serving them."""
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ...accounts import credentials
from ...accounts.users import MIN_PASSWORD
from ...core import outbox
from ...core.error_pages import error_response
from ...core.errors import DomainError
from ...core.templating import store_settings
from ...extensions import db, limiter
from ...models import hash_token
from ..forms import EmptyForm
from ..ticket_forms import csrf_failed
from . import bp
from .serving import operator as acting_operator
from .tickets import attach_error

CREDENTIAL_ENDPOINTS = frozenset({"customer.change_email", "customer.confirm_email", "customer.change_password"})


class EmailChangeForm(FlaskForm):
    new_email = EmailField(_l("New e-mail address"), validators=[DataRequired(), Length(max=254)],
                           render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"})
    password = PasswordField(_l("Current password"), validators=[Optional(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[Optional(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                                 render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD})
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})


def _user_key() -> str:
    """Limit tries per account, as the login limits them, whichever address they come from."""
    return f"account-credentials:{getattr(current_user, 'id', '')}"


@bp.before_request
def refuse_credentials_while_acting():
    """An operator serving a customer never changes their e-mail address or password: 403, nothing written."""
    if request.endpoint not in CREDENTIAL_ENDPOINTS:
        return None
    if acting_operator() is not None:
        return error_response(403, "acting", _("You cannot change a password or an e-mail address while serving "
                                               "a customer."))
    if current_user.is_authenticated and current_user.role.is_staff:
        return error_response(403)
    return None


def _status(form, error: DomainError | None) -> int:
    if error is not None:
        return error.status_code
    return (400 if csrf_failed(form) else 422) if form.is_submitted() else 200


def _mail(kind: str, to: str, key: str, **context) -> None:
    """Queue one of the e-mail-change messages in the customer's language."""
    user = g.customer
    locale = user.locale or store_settings().default_locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context = {"kind": kind, "user": user, "store_name": store_settings().store_name, **context}
    with force_locale(locale):
        subject = {"confirm": _("Confirm your new e-mail address"),
                   "asked": _("A change of your e-mail address was asked"),
                   "done": _("Your e-mail address was changed")}[kind]
        text = render_template("email/email_change.txt", subject=subject, **context)
        html = render_template("email/email_change.html", subject=subject, **context)
    outbox.queue_email(key=f"email-change:{kind}:{key}", to=to, subject=f"{subject} - {context['store_name']}",
                       text=text, html=html)


@bp.route("/account/email", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], key_func=_user_key, methods=["POST"])
def change_email():
    """Ask for a new e-mail address: a link goes to it, a notice to the current one; nothing changes yet."""
    user = g.customer
    form = EmailChangeForm()
    error = None
    if form.validate_on_submit():
        try:
            change, raw = credentials.request_email_change(user, form.new_email.data, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            error = exc
        else:
            key = hash_token(raw)[:32]
            hours = credentials.EMAIL_CHANGE_HOURS
            _mail("confirm", change.new_email, key, new_email=change.new_email, hours=hours,
                  link=url_for(".confirm_email", token=raw, _external=True))
            _mail("asked", user.email, key, new_email=change.new_email, hours=hours)
            db.session.commit()
            return render_template("customer/email_sent.html", new_email=change.new_email, hours=hours), 200
    return render_template("customer/email_form.html", form=form, user=user), _status(form, error)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Open the link sent to the new address: confirm to take it (a GET alone, as a mail scanner makes, does not)."""
    user = g.customer
    change = credentials.find_email_change(token, user)
    if change is None:
        return render_template("customer/email_link_invalid.html"), 404
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("customer/email_confirm.html", form=form, change=change), (
            400 if request.method == "POST" else 200)
    try:
        old = credentials.confirm_email_change(token, user)
    except DomainError as exc:
        db.session.rollback()
        return render_template("customer/email_link_invalid.html", message=exc.message), exc.status_code
    _mail("done", old, hash_token(token)[:32], new_email=user.email)
    db.session.commit()
    flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    return redirect(url_for(".account"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], key_func=_user_key, methods=["POST"])
def change_password():
    """Change the password (the current one is needed); every other session of the account ends."""
    user = g.customer
    form = PasswordChangeForm()
    error = None
    if form.validate_on_submit():
        try:
            credentials.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            error = exc
        else:
            db.session.commit()
            # This session carries the new session token (the others no longer match); g.customer is a proxy.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed. Other devices were signed out."), "success")
            return redirect(url_for(".account"), 303)
    return render_template("customer/password_form.html", form=form, user=user), _status(form, error)

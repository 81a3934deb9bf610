"""Views of the auth blueprint: sign-in, sign-out, first access, password reset, language."""
from functools import cache, lru_cache
from urllib.parse import urlsplit

from babel import Locale
from flask import current_app, flash, has_request_context, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from ...accounts import audit
from ...accounts import users as accounts
from ...core import outbox
from ...core.error_pages import error_response
from ...core.errors import NotFound, ValidationError
from ...core.templating import store_settings
from ...extensions import db, limiter
from ...models import LoginLinkPurpose, User, hash_token
from .. import acting
from ..forms import LanguageForm
from . import bp, throttle
from .forms import ForgotForm, LoginForm, SetPasswordForm


def safe_next(target) -> str | None:
    """Return the target if it is a path inside the portal, else None."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if target.startswith("//") or "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a real password")


CREDENTIAL_ENDPOINTS = {"auth.forgot", "auth.set_password"}


def _home():
    """Where a signed-in user starts: staff on the ticket queue, shoppers on their orders."""
    if current_user.is_authenticated and current_user.role.is_staff:
        return url_for("staff.queue")
    return url_for("customer.orders")


@bp.app_context_processor
def inject_locale():
    """Give every template the page language, the footer's language choices and the header's state.

    The footer's selector is plain markup over these values (its POST is checked by LanguageForm), and the
    header's state is worked out once here rather than by a dozen proxy look-ups in the layout.
    """
    locale = str(get_locale())
    here = request.full_path.rstrip("?") if has_request_context() else "/"
    return {"html_lang": locale.replace("_", "-"), "page_locale": locale, "languages": language_choices(),
            "here": here, "nav": _nav_state}


def _nav_state() -> dict:
    """Which section of the header is the current page's, and what the signed-in user may see."""
    endpoint = request.endpoint or ""
    user = current_user._get_current_object()
    staff = bool(user.is_authenticated and user.role.is_staff)
    section = ""
    if endpoint.startswith("customer."):
        if "ticket" in endpoint:
            section = "tickets"
        elif endpoint == "customer.order_address":
            section = "orders"
        elif "account" in endpoint or "address" in endpoint or endpoint.endswith(("_email", "_password")):
            section = "account"
        else:
            section = "orders"
    elif request.blueprint == "staff":
        section = "staff"
    elif request.blueprint == "merchant_admin":
        section = "merchant"
    return {"section": section, "user": user, "staff": staff, "role": user.role.value if staff else "customer"}


def language_name(code: str) -> str:
    """A language's name in itself ("Čeština"), as the picker shows it."""
    return dict(_language_names(tuple(current_app.config["LANGUAGES"]))).get(code, code)


def language_choices() -> list[tuple[str, str]]:
    return list(_language_names(tuple(current_app.config["LANGUAGES"])))


@lru_cache(maxsize=8)
def _language_names(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each language's name in itself ("Português (Brasil)", "English"), worked out once per process."""
    names = []
    for code in codes:
        name = Locale.parse(code).get_display_name(code) or code
        names.append((code, name[:1].upper() + name[1:]))
    return tuple(names)


def account_key() -> str:
    """Key the reset limit on the e-mail asked for, so that one mailbox is not flooded from many addresses."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return "account:" + email


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"], exempt_when=throttle.known_browser)
def login():
    """Sign a user in with e-mail and password; the per-account limits are in throttle.py."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or _home())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        attempt = throttle.attempt(form.email.data, user)
        refused = throttle.refusal(attempt)
        if refused is not None:
            return refused
        if user is None or not user.active or not user.password_hash:
            check_password_hash(_dummy_hash(), form.password.data)
        elif user.check_password(form.password.data):
            login_user(user)
            response = redirect(target or _home())
            throttle.trust_device(response, user)
            return response
        throttle.record_failure(attempt)
        failed = True
    return render_template("auth/login.html", form=form, failed=failed, next=target)


@bp.route("/logout", methods=["POST"])
def logout():
    """End every session of the user, this one included (CSRFProtect has checked the token)."""
    if current_user.is_authenticated:
        end_acting()
        current_user.end_sessions()
        db.session.commit()
        logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def end_acting() -> None:
    """Signing out ends serving a customer; the customer's own sessions are left alone."""
    served = db.session.get(User, acting.end() or 0)
    if served is not None:
        audit.record(current_user, "acting.end", f"user:{served.id}", on_behalf_of=served)


@bp.before_request
def refuse_credentials_while_acting():
    """Serving a customer never grants their e-mail or password: the routes that set one answer 403."""
    if request.endpoint in CREDENTIAL_ENDPOINTS and acting.KEY in session:
        return error_response(403, "acting", _("You cannot change a password or an e-mail address while serving "
                                               "a customer."))
    return None


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET_ACCOUNT"], key_func=account_key, methods=["POST"])
def forgot():
    """Send a link to set a password, for a first access or a forgotten password."""
    form = ForgotForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form)
    user = accounts.find_user(form.email.data)
    if user is not None and user.active:
        purpose = LoginLinkPurpose.reset if user.password_hash else LoginLinkPurpose.first_access
        raw = accounts.issue_login_link(user, purpose, hours=current_app.config["LOGIN_LINK_HOURS"])
        outbox.queue_email(**_login_link_mail(user, raw, purpose))
    db.session.commit()
    return render_template("auth/forgot_sent.html")


def _login_link_mail(user, raw: str, purpose: LoginLinkPurpose) -> dict:
    """Render the login-link e-mail in the user's language."""
    locale = user.locale or store_settings().default_locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context = {
        "user": user,
        "purpose": purpose.value,
        "link": url_for("auth.set_password", token=raw, _external=True),
        "hours": current_app.config["LOGIN_LINK_HOURS"],
        "store_name": store_settings().store_name,
    }
    with force_locale(locale):
        subject = (_("Create your password") if purpose is LoginLinkPurpose.first_access
                   else _("Reset your password"))
        text = render_template("email/login_link.txt", subject=subject, **context)
        html = render_template("email/login_link.html", subject=subject, **context)
    return {"to": user.email, "subject": f"{subject} - {context['store_name']}", "text": text, "html": html,
            "key": "login-link:" + hash_token(raw)[:32]}


@bp.route("/access/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Let the holder of a valid login link choose a password and sign in."""
    if accounts.find_login_link(token) is None:
        return render_template("auth/link_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.use_login_link(token, form.password.data)
        except NotFound:
            return render_template("auth/link_invalid.html"), 404
        except ValidationError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your password is set. Welcome!"), "success")
            # The link proved the mailbox: this browser is known to the account from now on.
            response = redirect(safe_next(request.args.get("next")) or _home())
            throttle.trust_device(response, user)
            return response
    return render_template("auth/set_password.html", form=form)


@bp.route("/language", methods=["POST"])
def language():
    """Remember the language chosen in the header: on the account when signed in, else for this visit."""
    form = LanguageForm()
    form.lang.choices = language_choices()
    target = safe_next(form.next.data) or _home()
    if not form.validate_on_submit():
        return error_response(400, "bad_language", _("This language is not available."))
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        accounts.save_language(current_user, form.lang.data)
        db.session.commit()
    refresh()
    return redirect(target, 303)

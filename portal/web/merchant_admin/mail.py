"""The invitation e-mail sent to new staff users."""
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ...core.templating import store_settings
from ...models import hash_token


def invitation_mail(user, raw: str, hours: int) -> dict:
    """Render the invitation in the store's language, with a single-use link to choose a password."""
    settings = store_settings()
    locale = user.locale or settings.default_locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context = {"user": user, "link": url_for("auth.set_password", token=raw, _external=True), "hours": hours,
               "store_name": settings.store_name, "role": user.role}
    with force_locale(locale):
        subject = _("You are invited to the %(store)s team", store=settings.store_name)
        text = render_template("merchant_admin/email/invitation.txt", subject=subject, **context)
        html = render_template("merchant_admin/email/invitation.html", subject=subject, **context)
    return {"to": user.email, "subject": subject, "text": text, "html": html,
            "key": "staff-invite:" + hash_token(raw)[:32]}

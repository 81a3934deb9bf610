"""The portal's on/off switch, applied to buyers on every buyer-facing page."""
from flask import Flask, redirect, render_template, request
from flask_login import current_user

from ... import access
from ...core.templating import store_settings

# The blueprints buyers use; the staff and merchant areas and the API are never switched off.
BUYER_BLUEPRINTS = frozenset({"customer", "auth"})
# Pages that must keep working while the portal is off: the theme, and signing in and out (staff use them).
ALWAYS_OPEN = frozenset({"customer.theme_css", "auth.login", "auth.logout", "auth.forgot", "auth.set_password",
                         "auth.language"})


def portal_off_response():
    """Send a buyer to the old customer area, or explain that the portal is off when there is none."""
    old_url = store_settings().old_portal_url
    if old_url:
        return redirect(old_url, code=303 if request.method == "POST" else 302)
    return render_template("merchant_admin/portal_off.html"), 503, {"Retry-After": "3600"}


def register_portal_switch(app: Flask) -> None:
    """Turn buyers away from the portal while the merchant has it switched off."""

    @app.before_request
    def portal_switch():
        if request.blueprint not in BUYER_BLUEPRINTS or request.endpoint in ALWAYS_OPEN:
            return None
        if store_settings().portal_active or not access.is_buyer(current_user):
            return None
        return portal_off_response()

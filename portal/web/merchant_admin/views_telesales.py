"""Merchant area: telesales settings (the back office told about portal orders, manual prices, cart links)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.errors import DomainError
from ...extensions import db
from ...models import StoreSettings
from ...telesales import backoffice, pricing
from . import bp
from .common import attach_error
from .forms import TelesalesSettingsForm


@bp.route("/telesales", methods=["GET", "POST"])
def telesales_settings():
    """Show and save the telesales settings; the secret is write-only on the page."""
    settings = StoreSettings.get()
    form = TelesalesSettingsForm()
    if request.method == "GET":
        form.backoffice_url.data = settings.backoffice_url
        form.manual_price_ceiling.data = f"{settings.manual_price_ceiling_cents / 100:.2f}".replace(".", ",")
        form.cart_link_days.data = settings.cart_link_days
    elif form.validate_on_submit():
        secret = form.backoffice_secret.data or settings.backoffice_secret
        try:
            ceiling = pricing.parse_cents(form.manual_price_ceiling.data, field="manual_price_ceiling")
            backoffice.save_settings(current_user, form.backoffice_url.data, secret, ceiling,
                                     form.cart_link_days.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Telesales settings saved."), "success")
            return redirect(url_for(".telesales_settings"))
    code = 422 if request.method == "POST" else 200
    return render_template("merchant_admin/telesales.html", form=form,
                           secret_set=bool(settings.backoffice_secret)), code

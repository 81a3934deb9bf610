"""Order-update e-mails: the one-click unsubscribe of their List-Unsubscribe link, and the account's switch.

The link carries a signed token naming the customer (orders.mail.token_for) and needs no sign-in. A POST to
it with `List-Unsubscribe=One-Click` (RFC 8058, sent by the mail client) unsubscribes at once and is the
one route exempt from CSRF: it carries its own secret and can do nothing but turn order mail off. A GET
only shows a page whose button is a CSRF-protected form, since link scanners open every link they see.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...core.error_pages import error_response
from ...core.errors import DomainError
from ...extensions import csrf, db
from ...orders import mail as order_mail
from ..forms import EmptyForm
from ..ticket_forms import csrf_failed
from . import bp
from .account import _owner

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _customer_or_error(token: str):
    try:
        return order_mail.customer_from_token(token), None
    except DomainError as error:
        response, status = error_response(error.status_code, error.code, str(error.message))
        return None, (response, status, HEADERS)


def _done_page():
    return render_template("customer/unsubscribed.html"), 200, HEADERS


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET: ask, with a button; POST with List-Unsubscribe=One-Click: unsubscribe at once (RFC 8058)."""
    customer, failed = _customer_or_error(token)
    if failed:
        return failed
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != "One-Click":
            return error_response(400, "bad_request", _("This request does not unsubscribe anything."))
        order_mail.set_order_mail(customer, on=False)
        db.session.commit()
        return _done_page()
    return render_template("customer/unsubscribe.html", form=EmptyForm(), token=token,
                           already=customer.order_mail_off), 200, HEADERS


@bp.route("/unsubscribe/<token>/confirm", methods=["POST"])
def unsubscribe_confirm(token: str):
    """Unsubscribe from the page's button (a CSRF-protected form)."""
    customer, failed = _customer_or_error(token)
    if failed:
        return failed
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("customer/unsubscribe.html", form=form, token=token, already=False,
                               expired=True), 400 if csrf_failed(form) else 422, HEADERS
    order_mail.set_order_mail(customer, on=False)
    db.session.commit()
    return _done_page()


@bp.route("/account/order-mail", methods=["POST"])
def order_mail_setting():
    """Turn the shopper's order-update e-mails on or off from "Minha conta"."""
    customer = _owner()
    form = EmptyForm()
    if form.validate_on_submit():
        on = request.form.get("on") == "1"
        order_mail.set_order_mail(customer, on=on)
        db.session.commit()
        flash(_("Order e-mails are on.") if on else _("Order e-mails are off."), "success")
    else:
        flash(_("The form expired. Please try again."), "error")
    return redirect(url_for(".account"), 303)

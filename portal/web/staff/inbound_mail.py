"""Undelivered mail ("Não entregues"): e-mail to the reply address that was kept aside, to read and discard."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...core.errors import DomainError
from ...extensions import db
from ...tickets import kept_mail
from ..forms import EmptyForm
from . import bp

PER_PAGE = 25
MAX_PAGE = 10_000


@bp.route("/inbound-mail")
def inbound_mail():
    """List the e-mails kept aside, newest first, each with the reason in words."""
    if not access.can_handle_inbound_mail(current_user):
        abort(404)
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 5 else 0
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    pagination = db.paginate(kept_mail.kept_query(), page=page, per_page=PER_PAGE, error_out=False)
    return render_template("staff/inbound_mail.html", pagination=pagination)


@bp.route("/inbound-mail/<int:mail_id>")
def inbound_mail_detail(mail_id: int):
    """Show one received e-mail: its reason, its headers and its plain text."""
    mail = access.get_inbound_mail_or_404(mail_id, current_user)
    return render_template("staff/inbound_mail_detail.html", mail=mail, form=EmptyForm())


@bp.route("/inbound-mail/<int:mail_id>/discard", methods=["POST"])
def discard_inbound_mail(mail_id: int):
    """Take a kept e-mail off the list once staff have dealt with it."""
    mail = access.get_inbound_mail_or_404(mail_id, current_user)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".inbound_mail_detail", mail_id=mail.id)), 303
    try:
        kept_mail.discard(mail, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".inbound_mail_detail", mail_id=mail_id)), 303
    db.session.commit()
    flash(_("The e-mail was discarded."), "success")
    return redirect(url_for(".inbound_mail")), 303

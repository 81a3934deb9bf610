"""Merchant area: trusted tracking hosts and the classification test box."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...core.errors import DomainError
from ...extensions import db
from ...models import TrustedHost
from ...orders import trusted_hosts
from ...orders.trusted_hosts import explain
from ..forms import EmptyForm
from . import bp
from .common import attach_error
from .forms import HostForm, TestLinkForm


def _hosts() -> list[TrustedHost]:
    return list(db.session.scalars(db.select(TrustedHost).order_by(TrustedHost.host)))


@bp.route("/hosts", methods=["GET", "POST"])
def hosts():
    """List the trusted hosts, add one, and classify a shipping code or link in the test box."""
    form = HostForm()
    code = 200
    if form.validate_on_submit():
        try:
            trusted, reduced, other_port = trusted_hosts.add_host(current_user, form.host.data)
        except DomainError as error:
            attach_error(form, error)
            code = 422
        else:
            db.session.commit()
            if reduced:
                flash(_("You pasted a link: only its host, %(host)s, was added.", host=trusted.host), "warning")
            if other_port:
                flash(_("Links to %(host)s on another port than the standard one still open in a new tab, not "
                        "inside the portal.", host=trusted.host), "warning")
            flash(_("%(host)s is now trusted.", host=trusted.host), "success")
            return redirect(url_for(".hosts"))
    elif request.method == "POST":
        code = 422
    test = TestLinkForm(request.args)
    hosts = _hosts()
    result = None
    if test.value.data and test.validate():
        result = explain(test.value.data, [h.host for h in hosts])
    return render_template("merchant_admin/hosts.html", form=form, hosts=hosts, test=test, result=result,
                           remove_form=EmptyForm()), code


@bp.route("/hosts/<int:host_id>/delete", methods=["POST"])
def remove_host(host_id: int):
    trusted = access.get_trusted_host_or_404(host_id)
    if EmptyForm().validate_on_submit():
        host = trusted.host
        trusted_hosts.remove_host(current_user, trusted)
        db.session.commit()
        flash(_("%(host)s is no longer trusted.", host=host), "success")
    else:
        flash(_("The form expired. Please try again."), "error")
    return redirect(url_for(".hosts"))

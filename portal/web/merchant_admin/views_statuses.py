"""Merchant area: the status registry, the status rules and the example timeline."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import access
from ...core.errors import Conflict, DomainError
from ...extensions import db
from ...models import StatusType, TrustedHost
from ...orders import status_admin
from ...orders.timeline import build_timeline
from ...store import settings as store
from ..forms import EmptyForm
from . import bp
from .common import attach_error
from .forms import RulesForm, StatusEditForm, StatusForm


def _status_values(form: StatusForm) -> dict:
    return {"name": form.name.data, "type": StatusType(form.type.data) if form.type.data else None,
            "shown_to_customer": form.shown_to_customer.data, "after_shipping": form.after_shipping.data,
            "retired": form.retired.data}


@bp.route("/statuses")
def statuses():
    """List every status, or only the additional ones, with its type and how many orders hold it."""
    additional = request.args.get("filter") == "additional"
    return render_template("merchant_admin/statuses.html", statuses=status_admin.list_statuses(additional),
                           additional=additional, usage=status_admin.orders_per_status(), form=EmptyForm())


@bp.route("/statuses/new", methods=["GET", "POST"])
def new_status():
    form = StatusForm(shown_to_customer=True) if request.method == "GET" else StatusForm()
    if form.validate_on_submit():
        values = _status_values(form)
        try:
            status = status_admin.add_status(current_user, values["name"], values["type"],
                                             values["shown_to_customer"], values["after_shipping"])
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Status %(name)s created.", name=status.name), "success")
            return redirect(url_for(".statuses", filter="additional"))
    code = 422 if request.method == "POST" else 200
    return render_template("merchant_admin/status_form.html", form=form, status=None), code


@bp.route("/statuses/<int:status_id>", methods=["GET", "POST"])
def edit_status(status_id: int):
    """Rename, type, flag or retire a status."""
    status = access.get_status_or_404(status_id)
    form = StatusEditForm(obj=status, type=status.type.value if status.type else "")
    if request.method == "POST":
        form = StatusEditForm()
    code = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            status_admin.update_status(current_user, status, _status_values(form), form.version.data)
        except DomainError as error:
            db.session.rollback()
            code = _offer_current(form, error, "version", status.version)
        else:
            db.session.commit()
            flash(_("Status %(name)s saved.", name=status.name), "success")
            return redirect(url_for(".statuses"))
    return render_template("merchant_admin/status_form.html", form=form, status=status,
                           in_use=status_admin.is_in_use(status), delete_form=EmptyForm()), code


@bp.route("/statuses/<int:status_id>/delete", methods=["POST"])
def delete_status(status_id: int):
    """Delete an additional status that no order ever had."""
    status = access.get_status_or_404(status_id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".edit_status", status_id=status.id))
    try:
        name = status.name
        status_admin.delete_status(current_user, status)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".edit_status", status_id=status_id))
    db.session.commit()
    flash(_("Status %(name)s deleted.", name=name), "success")
    return redirect(url_for(".statuses"))


def _offer_current(form, error: DomainError, field: str, current: int) -> int:
    """Show the error; on a conflict keep the user's values and carry the current version for the next try."""
    attach_error(form, error)
    if not isinstance(error, Conflict):
        return 422
    form[field].raw_data = None
    form[field].data = current
    return 409


def _ticked() -> set[tuple[int, int]]:
    wanted = set()
    for value in request.form.getlist("rule"):
        left, _sep, right = value.partition("-")
        if left.isdigit() and right.isdigit():
            wanted.add((int(left), int(right)))
    return wanted


def _example(statuses):
    """Build the example timeline for the status chosen in the query string, if any."""
    chosen = next((s for s in statuses if str(s.id) == request.args.get("example")), None)
    if chosen is None:
        return None, False, []
    shipped = request.args.get("shipped") == "1"
    return chosen, shipped, build_timeline(status_admin.SampleOrder(chosen, shipped), TrustedHost.all_hosts())


@bp.route("/rules", methods=["GET", "POST"])
def rules():
    """Edit which status may follow which, warn about early deliveries, and show an example timeline."""
    statuses = [s for s in status_admin.list_statuses() if not s.retired]
    form = RulesForm(rules_version=store.settings_row().rules_version)
    code, pairs = (200 if request.method == "GET" else 400), None
    if form.validate_on_submit():
        try:
            status_admin.save_rules(current_user, statuses, _ticked(), form.rules_version.data)
        except DomainError as error:
            db.session.rollback()
            code, pairs = _offer_current(form, error, "rules_version", store.settings_row().rules_version), _ticked()
        else:
            db.session.commit()
            flash(_("Status rules saved and marked as reviewed."), "success")
            return redirect(url_for(".rules"))
    saved = status_admin.rule_pairs()
    chosen, shipped, steps = _example(statuses)
    return render_template("merchant_admin/rules.html", form=form, statuses=statuses, pairs=saved if pairs is None
                           else pairs, risky=status_admin.risky_rules(statuses, saved), is_risky=status_admin.risky,
                           unruled=status_admin.unruled(statuses, saved), chosen=chosen, shipped=shipped,
                           steps=steps), code

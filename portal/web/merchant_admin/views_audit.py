"""Merchant area: the audit log, filtered by user and date range, paginated."""
from flask import abort, render_template, request

from ...accounts import audit
from ...accounts.audit_actions import describe
from ...core.templating import store_settings
from ...extensions import db
from . import bp
from .forms import AuditFilterForm


@bp.app_template_filter("audit_action")
def audit_action(action: str) -> str:
    return describe(action)

PER_PAGE = 50
MAX_PAGE = 100_000


@bp.route("/audit")
def audit_log():
    """Show who changed what and when, newest first."""
    form = AuditFilterForm(request.args)
    users = audit.auditors()
    form.user.choices = [("", "—")] + [(str(u.id), u.email) for u in users]
    page = request.args.get("page", 1, type=int)
    if page is None or not 1 <= page <= MAX_PAGE:
        abort(404)
    valid = form.validate()
    user_id = int(form.user.data) if valid and str(form.user.data or "").isdigit() else None
    date_from = form.date_from.data if valid else None
    date_to = form.date_to.data if valid else None
    query = audit.entries_query(user_id, date_from, date_to, store_settings().timezone)
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("merchant_admin/audit.html", form=form, pagination=pagination, args=args,
                           valid=valid), 200 if valid else 422

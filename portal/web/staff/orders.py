"""The call centre's "Todos os pedidos": every order, filtered from the URL, exported as CSV, and each order's page."""
import csv
import functools
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ... import access
from ...core.templating import store_settings
from ...extensions import db
from ...models import AuditEntry, Ticket
from ...telesales import all_orders
from ...tickets.actions import cancelled_units
from . import bp
from .context import order_timeline

PER_PAGE = 25
ORDER_TICKET_CHANNEL = joinedload(Ticket.channel)
AUDIT_PEOPLE = (joinedload(AuditEntry.user), joinedload(AuditEntry.on_behalf_of))
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def telesales_only(view):
    """Let operators and admins through; agents (and anyone else) get 403."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not access.can_use_telesales(current_user):
            abort(403)
        return view(*args, **kwargs)
    wrapper.telesales_only = True  # the role x route table reads it
    return wrapper


@bp.route("/orders")
@telesales_only
def all_orders_page():
    """List every order of the store under the filters and sort the URL gives."""
    filters = all_orders.OrderFilters.from_args(request.args)
    page = all_orders.order_page(filters, PER_PAGE)
    statuses, channels = all_orders.filter_choices()
    status = 400 if filters.errors else 200
    return render_template("staff/all_orders.html", filters=filters, page=page, statuses=statuses,
                           channels=channels, settings=store_settings()), status


def safe_cell(value) -> str:
    """Return the value as CSV text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_line(cells) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def _csv_lines(filters, zone):
    yield "\ufeff" + _csv_line([_("Number"), _("Date"), _("Customer"), _("E-mail"), _("CPF/CNPJ"), _("Channel"),
                                _("Status"), _("Total"), _("Currency"), _("Placed by"),
                                _("Awaiting price approval")])
    customer, yes, no = _("customer"), _("yes"), _("no")
    for row in all_orders.export_rows(filters):
        yield _csv_line([row.number, row.placed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), row.customer_name,
                         row.customer_email, row.customer_document, row.channel, row.status, f"{row.total:.2f}",
                         row.currency, row.placed_by_email or customer,
                         yes if row.price_approval.value == "pending" else no])


@bp.route("/orders.csv")
@telesales_only
def all_orders_csv():
    """Stream the filtered list as CSV, reading the orders in batches."""
    filters = all_orders.OrderFilters.from_args(request.args)
    zone = ZoneInfo(store_settings().timezone)
    name = f"pedidos-{datetime.now(zone).strftime('%Y%m%d-%H%M')}.csv"
    return Response(stream_with_context(_csv_lines(filters, zone)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@bp.route("/orders/<number>")
@telesales_only
def order_page(number: str):
    """Show the order as the call centre needs it: items and prices, history, tickets, audit, approval."""
    order = access.get_order_or_404(number, current_user, people=True)
    steps, link = order_timeline(order)
    tickets = db.session.scalars(db.select(Ticket).where(Ticket.order_id == order.id)
                                 .options(ORDER_TICKET_CHANNEL).order_by(Ticket.created_at.desc())).all()
    audit = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.target.in_([order.number, f"order:{order.number}"]))
        .options(*AUDIT_PEOPLE)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(200)).all()
    return render_template("staff/order.html", order=order, steps=steps, link=link, tickets=tickets, audit=audit,
                           cancelled=cancelled_units(order))

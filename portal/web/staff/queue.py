"""The staff ticket queue: tabs with counts, filters kept in the URL, sorted by due time, paginated."""
from dataclasses import replace

from flask import flash, render_template, request
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user

from ...core.templating import store_settings
from ...extensions import db
from ...models import QUEUE_TABS, Channel, TicketReason, TicketStatus
from ...models.base import utcnow
from ...tickets import queue as ticket_queue
from ...tickets import sla
from . import bp

PER_PAGE = 25


def situation_of(now, tz):
    """Return a function giving an open ticket's (situation, days pending), or None for other statuses."""
    def compute(ticket):
        if ticket.status is not TicketStatus.open:
            return None
        return (sla.situation(ticket.open_since, ticket.due_at, now, tz),
                sla.days_pending(ticket.open_since, now, tz))
    return compute


def _choices():
    channels = db.session.scalars(db.select(Channel).order_by(Channel.name)).all()
    reasons = db.session.scalars(db.select(TicketReason).order_by(TicketReason.position, TicketReason.id)).all()
    return channels, reasons


@bp.route("/")
def queue():
    """Show one tab of the queue with every tab's count, filtered by what the URL says."""
    filters = ticket_queue.QueueFilters.from_args(request.args)
    counts = ticket_queue.tab_counts(filters, current_user)
    found_in = ticket_queue.tab_with_hits(filters, counts)
    if found_in is not filters.tab:
        # A number is looked up in every tab: show where it is rather than "no ticket matches".
        flash(_("Found in the tab “%(tab)s”.", tab=found_in.label), "info")
        filters = replace(filters, tab=found_in, page=1)
    pagination = ticket_queue.queue_page(filters, current_user, PER_PAGE, counts)
    channels, reasons = _choices()
    settings = store_settings()
    return render_template("staff/queue.html", filters=filters, counts=counts, tabs=QUEUE_TABS,
                           pagination=pagination, channels=channels, reasons=reasons, tab_count=tab_count,
                           situation_of=situation_of(utcnow(), settings.timezone))


def tab_count(count: int) -> str:
    """A tab's count as shown: "10.000+" once it stopped at the cap."""
    if ticket_queue.is_capped(count):
        return _("%(num)s+", num=format_number(ticket_queue.SELECTIVE_ROWS))
    return format_number(count)

"""The staff ticket queue: tabs with counts, filters kept in the URL, sorted by due time, paginated."""
from dataclasses import replace
from urllib.parse import urlencode

from flask import flash, render_template, request
from flask_babel import format_number, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from ...core.templating import store_settings, url_filler
from ...models import QUEUE_TABS, TicketStatus
from ...models.base import utcnow
from ...store import lookups
from ...tickets import queue as ticket_queue
from ...tickets import saved_views, sla
from . import bp
from .bulk import bulk_form

PER_PAGE = 25


def situation_of(now, tz):
    """Return a function giving an open ticket's (situation, days pending), or None for other statuses."""
    def compute(ticket):
        if ticket.status is not TicketStatus.open:
            return None
        return (sla.situation(ticket.open_since, ticket.due_at, now, tz),
                sla.days_pending(ticket.open_since, now, tz))
    return compute


@bp.route("/")
def queue():
    """Show one tab of the queue with every tab's count, filtered by what the URL says."""
    return render_queue(ticket_queue.QueueFilters.from_args(request.args))


def render_queue(filters, status: int = 200, view_error: str | None = None, view_form=None):
    """Render the queue under these filters; a value the filters cannot read answers 400, with its message."""
    views = saved_views.visible_views(current_user)
    view_filters = [saved_views.filters_of(view) for view in views]
    counts, view_counts = ticket_queue.tab_counts(filters, current_user, view_filters)
    found_in = ticket_queue.tab_with_hits(filters, counts)
    if found_in is not filters.tab:
        # A number is looked up in every tab: show where it is rather than "no ticket matches".
        flash(_("Found in the tab “%(tab)s”.", tab=found_in.label), "info")
        filters = replace(filters, tab=found_in, page=1)
    pagination = ticket_queue.queue_page(filters, current_user, PER_PAGE, counts)
    choices = lookups.lists()
    now = utcnow()
    shown_views = list(zip(views, view_filters, view_counts, strict=True))
    people = lookups.colleagues(current_user)
    html = render_template(
        "staff/queue.html", filters=filters, counts=counts, tabs=QUEUE_TABS, pagination=pagination,
        channels=choices.channels, reasons=choices.reasons, tab_count=tab_count, colleagues=people,
        names=ticket_queue.row_names(pagination.items), ticket_url=url_filler("staff.ticket", "ticket_number"),
        order_url=url_filler("staff.order_print", "number"),
        bulk_form=bulk_form(people), bulk_back=urlencode(filters.to_args()),
        situation_of=situation_of(now, store_settings().timezone), time_left=lambda due: time_left(due, now),
        views=shown_views, current_view=request.args.get("view", type=int), view_error=view_error,
        view_form=view_form, saved_query=saved_views.normalised_query(filters), can_change_view=saved_views.can_change)
    return html, 400 if filters.invalid and status == 200 else status


def time_left(due, now) -> tuple[str, bool] | None:
    """Return the time until a reply is due ("in 3 hours", "2 days ago") and whether it is past."""
    if due is None:
        return None
    return format_timedelta(due - now, granularity="minute", add_direction=True), due < now


def tab_count(count: int) -> str:
    """A tab's count as shown: "10.000+" once it stopped at the cap."""
    if ticket_queue.is_capped(count):
        return _("%(num)s+", num=format_number(ticket_queue.SELECTIVE_ROWS))
    return format_number(count)

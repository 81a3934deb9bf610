"""What every ticket verb shares: version checks, the SLA clock, messages with files.

Files stored for a message must follow the transaction's outcome, and the session does the waiting so that
no view has to remember it: files stored for a message that was not committed are deleted again.
"""
import logging
import os
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import AuthorKind, StoreSettings, Ticket, TicketAttachment, TicketMessage, TicketStatus, Visibility
from ..models.base import utcnow
from . import attachments as files
from . import sla
from .sanitize import clean_message_html, plain_text

log = logging.getLogger(__name__)

MAX_BODY = 10_000
_PENDING_FILES = "ticket_files_pending"


class StaleTicket(Conflict):
    """Someone changed the ticket since the acting user loaded it; `text` is their unsent message, if any."""

    code = "stale_ticket"

    def __init__(self, text: str | None = None):
        super().__init__(_l("This ticket changed since you opened it. Check what changed, then try again."),
                         field="version")
        self.text = text


def check_version(ticket: Ticket, expected_version: int | None, text: str | None = None) -> None:
    """Refuse to act on a ticket that changed since the form was rendered."""
    if expected_version is not None and expected_version != ticket.version:
        raise StaleTicket(text)


def flush(text: str | None = None) -> None:
    """Flush, turning a lost race with another process (version check in SQL) into StaleTicket.

    After StaleTicket from here the session must be rolled back before it is used again. The verbs make
    their first write here, never in an autoflush, so that this is where a lost race shows.
    """
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleTicket(text) from exc
    except OperationalError as exc:
        # SQLite (the one-machine default) runs in WAL mode: a write based on a read made before another
        # writer committed fails at once as "database is locked" instead of waiting; that is the same race.
        if db.session.get_bind().dialect.name == "sqlite" and "locked" in str(exc.orig):
            raise StaleTicket(text) from exc
        raise


def require_not_closed(ticket: Ticket) -> None:
    if ticket.status is TicketStatus.closed:
        raise Conflict(_l("This ticket is closed. Reopen it first."), field="status")


def now() -> datetime:
    return utcnow()


def store_calendar() -> sla.WorkCalendar:
    # No autoflush: a half-changed ticket must reach the database in one UPDATE (one version bump).
    with db.session.no_autoflush:
        settings = StoreSettings.get()
    return sla.calendar_for(settings.country, settings.state, settings.timezone)


def start_clock(ticket: Ticket, moment: datetime) -> None:
    """Make the ticket open from `moment`, with the channel's full SLA; it is the store's to answer again."""
    ticket.status = TicketStatus.open
    ticket.escalated = False
    ticket.open_since = moment
    ticket.due_at = sla.due_at(moment, ticket.channel.sla_hours, ticket.channel.sla_working_days, store_calendar())
    ticket.sla_remaining_seconds = None


def resume_clock(ticket: Ticket, moment: datetime) -> None:
    """Make a waiting ticket open again: the time left at the pause, or a full SLA when none was left."""
    remaining = ticket.sla_remaining_seconds
    if remaining is None or remaining <= 0:
        start_clock(ticket, moment)
        return
    ticket.status = TicketStatus.open
    ticket.escalated = False
    ticket.open_since = moment
    ticket.due_at = sla.resume(timedelta(seconds=remaining), moment, store_calendar(),
                               ticket.channel.sla_working_days)
    ticket.sla_remaining_seconds = None


def clock_for_customer_message(ticket: Ticket, moment: datetime) -> None:
    """Open a waiting ticket for a new customer message, by the helpdesk "next reply" rule.

    When the store answered since the clock last started, the message is a new question: it gets the
    channel's full SLA from `moment`. A ticket paused without an answer (escalated, or set waiting by a
    marketplace) resumes with the time that was left.
    """
    if _answered_since(ticket, ticket.open_since):
        start_clock(ticket, moment)
    else:
        resume_clock(ticket, moment)


def _answered_since(ticket: Ticket, since: datetime | None) -> bool:
    query = db.select(TicketMessage.id).where(
        TicketMessage.ticket_id == ticket.id, TicketMessage.author_kind == AuthorKind.staff,
        TicketMessage.visibility != Visibility.internal)
    if since is not None:
        query = query.where(TicketMessage.created_at >= since)
    # No autoflush: the customer's message and the ticket's new state must reach the database in one UPDATE.
    with db.session.no_autoflush:
        return db.session.scalar(query.limit(1)) is not None


def record_first_response(ticket: Ticket, moment: datetime, user) -> None:
    """Keep the store's first answer to the shopper or the marketplace, and its working time since the opening.

    The working time uses the SLA calendar when the channel counts working days, the clock otherwise.
    """
    if ticket.first_response_at is not None:
        return
    ticket.first_response_at = moment
    ticket.first_response_by_id = user.id if user is not None else None
    if ticket.channel.sla_working_days:
        elapsed = sla.working_time_between(ticket.created_at, moment, store_calendar())
    else:
        elapsed = moment - ticket.created_at
    ticket.first_response_seconds = max(int(elapsed.total_seconds()), 0)


def pause_clock(ticket: Ticket, moment: datetime) -> None:
    """Make the ticket waiting, keeping the SLA time that was left (negative when already overdue)."""
    if ticket.status is TicketStatus.open and ticket.due_at is not None:
        left = sla.remaining_after_pause(ticket.due_at, moment, store_calendar(), ticket.channel.sla_working_days)
        ticket.sla_remaining_seconds = int(left.total_seconds())
    ticket.status = TicketStatus.waiting
    ticket.due_at = None


def stop_clock(ticket: Ticket, moment: datetime) -> None:
    ticket.status = TicketStatus.closed
    ticket.closed_at = moment
    ticket.due_at = None
    ticket.sla_remaining_seconds = None


def attachments_dir() -> str:
    """Return where attachments live: config ATTACHMENTS_DIR, else instance/attachments."""
    return current_app.config.get("ATTACHMENTS_DIR") or os.path.join(current_app.instance_path, "attachments")


def clean_body(body: str | None) -> str:
    """Return the sanitised message, refusing one that is empty or too long."""
    if body is not None and len(body) > MAX_BODY:
        raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_BODY), field="body")
    cleaned = clean_message_html(body)
    if not plain_text(cleaned).strip():
        raise ValidationError(_l("Write a message."), field="body")
    return cleaned


def add_message(ticket: Ticket, author, kind: AuthorKind, visibility: Visibility, body: str,
                uploads=(), moment: datetime | None = None, operator=None) -> TicketMessage:
    """Add a message with its checked attachments; nothing is stored when the body or a file is refused.

    `operator` is the call-centre operator who wrote a customer message while acting for the customer.
    """
    cleaned = clean_body(body)
    checked = files.inspect_uploads(uploads)
    # Loaded now, while nothing is pending: a lazy load later would autoflush the message outside flush().
    ticket.channel  # noqa: B018
    message = TicketMessage(ticket=ticket, author_kind=kind, author=author, visibility=visibility,
                            body_html=cleaned, created_at=moment or now(), operator=operator)
    chosen = [f for f in uploads if f is not None and f.filename]
    root = attachments_dir()
    for inspected, upload in zip(checked, chosen, strict=True):
        key = files.store(inspected, upload.stream, root)
        db.session.info.setdefault(_PENDING_FILES, []).append((root, key))
        message.attachments.append(TicketAttachment(storage_key=key, filename=inspected.safe_name,
                                                    mime=inspected.mime, size=inspected.size))
    db.session.add(message)
    return message


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    session.info.pop(_PENDING_FILES, None)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is not None:
        return
    # Still listed here means the transaction ended without a commit: the messages are gone, so are their files.
    for root, key in session.info.pop(_PENDING_FILES, []):
        try:
            files.delete_stored(root, key)
        except OSError:
            log.warning("could not delete orphaned attachment %s", key)

"""The durable outbox: e-mails and marketplace deliveries written with the change behind them, sent by tasks.

A row is added in the same transaction as the answer or action that caused it and handed to Huey after
commit. Each kind of row has a transport: e-mail's is here, the marketplace delivery registers its own
(`marketplaces.delivery`), so that the outbox knows how to send without knowing who it sends to.

A delivery claims its row with one conditional UPDATE, so two runs of the same task (or two workers) send
it once; a failure goes back to `queued` with an exponential back-off, or to `failed` after
MAX_ATTEMPTS tries or a permanent refusal. The sweep re-queues whatever waits longer than it should, so
work queued while the queue or its consumer was down still goes out.

`last_error` holds a stable reason code and an optional detail ("http:500", "timeout:10", "smtp:550 ..."),
which `describe_error` turns into a sentence in the reader's language. Once an e-mail is delivered or has
failed for good its bodies are dropped from the row: they may hold sign-in or invitation links.
"""
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import and_, or_, update

from ..extensions import db
from ..models import OutboxItem, OutboxKind, OutboxState
from ..models.base import utcnow
from .errors import Conflict
from .mail import build_message
from .mail import deliver as send_mail
from .queue import app_context, call_after_commit, hand_over, huey, periodic_task

log = logging.getLogger(__name__)

# A row being sent is taken over after OUTBOX_LEASE_SECONDS (600): its sender is presumed dead by then.
LEASE_SECONDS = 600
MAX_ATTEMPTS = 8
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600
# A queued row is due a little before its time, so that a task scheduled for that moment always finds it due.
DUE_SLACK = timedelta(seconds=5)
# A queued row without a time was never handed to the queue (or the hand-over was lost) after this long.
UNSENT_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 500
MAX_ERROR = 300
# What last_error's reason codes say; a code that is not here (rows older than the codes) is shown as it is.
ERROR_TEXTS = {
    "no_address": _l("the channel has no delivery address"),
    "no_secret": _l("the channel has no signing secret"),
    "refused": _l("the connection was refused"),
    "connection_failed": _l("the connection failed"),
    "connect_timeout": _l("no connection within %(detail)s s"),
    "timeout": _l("no answer within %(detail)s s"),
    "deadline": _l("the delivery took longer than %(detail)s s"),
    "http": _l("the marketplace answered HTTP %(detail)s"),
    "blocked": _l("the delivery address leads to an internal network address (%(detail)s)"),
    "unresolved": _l("the host name of the delivery address was not found"),
    "smtp": _l("the mail server answered %(detail)s"),
    "mail": _l("the mail server could not be reached (%(detail)s)"),
    "no_transport": _l("this process cannot send this kind of message"),
    "error": _l("unexpected error (%(detail)s)"),
}


class DeliveryError(Exception):
    """A delivery did not go through; `reason` is a code of ERROR_TEXTS with its detail, `permanent` stops retries."""

    def __init__(self, code: str, detail: str | None = None, permanent: bool = False):
        reason = f"{code}:{detail}" if detail else code
        super().__init__(reason)
        self.reason = reason[:MAX_ERROR]
        self.permanent = permanent


def describe_error(reason: str | None) -> str:
    """Return the stored reason as a sentence in the current language; an unknown one as it is."""
    if not reason:
        return ""
    code, _colon, detail = reason.partition(":")
    template = ERROR_TEXTS.get(code)
    if template is None:
        return reason
    text = str(template)
    if "%(detail)s" in text:
        return text % {"detail": detail} if detail else reason
    return text


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry_in: float | None = None


@dataclass(frozen=True)
class Transport:
    """How one kind of row is sent: `prepare` reads what sending needs, `send` sends it without the database."""

    prepare: Callable[[OutboxItem, "Work"], "Work"]
    send: Callable[["Work"], None]


_TRANSPORTS: dict[OutboxKind, Transport] = {}


def register_transport(kind: OutboxKind, prepare: Callable, send: Callable) -> None:
    """Say how rows of this kind are sent."""
    _TRANSPORTS[kind] = Transport(prepare, send)


def add(kind: OutboxKind, key: str, payload: dict, **columns) -> OutboxItem:
    """Add a row, handed to the queue once the transaction commits; a key already queued adds nothing."""
    existing = db.session.scalar(db.select(OutboxItem).where(OutboxItem.key == key))
    if existing is not None:
        return existing
    item = OutboxItem(kind=kind, key=key, state=OutboxState.queued, payload=payload, **columns)
    db.session.add(item)
    db.session.flush()
    call_after_commit(deliver, item.id)
    return item


def queue_email(key: str, to: str, subject: str, text: str, html: str | None = None, *,
                ticket=None, message=None, headers: dict[str, str] | None = None) -> OutboxItem:
    """Add an e-mail to the outbox, sent once the transaction commits; a key already queued adds nothing.
    `headers` are sent with it as they are (threading, Reply-To, List-Unsubscribe)."""
    payload = {"to": to, "subject": subject, "text": text, "html": html}
    if headers:
        payload["headers"] = dict(headers)
    return add(OutboxKind.email, key, payload,
               ticket_id=ticket.id if ticket else None, message_id=message.id if message else None)


def backoff(attempts: int) -> timedelta:
    """Return the wait after the given number of failed attempts: 30 s, 1 min, 2 min, ... at most 1 h."""
    return timedelta(seconds=min(FIRST_DELAY_SECONDS * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS))


def lease() -> timedelta:
    """Return how long a row being sent stays its sender's before another run may take it over."""
    return timedelta(seconds=current_app.config.get("OUTBOX_LEASE_SECONDS", LEASE_SECONDS))


def claim(item_id: int) -> bool:
    """Mark the row as being sent, if it is due and nobody holds it; False means there is nothing to do."""
    moment = utcnow()
    due = and_(OutboxItem.state == OutboxState.queued,
               or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= moment + DUE_SLACK))
    expired = and_(OutboxItem.state == OutboxState.sending, OutboxItem.claimed_at < moment - lease())
    result = db.session.execute(
        update(OutboxItem).where(OutboxItem.id == item_id, or_(due, expired))
        .values(state=OutboxState.sending, claimed_at=moment)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@dataclass(frozen=True)
class Work:
    """What sending one claimed row needs, read beforehand so that no transaction stays open while it is sent."""

    item_id: int
    kind: OutboxKind
    key: str
    payload: dict
    attempts: int
    url: str | None = None
    secret: str | None = None
    problem: str | None = None


def prepare(item_id: int) -> Work:
    """Read the claimed row (and what its transport needs, such as an address and a secret) into plain values."""
    item = db.session.get(OutboxItem, item_id, populate_existing=True)
    work = Work(item_id=item.id, kind=item.kind, key=item.key, payload=dict(item.payload or {}),
                attempts=item.attempts or 0)
    transport = _TRANSPORTS.get(item.kind)
    if transport is None:
        return replace(work, problem="no_transport")
    return transport.prepare(item, work)


def send(work: Work) -> DeliveryError | None:
    """Send the work (no database access); return what went wrong, or None when it was delivered."""
    try:
        if work.problem:
            raise DeliveryError(work.problem, permanent=work.problem != "no_transport")
        _TRANSPORTS[work.kind].send(work)
    except DeliveryError as error:
        return error
    except Exception as error:  # noqa: BLE001 - any other failure is recorded and retried, never lost
        log.exception("outbox item %s failed unexpectedly", work.item_id)
        return DeliveryError("error", type(error).__name__)
    return None


def record(work: Work, error: DeliveryError | None) -> Outcome:
    """Write the outcome in one UPDATE, so that it is the transaction's first statement (SQLite takes the lock)."""
    if error is None:
        _write(work.item_id, state=OutboxState.delivered, delivered_at=utcnow(), next_attempt_at=None,
               **_finished(work))
        return Outcome(delivered=True)
    attempts = work.attempts + 1
    if error.permanent or attempts >= MAX_ATTEMPTS:
        log.warning("outbox item %s failed for good: %s", work.item_id, error.reason)
        _write(work.item_id, state=OutboxState.failed, attempts=attempts, last_error=error.reason, claimed_at=None,
               next_attempt_at=None, **_finished(work))
        return Outcome(delivered=False)
    wait = backoff(attempts)
    _write(work.item_id, state=OutboxState.queued, attempts=attempts, last_error=error.reason, claimed_at=None,
           next_attempt_at=utcnow() + wait)
    return Outcome(delivered=False, retry_in=wait.total_seconds())


def _finished(work: Work) -> dict:
    """Return the values that drop an e-mail's bodies (they may hold sign-in links) once it is sent or given up."""
    if work.kind is not OutboxKind.email:  # a marketplace payload holds no secret and serves a retry by hand
        return {}
    return {"payload": {"to": work.payload.get("to"), "subject": work.payload.get("subject"), "text": "",
                        "html": None, "redacted": True}}


def _write(item_id: int, **values) -> None:
    db.session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(**values)
                       .execution_options(synchronize_session=False))


def _prepare_email(_item: OutboxItem, work: Work) -> Work:
    return work


def _send_email(work: Work) -> None:
    payload = work.payload
    timeout = current_app.config["MAIL_TIMEOUT"]
    try:
        send_mail(build_message(payload["to"], payload["subject"], payload["text"], payload.get("html"),
                                key=work.key, headers=payload.get("headers")))
    except ConnectionRefusedError:
        raise DeliveryError("refused") from None
    except TimeoutError:
        raise DeliveryError("timeout", f"{timeout:g}") from None
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error)
        raise DeliveryError("smtp", f"{error.smtp_code} {text}".strip()) from None
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError("mail", str(error) or type(error).__name__) from None


def due_ids(now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Return the rows that should be on their way and are not: due, never handed over, or held too long."""
    moment = now or utcnow()
    waiting = and_(OutboxItem.state == OutboxState.queued,
                   or_(OutboxItem.next_attempt_at <= moment,
                       and_(OutboxItem.next_attempt_at.is_(None), OutboxItem.created_at <= moment - UNSENT_AFTER)))
    stuck = and_(OutboxItem.state == OutboxState.sending, OutboxItem.claimed_at < moment - lease())
    return list(db.session.scalars(db.select(OutboxItem.id).where(or_(waiting, stuck))
                                   .order_by(OutboxItem.id).limit(limit)))


def sweep(now: datetime | None = None) -> int:
    """Hand every overdue row to the queue again; return how many."""
    ids = due_ids(now)
    for item_id in ids:
        hand_over(deliver, item_id)
    return len(ids)


def retry(item: OutboxItem) -> OutboxItem:
    """Put a failed delivery back in the queue now (sent after commit), with all its attempts ahead of it again."""
    if item.state is not OutboxState.failed:
        raise Conflict(_l("This delivery has not failed."), field="delivery")
    item.state = OutboxState.queued
    item.attempts = 0  # last_error keeps why it failed until the next try
    item.next_attempt_at = utcnow()
    item.claimed_at = None
    db.session.flush()
    call_after_commit(deliver, item.id)
    return item


register_transport(OutboxKind.email, _prepare_email, _send_email)


@huey.task(name="deliver_outbox")
def deliver(item_id: int) -> bool:
    """Send one outbox row if it is due and nobody else holds it; schedule the next try when it fails."""
    with app_context():
        try:
            if not claim(item_id):
                db.session.commit()
                return False
            db.session.commit()  # the claim is visible to every other worker before anything is sent
            work = prepare(item_id)
            db.session.commit()  # nothing stays open while sending: a stale SQLite snapshot could not write after
            outcome = record(work, send(work))
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    if outcome.retry_in is not None:
        try:
            deliver.schedule((item_id,), delay=outcome.retry_in)
        except Exception:
            log.exception("could not schedule outbox item %s again; the sweep will", item_id)
    return outcome.delivered


@periodic_task(crontab(minute="*"), name="sweep_outbox", every=timedelta(minutes=1))
def sweep_outbox() -> int:
    """Queue again the outbox rows that are due and not on their way."""
    with app_context():
        return sweep()

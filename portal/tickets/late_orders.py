"""Late orders: found by a periodic task, in batches, and told once per episode (docs/tickets.md, "Late orders").

An open order (status neither completed nor cancelled) that the carrier has not delivered is late when
- `expected_date`: its expected delivery date is before today in the store's time zone, or
- `carrier_quiet`: it was shipped with a Correios code and the carrier has reported nothing new for
  `late_quiet_days` working days (the SLA calendar's: weekends and the store's holidays do not count),
  counted from the newest event of the stored snapshot, or from the shipping date when it has none.

An episode starts when the order becomes late (`late_since`, `late_reason`) and ends when it no longer is
(both cleared with `late_notified_at`, so that a new episode is told again). Each batch costs a fixed
number of statements: the orders, their snapshots, and one UPDATE per kind of change. Telling (a proactive
ticket, an e-mail) claims the order with a conditional UPDATE of `late_notified_at` in the same transaction
as the ticket and the outbox row, so running the task again, or twice at once, never tells an episode twice.
"""
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import and_, func, or_, update
from sqlalchemy.orm import joinedload

from ..core.errors import DomainError
from ..core.queue import app_context, periodic_task
from ..extensions import db
from ..models import Channel, Order, StoreSettings, TicketReason, TrackingSnapshot
from ..models.base import utcnow
from ..orders import carrier_delivery
from ..orders import mail as order_mail
from . import lifecycle, sla

log = logging.getLogger(__name__)

EXPECTED_DATE = "expected_date"
CARRIER_QUIET = "carrier_quiet"
REASONS = (EXPECTED_DATE, CARRIER_QUIET)
# The ticket reason a proactive ticket gets when the store has one by this code or label.
LATE_REASON_CODE = "atraso_na_entrega"
LATE_REASON_LABEL = "Atraso na entrega"
BATCH = 500
NOTIFY_BATCH = 50

_ROW = (Order.id, Order.status_id, Order.expected_delivery_on, Order.shipped_at, Order.shipping_code,
        Order.carrier_delivered_at, Order.late_reason)


@dataclass(frozen=True)
class Rules:
    """What a run compares against: now, the store's today and calendar, and its quiet days."""

    now: datetime
    today: date
    calendar: sla.WorkCalendar
    quiet_days: int
    open_statuses: frozenset[int]

    @classmethod
    def current(cls, now: datetime | None = None) -> "Rules":
        settings = StoreSettings.get()
        calendar = sla.WorkCalendar.for_store(settings)
        moment = now or utcnow()
        return cls(now=moment, today=calendar.local_date(moment), calendar=calendar,
                   quiet_days=max(1, settings.late_quiet_days or 1),
                   open_statuses=frozenset(carrier_delivery.open_status_ids()))


@dataclass
class ScanResult:
    started: int = 0
    ended: int = 0
    delivered: int = 0
    notified: int = 0


def reason_for(row, rules: Rules, last_event: datetime | None = None,
               delivered: datetime | None = None) -> str | None:
    """Return why the order is late (EXPECTED_DATE or CARRIER_QUIET), or None when it is not."""
    if row.status_id not in rules.open_statuses or (row.carrier_delivered_at or delivered) is not None:
        return None
    if row.expected_delivery_on is not None and row.expected_delivery_on < rules.today:
        return EXPECTED_DATE
    if row.shipped_at is not None and carrier_delivery.correios_code(row.shipping_code):
        quiet_since = last_event or row.shipped_at
        if sla.add_working_time(quiet_since, timedelta(days=rules.quiet_days), rules.calendar) <= rules.now:
            return CARRIER_QUIET
    return None


def _batches(*conditions):
    """Yield the matching orders' rows BATCH at a time, by id, so a changed row never shifts the next batch."""
    last = 0
    while True:
        rows = db.session.execute(db.select(*_ROW).where(Order.id > last, *conditions)
                                  .order_by(Order.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _evaluate(rows, rules: Rules, result: ScanResult) -> dict[int, str | None]:
    """Return each order's late reason; record the carrier's deliveries the snapshots show on the way."""
    codes = {row.id: code for row in rows if (code := carrier_delivery.correios_code(row.shipping_code))}
    snapshots = {}
    if codes:
        snapshots = dict(db.session.execute(db.select(TrackingSnapshot.code, TrackingSnapshot.events)
                                            .where(TrackingSnapshot.code.in_(set(codes.values())))).all())
    delivered, reasons = {}, {}
    for row in rows:
        events = snapshots.get(codes.get(row.id)) or []
        moment = None
        if row.carrier_delivered_at is None and row.status_id in rules.open_statuses:
            moment = carrier_delivery.delivered_at(events)
            if moment is not None:
                delivered[row.id] = moment
        reasons[row.id] = reason_for(row, rules, carrier_delivery.latest_event_at(events), moment)
    carrier_delivery.mark(delivered)
    result.delivered += len(delivered)
    return reasons


def _set(ids, *conditions, **values) -> int:
    if not ids:
        return 0
    return db.session.execute(update(Order).where(Order.id.in_(ids), *conditions).values(**values)).rowcount or 0


def scan(now: datetime | None = None, on_batch=None) -> ScanResult:
    """Start and end lateness episodes, then tell the new ones; `on_batch` runs after each batch (a commit)."""
    rules = Rules.current(now)
    result = ScanResult()
    done = on_batch or (lambda: None)
    for rows in _batches(Order.late_since.is_not(None)):
        reasons = _evaluate(rows, rules, result)
        result.ended += _set([r.id for r in rows if reasons[r.id] is None], Order.late_since.is_not(None),
                             late_since=None, late_reason=None, late_notified_at=None)
        for reason in REASONS:
            _set([r.id for r in rows if reasons[r.id] == reason and r.late_reason != reason], late_reason=reason)
        done()
    candidates = (Order.late_since.is_(None), Order.carrier_delivered_at.is_(None),
                  Order.status_id.in_(rules.open_statuses),
                  or_(Order.expected_delivery_on < rules.today,
                      and_(Order.shipped_at.is_not(None), Order.shipping_code.is_not(None))))
    for rows in _batches(*candidates):
        reasons = _evaluate(rows, rules, result)
        for reason in REASONS:
            result.started += _set([r.id for r in rows if reasons[r.id] == reason], Order.late_since.is_(None),
                                   late_since=rules.now, late_reason=reason)
        done()
    result.notified = notify_pending(rules.now, done)
    return result


def notify_pending(now: datetime, on_batch=None) -> int:
    """Tell every late order not yet told in its episode, as the store's settings say; return how many."""
    settings = StoreSettings.get()
    if not (settings.late_opens_ticket or settings.late_emails_shopper):
        return 0
    told, last = 0, 0
    while True:
        orders = db.session.scalars(
            db.select(Order).where(Order.id > last, Order.late_since.is_not(None), Order.late_notified_at.is_(None))
            .options(joinedload(Order.customer), joinedload(Order.channel))
            .order_by(Order.id).limit(NOTIFY_BATCH)).all()
        if not orders:
            return told
        last = orders[-1].id
        for order in orders:
            told += notify(order, settings, now)
        if on_batch:
            on_batch()


def notify(order: Order, settings: StoreSettings, now: datetime) -> int:
    """Claim the episode and open its ticket and/or queue its e-mail, all or nothing; return 1 when told."""
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(
                update(Order).where(Order.id == order.id, Order.late_since.is_not(None),
                                    Order.late_notified_at.is_(None))
                .values(late_notified_at=now)).rowcount
            if claimed != 1:
                return 0
            ticket = open_late_ticket(order, settings) if settings.late_opens_ticket else None
            order_mail.queue_order_mail(order, "late", ticket=ticket)
    except DomainError:
        log.exception("Could not tell the shopper of late order %s", order.number)
        return 0
    return 1


def _late_reason() -> TicketReason | None:
    return db.session.scalar(
        db.select(TicketReason).where(TicketReason.active.is_(True),
                                      or_(TicketReason.code == LATE_REASON_CODE,
                                          func.lower(TicketReason.label) == LATE_REASON_LABEL.lower()))
        .order_by(TicketReason.position, TicketReason.id).limit(1))


def open_late_ticket(order: Order, settings: StoreSettings):
    """Open the store's proactive ticket about a late order, on the store's own channel."""
    channel = db.session.scalar(db.select(Channel).where(Channel.code == Channel.STORE_CODE)) or order.channel
    with force_locale(settings.default_locale):
        subject = _("Late delivery: order %(number)s", number=order.number)
    with force_locale(order.customer.locale or settings.default_locale):
        why = (_("The carrier has not reported any progress for a few working days.")
               if order.late_reason == CARRIER_QUIET else _("Its expected delivery date has passed."))
        body = " ".join((_("Your order %(number)s is running late.", number=order.number), why,
                         _("We are checking with the carrier and will let you know what we find out.")))
    return lifecycle.open_proactive_ticket(order, channel, subject, body, _late_reason(), "late_order")


@periodic_task(crontab(minute="5"), name="check_late_orders", every=timedelta(hours=1))
def check_late_orders() -> int:
    """Find late orders and the carrier's deliveries, end the episodes that are over, tell the new ones."""
    with app_context():
        try:
            result = scan(on_batch=db.session.commit)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    log.info("late orders: %s", result)
    return result.started

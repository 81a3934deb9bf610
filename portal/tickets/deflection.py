"""Answer "where is my order?" before a ticket, and keep what was shown and whether it was enough.

A reason marked `about_delivery` shows the order's answer first: the timeline's current step (or its last
done one), the carrier's latest event from the Correios cache, the expected delivery date and the late flag.
A missing or stale snapshot is asked of the worker once the page commits; nothing here waits for Correios.
Each answer shown is a HelpDeflection row holding what the page said; the shopper's button sets its
outcome once per choice, and a ticket opened after "I still need help" points back to it, so the agent reads
the very answer the shopper read. Verbs flush, never commit.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import trackers

from ..core.queue import call_after_commit
from ..extensions import db
from ..models import DeflectionOutcome, HelpDeflection, TicketReason, TrackingSnapshot
from ..models.base import utcnow
from ..orders import tracking, tracking_refresh
from ..orders.timeline import STEP_LABELS, build_timeline
from ..store import lookups
from .lifecycle import expected_delivery

# A reload within this time refreshes the shopper's undecided answer instead of counting another one.
REUSE_MINUTES = 30


@dataclass(frozen=True)
class CarrierEvent:
    description: str
    place: str
    when: str  # as Correios gave it (ISO 8601)

    @property
    def moment(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.when)
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Answer:
    """What the help page tells the shopper about the order; built live, or read back from a HelpDeflection."""

    step: str | None
    step_state: str | None
    step_date: datetime | None
    event: CarrierEvent | None
    expected: date | None
    late: bool
    # Only while the page is drawn: the tracking action, and whether the carrier's history is being fetched.
    link: trackers.TrackingLink | None = None
    refreshing: bool = False

    @property
    def step_label(self):
        return STEP_LABELS.get(self.step or "")

    @property
    def awaits_carrier(self) -> bool:
        """A Correios parcel whose history the page could not show yet."""
        return self.event is None and self.link is not None and self.link.kind is trackers.TrackingKind.correios

    def to_json(self) -> dict:
        event = self.event
        return {
            "step": self.step, "step_state": self.step_state,
            "step_date": self.step_date.isoformat() if self.step_date else None,
            "event": {"description": event.description, "place": event.place, "when": event.when} if event else None,
            "expected": self.expected.isoformat() if self.expected else None,
            "late": self.late,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "Answer":
        data = data or {}
        event = data.get("event") or None
        return cls(
            step=data.get("step"), step_state=data.get("step_state"),
            step_date=_parse(datetime.fromisoformat, data.get("step_date")),
            event=CarrierEvent(str(event.get("description") or ""), str(event.get("place") or ""),
                               str(event.get("when") or "")) if isinstance(event, dict) else None,
            expected=_parse(date.fromisoformat, data.get("expected")),
            late=bool(data.get("late")),
        )


def _parse(parse, value):
    try:
        return parse(value) if value else None
    except (TypeError, ValueError):
        return None


def is_about_delivery(reason: TicketReason | None) -> bool:
    """Say whether picking this reason shows the order's answer before the ticket form."""
    return reason is not None and bool(reason.about_delivery)


def offered_reason(reason_id: int | None) -> TicketReason | None:
    """Return the reason if shoppers may pick it now (it exists and is not retired)."""
    reason = db.session.get(TicketReason, reason_id) if reason_id else None
    return reason if reason is not None and reason.active else None


def _step(steps):
    current = next((step for step in steps if step.state == "current"), None)
    if current is not None:
        return current
    done = [step for step in steps if step.state == "done"]
    return done[-1] if done else None


def _latest_event(link) -> tuple[CarrierEvent | None, bool]:
    """The newest cached carrier event, and whether the worker is asked for a newer history.

    The worker is asked once the page's transaction commits (the answer is written in it): a worker that
    stored its snapshot in between would make the page's own write fail on SQLite.
    """
    if link is None or link.kind is not trackers.TrackingKind.correios:
        return None, False
    snapshot = db.session.get(TrackingSnapshot, link.code)
    stale = snapshot is None or not tracking.is_fresh(snapshot, utcnow())
    asked = stale and tracking.correios_client().is_configured
    if asked:
        call_after_commit(tracking_refresh.ask_for_newer, link.code, snapshot.fetched_at if snapshot else None)
    events = [event for event in (snapshot.events or []) if isinstance(event, dict)] \
        if snapshot is not None and not snapshot.error and isinstance(snapshot.events, list) else []
    if not events:
        return None, asked
    latest = max(events, key=lambda event: str(event.get("when") or ""))
    return CarrierEvent(str(latest.get("description") or ""), str(latest.get("place") or ""),
                        str(latest.get("when") or "")), asked


def answer_for(order) -> Answer:
    """Work out the order's answer from its timeline, the tracking cache and its late flag."""
    steps = build_timeline(order, lookups.trusted_hosts())
    step = _step(steps)
    link = next((s.tracking for s in steps if s.tracking is not None), None)
    event, refreshing = _latest_event(link)
    return Answer(step=step.name if step else None, step_state=step.state if step else None,
                  step_date=step.date if step else None, event=event, expected=expected_delivery(order),
                  late=bool(getattr(order, "is_late", False)), link=link, refreshing=refreshing)


def record_shown(order, customer, reason: TicketReason, answer: Answer,
                 now: datetime | None = None) -> HelpDeflection:
    """Keep the answer shown to the shopper; a reload soon after refreshes their undecided row."""
    moment = now or utcnow()
    deflection = db.session.scalar(
        db.select(HelpDeflection)
        .where(HelpDeflection.customer_id == customer.id, HelpDeflection.order_id == order.id,
               HelpDeflection.shown_at >= moment - timedelta(minutes=REUSE_MINUTES),
               HelpDeflection.reason_id == reason.id, HelpDeflection.outcome.is_(None),
               HelpDeflection.ticket_id.is_(None))
        .order_by(HelpDeflection.shown_at.desc(), HelpDeflection.id.desc()).limit(1))
    if deflection is None:
        deflection = HelpDeflection(order_id=order.id, customer_id=customer.id, reason_id=reason.id)
        db.session.add(deflection)
    deflection.shown_at = moment
    deflection.shown = answer.to_json()
    db.session.flush()
    return deflection


def decide(deflection: HelpDeflection, outcome: DeflectionOutcome) -> bool:
    """Record the shopper's button; the same button again changes nothing, and a linked ticket settles it."""
    if deflection.ticket_id is not None or deflection.outcome is outcome:
        return False
    deflection.outcome = outcome
    deflection.decided_at = utcnow()
    db.session.flush()
    return True


def link_ticket(deflection: HelpDeflection, ticket) -> None:
    """Tie the ticket opened after the answer to it (the first ticket only): the answer did not resolve it."""
    if deflection.ticket_id is None:
        deflection.ticket_id = ticket.id
    if deflection.outcome is not DeflectionOutcome.needed_help:
        deflection.outcome = DeflectionOutcome.needed_help
        deflection.decided_at = utcnow()
    db.session.flush()


def shown_before(ticket) -> tuple[HelpDeflection, Answer] | None:
    """Return the answer the shopper read before opening this ticket (row and content), if they came through one."""
    deflection = db.session.scalar(db.select(HelpDeflection).where(HelpDeflection.ticket_id == ticket.id)
                                   .order_by(HelpDeflection.id).limit(1))
    return (deflection, Answer.from_json(deflection.shown)) if deflection is not None else None

"""Build the buyer's order timeline from the order's facts and its status type (pure)."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

import trackers

STEP_LABELS = {
    "placed": _l("Order placed"),
    "paid": _l("Payment confirmed"),
    "shipped": _l("Order shipped"),
    "delivered": _l("Order delivered"),
    "cancelled": _l("Order cancelled"),
}

PROGRESS = ("placed", "paid", "shipped", "delivered")


@dataclass(frozen=True)
class Step:
    name: str
    state: str  # done | current | pending
    date: datetime | None = None
    invoice_url: str | None = None
    tracking: trackers.TrackingLink | None = None

    @property
    def label(self):
        return STEP_LABELS[self.name]


def reached_steps(order) -> dict[str, bool]:
    """Say which steps the order's own facts prove, before earlier steps are filled in."""
    status = order.status
    return {
        "placed": True,
        "paid": order.paid_at is not None,
        "shipped": order.shipped_at is not None and bool(order.shipping_code),
        "delivered": status.is_delivered,
    }


def _entered_current_status(order) -> datetime | None:
    for change in reversed(order.history):
        if change.to_status_id == order.status_id:
            return change.changed_at
    return None


def build_timeline(order, trusted_hosts=()) -> list[Step]:
    """Return the steps, in order, with their state, dates and extras.

    A step before the furthest reached one counts as done. The first step not reached is the
    current one (what the order is waiting for); a cancelled order ends with the cancelled step
    in place of the steps it never reached, and a delivered or cancelled order has no current step.
    """
    reached = reached_steps(order)
    furthest = max(i for i, name in enumerate(PROGRESS) if reached[name])
    dates = {"placed": order.placed_at, "paid": order.paid_at, "shipped": order.shipped_at}
    cancelled = order.status.is_cancelled
    last_change = _entered_current_status(order)
    if reached["delivered"]:
        dates["delivered"] = last_change
    steps = []
    for i, name in enumerate(PROGRESS):
        if i <= furthest:
            state = "done"
        elif cancelled:
            break
        else:
            state = "current" if i == furthest + 1 else "pending"
        extras = {}
        if name == "paid" and order.has_invoice_link and state == "done":
            extras["invoice_url"] = order.invoice_url
        if name == "shipped" and order.shipping_code and state == "done":
            extras["tracking"] = trackers.classify(order.shipping_code, trusted_hosts)
        steps.append(Step(name=name, state=state, date=dates.get(name), **extras))
    if cancelled:
        steps.append(Step(name="cancelled", state="done", date=last_change))
    return steps

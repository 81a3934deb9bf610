"""Build the buyer's order timeline from the order's facts and its status type (pure).

When the store's status and the order's dates disagree, the status wins (docs/timeline.md): a status that
still waits for the payment shows no later step done, a built-in one before shipping shows no shipment
(an additional status leaves it to the dates). The carrier's
delivery, when the store has not closed the order yet, shows on the delivered step marked as reported by
the carrier.
"""
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
    # The delivered step is done only because the carrier reported the delivery (the store has not yet).
    by_carrier: bool = False

    @property
    def label(self):
        return STEP_LABELS[self.name]


def _cap(order) -> int:
    """The furthest step the order may show done in its status, whatever its dates say."""
    status = order.status
    if status.is_delivered or status.is_cancelled or carrier_delivered(order):
        return len(PROGRESS) - 1
    if status.is_before_payment:
        return PROGRESS.index("placed")
    if _says_not_shipped(status):
        return PROGRESS.index("paid")
    return PROGRESS.index("shipped")


def _says_not_shipped(status) -> bool:
    """A built-in status before shipping (A ENVIAR...); an additional status leaves it to the dates."""
    return status.is_builtin and status.is_before_shipping


def carrier_delivered(order) -> bool:
    """Tell whether the carrier reported the delivery of an order the store has not closed yet."""
    status = order.status
    return (getattr(order, "carrier_delivered_at", None) is not None and not status.is_delivered
            and not status.is_cancelled and not status.is_before_payment and not _says_not_shipped(status))


def reached_steps(order) -> dict[str, bool]:
    """Say which steps the order's status and facts prove, before earlier steps are filled in."""
    status = order.status
    cap = _cap(order)
    reached = {
        "placed": True,
        "paid": order.paid_at is not None,
        "shipped": order.shipped_at is not None and bool(order.shipping_code),
        "delivered": status.is_delivered or carrier_delivered(order),
    }
    return {name: value and PROGRESS.index(name) <= cap for name, value in reached.items()}


def _entered_current_status(order) -> datetime | None:
    for change in reversed(order.history):
        if change.to_status_id == order.status_id:
            return change.changed_at
    return None


def build_timeline(order, trusted_hosts=()) -> list[Step]:
    """Return the steps, in order, with their state, dates and extras.

    A step before the furthest reached one counts as done; dates beyond what the status allows are not
    shown. The first step not reached is the current one (what the order is waiting for); a cancelled
    order ends with the cancelled step in place of the steps it never reached, and a delivered or
    cancelled order has no current step.
    """
    reached = reached_steps(order)
    furthest = max(i for i, name in enumerate(PROGRESS) if reached[name])
    dates = {"placed": order.placed_at, "paid": order.paid_at, "shipped": order.shipped_at}
    cancelled = order.status.is_cancelled
    last_change = _entered_current_status(order)
    by_carrier = reached["delivered"] and not order.status.is_delivered
    if reached["delivered"]:
        dates["delivered"] = order.carrier_delivered_at if by_carrier else last_change
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
        if name == "delivered" and by_carrier:
            extras["by_carrier"] = True
        date = dates.get(name) if state == "done" else None
        steps.append(Step(name=name, state=state, date=date, **extras))
    if cancelled:
        steps.append(Step(name="cancelled", state="done", date=last_change))
    return steps

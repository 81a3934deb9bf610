"""Orders the carrier delivered: read from the stored Correios histories, listed while the store has not caught up.

A history says the parcel was delivered when it holds an event with a delivery code (BDE, BDI, BDR) whose
description is "Objeto entregue ao destinatário" (the same codes also report failed attempts and returns to
the sender, which are not deliveries). `Order.carrier_delivered_at` keeps the first such event's time; it is
written for orders the store has not finished (completed or cancelled), by the worker when it stores a
snapshot and by the periodic late-order scan, never while a page is drawn.
"""
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, or_, update
from sqlalchemy.orm import contains_eager, joinedload

import trackers

from ..extensions import db
from ..models import Order, OrderStatus, StatusType
from ..models.statuses import FINALIZADO
from . import mail as order_mail

DELIVERED_CODES = frozenset({"BDE", "BDI", "BDR"})
DELIVERED_TEXT = "entregue ao destinat"
FINISHED = (StatusType.completed, StatusType.cancelled)


def is_delivery(event: dict) -> bool:
    """Tell whether a stored event reports the parcel delivered to its addressee."""
    code = str(event.get("code") or "").strip().upper()
    text = " ".join(str(event.get("description") or "").lower().split())
    return code in DELIVERED_CODES and DELIVERED_TEXT in text


def _when(event: dict) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(event.get("when") or ""))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def delivered_at(events) -> datetime | None:
    """Return the time of the first delivery event in a stored history, or None."""
    times = [moment for event in events or () if isinstance(event, dict) and is_delivery(event)
             if (moment := _when(event)) is not None]
    return min(times).astimezone(UTC) if times else None


def latest_event_at(events) -> datetime | None:
    """Return the time of the newest event in a stored history, or None when it has none."""
    times = [moment for event in events or () if isinstance(event, dict) if (moment := _when(event)) is not None]
    return max(times).astimezone(UTC) if times else None


def correios_code(value: str | None) -> str | None:
    """Return the normalised Correios code of a shipping code, or None when it is not one."""
    if not value:
        return None
    link = trackers.classify(value, ())
    return link.code if link.kind is trackers.TrackingKind.correios else None


def open_status_ids() -> list[int]:
    """Return the ids of the statuses that leave an order open (neither completed nor cancelled)."""
    return list(db.session.scalars(db.select(OrderStatus.id).where(
        or_(OrderStatus.type.is_(None), OrderStatus.type.not_in(FINISHED)), OrderStatus.name != FINALIZADO)))


def record(code: str, events) -> int:
    """Mark the open orders shipped with this code as delivered by the carrier, when the history says so.

    Return how many orders were marked; an order already marked keeps its first time.
    """
    moment = delivered_at(events)
    if moment is None:
        return 0
    matching = (Order.carrier_delivered_at.is_(None), Order.status_id.in_(open_status_ids()),
                func.upper(func.trim(Order.shipping_code)) == code.upper())
    ids = list(db.session.scalars(db.select(Order.id).where(*matching)))
    result = db.session.execute(
        update(Order).where(*matching).values(carrier_delivered_at=moment)
        .execution_options(synchronize_session="fetch"))
    _mail_delivered(ids)
    return result.rowcount or 0


def _mail_delivered(ids) -> None:
    """Tell the shoppers of these orders, now shown delivered by the carrier (once: the store's finish adds none)."""
    if not ids:
        return
    for order in db.session.scalars(db.select(Order).where(Order.id.in_(list(ids)))
                                    .options(joinedload(Order.status), joinedload(Order.customer))):
        if order_mail.furthest_event(order) == "delivered":
            order_mail.queue_order_mail(order, "delivered")


def mark(times: dict[int, datetime]) -> None:
    """Write the carrier's delivery time of several orders at once (order id -> time), keeping earlier ones."""
    if not times:
        return
    table = Order.__table__
    db.session.execute(
        table.update().where(table.c.id == bindparam("oid"), table.c.carrier_delivered_at.is_(None))
        .values(carrier_delivered_at=bindparam("moment", type_=table.c.carrier_delivered_at.type)),
        [{"oid": oid, "moment": moment} for oid, moment in times.items()])
    # The statement went around the session: let loaded orders read the new value.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Order) and obj.id in times:
            db.session.expire(obj, ["carrier_delivered_at"])
    _mail_delivered(times)


def still_open_query():
    """Select the orders the carrier delivered whose store status is still open, latest delivery first."""
    return (db.select(Order)
            .join(OrderStatus, Order.status_id == OrderStatus.id)
            .where(Order.carrier_delivered_at.is_not(None),
                   or_(OrderStatus.type.is_(None), OrderStatus.type.not_in(FINISHED)), OrderStatus.name != FINALIZADO)
            .options(contains_eager(Order.status), joinedload(Order.customer), joinedload(Order.channel))
            .order_by(Order.carrier_delivered_at.desc(), Order.id.desc()))

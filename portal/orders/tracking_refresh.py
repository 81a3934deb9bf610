"""The background refresh of Correios snapshots: recent, undelivered parcels whose snapshot is stale."""
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import or_

import trackers

from ..core.queue import app_context, huey
from ..extensions import db
from ..models import Order, OrderStatus, StatusType, TrackingSnapshot, TrustedHost
from ..models.base import utcnow
from . import tracking

RECENT_DAYS = 30
BATCH = 50
# Orders looked at per run; the newest shipments first.
SCAN_LIMIT = 5000


def stale_codes(now: datetime | None = None, limit: int = BATCH) -> list[str]:
    """Return up to `limit` Correios codes of orders shipped lately, not finished, with a missing or old snapshot."""
    if not tracking.correios_client().is_configured:
        return []
    moment = now or utcnow()
    finished = (StatusType.completed, StatusType.cancelled)
    values = db.session.scalars(
        db.select(Order.shipping_code)
        .join(OrderStatus, Order.status_id == OrderStatus.id)
        .where(Order.shipped_at >= moment - timedelta(days=RECENT_DAYS), Order.shipping_code.is_not(None),
               or_(OrderStatus.type.is_(None), OrderStatus.type.not_in(finished)))
        .order_by(Order.shipped_at.desc()).limit(SCAN_LIMIT))
    hosts = TrustedHost.all_hosts()
    codes: list[str] = []
    for value in values:
        link = trackers.classify(value, hosts)
        if link.kind is trackers.TrackingKind.correios and link.code not in codes:
            codes.append(link.code)
    if not codes:
        return []
    cutoff = moment - timedelta(minutes=current_app.config["CORREIOS_CACHE_MINUTES"])
    fresh = set(db.session.scalars(db.select(TrackingSnapshot.code).where(
        TrackingSnapshot.code.in_(codes), TrackingSnapshot.fetched_at >= cutoff)))
    return [code for code in codes if code not in fresh][:limit]


@huey.periodic_task(crontab(minute="*/30"), name="refresh_tracking")
def refresh_stale() -> int:
    """Queue a refresh of the stale tracking snapshots of recently shipped, undelivered orders."""
    with app_context():
        codes = stale_codes()
    for code in codes:
        refresh_code(code)
    return len(codes)


@huey.task(retries=2, retry_delay=120, name="refresh_tracking_code")
def refresh_code(code: str) -> bool:
    """Fetch and store the Correios history of one code, unless its snapshot is still fresh."""
    with app_context():
        try:
            history = tracking.get_history(code)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return history.available

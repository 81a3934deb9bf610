"""Correios snapshots refreshed by the worker: on a page's request, and for recent, undelivered parcels."""
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import or_

import trackers

from ..core.queue import app_context, huey, periodic_task
from ..extensions import db
from ..models import Order, OrderStatus, StatusType, TrackingSnapshot, TrustedHost
from ..models.base import utcnow
from . import tracking

# A page asks the worker for the same stale snapshot at most this often (per process).
ASK_AGAIN_AFTER = 30.0
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


@periodic_task(crontab(minute="*/30"), name="refresh_tracking", every=timedelta(minutes=30))
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


_asked: dict[tuple[str, datetime | None], float] = {}
_asked_lock = threading.Lock()


def _ask_worker(code: str, stale_since: datetime | None) -> None:
    """Queue a fetch of the code, once per stale snapshot and ASK_AGAIN_AFTER seconds in this process."""
    if huey.immediate:  # the task runs here and now: nothing can be pending
        _queue_refresh(code, None)
        return
    key, now = (code, stale_since), time.monotonic()
    with _asked_lock:
        if now - _asked.get(key, -ASK_AGAIN_AFTER) < ASK_AGAIN_AFTER:
            return
        if len(_asked) > 10_000:
            _asked.clear()
        _asked[key] = now
    _queue_refresh(code, key)


def _queue_refresh(code: str, key) -> None:
    try:
        refresh_code(code)
    except Exception:  # noqa: BLE001 - a queue that cannot be reached must not break the page
        current_app.logger.exception("Could not queue the tracking refresh of %s", code)
        if key is not None:
            with _asked_lock:
                _asked.pop(key, None)


def ask_for_newer(code: str, stale_since: datetime | None) -> None:
    """Ask the worker for a newer history of a code whose snapshot is missing or stale, without waiting for it.

    For a page that writes: queue it with `call_after_commit`, so that a worker running at once (or quickly)
    never commits between the page's read and its own write.
    """
    _ask_worker(code, stale_since)


def current_history(code: str) -> tracking.TrackingHistory:
    """Return the object's history for a page, without waiting for Correios.

    A fresh snapshot is returned as it is. Otherwise the worker is asked to fetch the history and what is
    known is returned marked `refreshing`: the stale snapshot, or nothing yet.
    """
    public_url = trackers.public_tracking_url(code)
    snapshot = db.session.get(TrackingSnapshot, code)
    if snapshot is not None and tracking.is_fresh(snapshot, utcnow()):
        return tracking.history_of(snapshot, code)
    if not tracking.correios_client().is_configured:
        return tracking.TrackingHistory(public_url=public_url)
    _ask_worker(code, snapshot.fetched_at if snapshot is not None else None)
    # The worker may already have answered (a queue that runs tasks at once does so before returning).
    snapshot = db.session.get(TrackingSnapshot, code, populate_existing=True)
    if snapshot is not None and tracking.is_fresh(snapshot, utcnow()):
        return tracking.history_of(snapshot, code)
    if snapshot is not None:
        return replace(tracking.history_of(snapshot, code), refreshing=True)
    return tracking.TrackingHistory(public_url=public_url, refreshing=True)


def stored_history(code: str) -> tracking.TrackingHistory:
    """Return the object's stored history for a page that only reads it; nothing is fetched in this request.

    A missing or stale snapshot comes back marked `refreshing` after the worker was asked for a newer one.
    Where the queue runs tasks in the asking process, it is not asked: the fetch would run inside the page.
    """
    snapshot = db.session.get(TrackingSnapshot, code)
    if snapshot is not None and tracking.is_fresh(snapshot, utcnow()):
        return tracking.history_of(snapshot, code)
    refreshing = tracking.correios_client().is_configured
    if refreshing and not huey.immediate:
        _ask_worker(code, snapshot.fetched_at if snapshot is not None else None)
    if snapshot is not None:
        return replace(tracking.history_of(snapshot, code), refreshing=refreshing)
    return tracking.TrackingHistory(public_url=trackers.public_tracking_url(code), refreshing=refreshing)

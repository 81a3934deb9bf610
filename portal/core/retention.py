"""Retention: what the portal keeps only for a while, removed by a daily task in small batches.

Outbox rows are the record that an e-mail or a delivery left; once delivered they are kept OUTBOX_KEEP_DAYS
(from the delivery), once failed for good OUTBOX_FAILED_KEEP_DAYS (from when they were queued: long enough
for staff to see and retry them). Rows still queued or being sent are never removed, and neither is anything
else: tickets, their messages and events, orders and audit entries are the store's history and stay.

Failed sign-ins are counters in the limiter's storage (memory or Redis) that expire with their window, and
request logs go to the process's standard output, never to the database: neither needs removing here.
Each batch is one DELETE by primary key, committed on its own, so that a long purge never holds a lock for
long and an interrupted one resumes where it stopped on the next run.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import and_, delete

from ..extensions import db
from ..models import OutboxItem, OutboxState
from ..models.base import utcnow
from .queue import app_context, periodic_task

log = logging.getLogger(__name__)


def _cutoff(moment: datetime, key: str) -> datetime | None:
    """Return the moment before which rows go; None when the setting keeps them for ever (0 or less)."""
    days = int(current_app.config.get(key) or 0)
    return moment - timedelta(days=days) if days > 0 else None


def expired_outbox(moment: datetime) -> list:
    """Return the conditions of the outbox rows past their retention (delivered ones, failed ones)."""
    conditions = []
    delivered = _cutoff(moment, "OUTBOX_KEEP_DAYS")
    if delivered is not None:
        conditions.append(and_(OutboxItem.state == OutboxState.delivered, OutboxItem.delivered_at < delivered))
    failed = _cutoff(moment, "OUTBOX_FAILED_KEEP_DAYS")
    if failed is not None:
        conditions.append(and_(OutboxItem.state == OutboxState.failed, OutboxItem.created_at < failed))
    return conditions


def _delete_in_batches(condition, batch: int, on_batch: Callable | None) -> int:
    """Delete the outbox rows matching the condition, `batch` at a time, oldest first; return how many."""
    removed = 0
    while True:
        ids = list(db.session.scalars(db.select(OutboxItem.id).where(condition)
                                      .order_by(OutboxItem.id).limit(batch)))
        if not ids:
            return removed
        db.session.execute(delete(OutboxItem).where(OutboxItem.id.in_(ids))
                           .execution_options(synchronize_session=False))
        removed += len(ids)
        if on_batch:
            on_batch()
        if len(ids) < batch:
            return removed


def purge(now: datetime | None = None, on_batch: Callable | None = None) -> int:
    """Remove the outbox rows past their retention, batch by batch; return how many were removed."""
    moment = now or utcnow()
    batch = max(int(current_app.config.get("RETENTION_BATCH") or 1000), 1)
    return sum(_delete_in_batches(condition, batch, on_batch) for condition in expired_outbox(moment))


@periodic_task(crontab(minute="17", hour="3"), name="purge_expired", every=timedelta(days=1))
def purge_expired() -> int:
    """Remove what is past its retention, committing each batch."""
    with app_context():
        try:
            removed = purge(on_batch=db.session.commit)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    log.info("retention: %s outbox rows removed", removed)
    return removed

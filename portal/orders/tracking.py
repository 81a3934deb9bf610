"""Correios tracking histories, served from the shared snapshot cache and refreshed when stale.

Pages never wait for Correios: `current_history` answers from the snapshot and, when it is missing or
stale, asks the worker to fetch it (`refreshing` tells the page to ask again shortly). Only the worker calls
`get_history`, which fetches, bounded by the client's timeouts, and stores the snapshot. A Correios outage
therefore costs the shoppers' pages nothing but a stale or missing history.
"""
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy.exc import IntegrityError

import trackers

from ..extensions import db
from ..models import TrackingSnapshot
from ..models.base import utcnow

# A failed fetch is remembered briefly so that a Correios outage is not hammered by every page view.
ERROR_CACHE = timedelta(minutes=2)
NOT_FOUND = "not_found"
# A page asks the worker for the same stale snapshot at most this often (per process).
ASK_AGAIN_AFTER = 30.0


@dataclass(frozen=True)
class TrackingHistory:
    events: list[dict] = field(default_factory=list)
    fetched_at: datetime | None = None
    available: bool = False
    public_url: str = ""
    # The worker has been asked for a newer history; what is here may be old or missing.
    refreshing: bool = False


@lru_cache(maxsize=8)
def _client(base_url, user, access_code, contract_card, connect_timeout, read_timeout,
            total_timeout) -> trackers.CorreiosClient:
    """Return a client per configuration, so that its bearer token is reused between requests."""
    return trackers.CorreiosClient(base_url, user, access_code, contract_card, connect_timeout=connect_timeout,
                                   read_timeout=read_timeout, total_timeout=total_timeout)


def correios_client() -> trackers.CorreiosClient:
    """Build (or reuse) the Correios client from the app's configuration."""
    cfg = current_app.config
    return _client(cfg["CORREIOS_BASE_URL"], cfg["CORREIOS_USER"], cfg["CORREIOS_ACCESS_CODE"],
                   cfg["CORREIOS_CONTRACT_CARD"], float(cfg["CORREIOS_CONNECT_TIMEOUT"]),
                   float(cfg["CORREIOS_READ_TIMEOUT"]), float(cfg.get("CORREIOS_TOTAL_TIMEOUT", 10)))


def _is_fresh(snapshot: TrackingSnapshot, now: datetime) -> bool:
    if snapshot.error and snapshot.error != NOT_FOUND:
        lifetime = ERROR_CACHE
    elif snapshot.error == NOT_FOUND:
        lifetime = min(ERROR_CACHE * 5, timedelta(minutes=current_app.config["CORREIOS_CACHE_MINUTES"]))
    else:
        lifetime = timedelta(minutes=current_app.config["CORREIOS_CACHE_MINUTES"])
    return now - snapshot.fetched_at < lifetime


def _history(snapshot: TrackingSnapshot, code: str) -> TrackingHistory:
    available = snapshot.error in (None, NOT_FOUND)
    return TrackingHistory(
        events=list(snapshot.events or []) if available else [],
        fetched_at=snapshot.fetched_at,
        available=available,
        public_url=trackers.public_tracking_url(code),
    )


def _fetch(code: str) -> tuple[list[dict], str | None]:
    """Ask Correios for the events; return (events, error)."""
    try:
        events = correios_client().fetch_events(code)
    except trackers.CorreiosNotFound:
        return [], NOT_FOUND
    except trackers.CorreiosError as error:
        current_app.logger.warning("Correios tracking of %s failed: %s", code, error)
        return [], type(error).__name__
    return [event.to_dict() for event in events], None


def get_history(code: str) -> TrackingHistory:
    """Return the object's history: cached when fresh, else fetched from Correios and cached."""
    public_url = trackers.public_tracking_url(code)
    now = utcnow()
    snapshot = db.session.get(TrackingSnapshot, code)
    if snapshot is not None and _is_fresh(snapshot, now):
        return _history(snapshot, code)
    if not correios_client().is_configured:
        return TrackingHistory(public_url=public_url)
    events, error = _fetch(code)
    try:
        with db.session.begin_nested():
            snapshot = db.session.get(TrackingSnapshot, code) or TrackingSnapshot(code=code)
            snapshot.events, snapshot.error, snapshot.fetched_at = events, error, utcnow()
            db.session.add(snapshot)
    except IntegrityError:
        # Another process stored the same code at the same moment; its copy is as good as ours.
        snapshot = TrackingSnapshot(code=code, events=events, error=error, fetched_at=now)
    return _history(snapshot, code)


_asked: dict[tuple[str, datetime | None], float] = {}
_asked_lock = threading.Lock()


def _ask_worker(code: str, stale_since: datetime | None) -> None:
    """Queue a fetch of the code, once per stale snapshot and ASK_AGAIN_AFTER seconds in this process."""
    from ..core.queue import huey
    from .tracking_refresh import refresh_code

    if huey.immediate:  # the task runs here and now: nothing can be pending
        _queue_refresh(refresh_code, code, None)
        return
    key, now = (code, stale_since), time.monotonic()
    with _asked_lock:
        if now - _asked.get(key, -ASK_AGAIN_AFTER) < ASK_AGAIN_AFTER:
            return
        if len(_asked) > 10_000:
            _asked.clear()
        _asked[key] = now
    _queue_refresh(refresh_code, code, key)


def _queue_refresh(refresh_code, code: str, key) -> None:
    try:
        refresh_code(code)
    except Exception:  # noqa: BLE001 - a queue that cannot be reached must not break the page
        current_app.logger.exception("Could not queue the tracking refresh of %s", code)
        if key is not None:
            with _asked_lock:
                _asked.pop(key, None)


def current_history(code: str) -> TrackingHistory:
    """Return the object's history for a page, without waiting for Correios.

    A fresh snapshot is returned as it is. Otherwise the worker is asked to fetch the history and what is
    known is returned marked `refreshing`: the stale snapshot, or nothing yet.
    """
    public_url = trackers.public_tracking_url(code)
    snapshot = db.session.get(TrackingSnapshot, code)
    if snapshot is not None and _is_fresh(snapshot, utcnow()):
        return _history(snapshot, code)
    if not correios_client().is_configured:
        return TrackingHistory(public_url=public_url)
    _ask_worker(code, snapshot.fetched_at if snapshot is not None else None)
    # The worker may already have answered (a queue that runs tasks at once does so before returning).
    snapshot = db.session.get(TrackingSnapshot, code, populate_existing=True)
    if snapshot is not None and _is_fresh(snapshot, utcnow()):
        return _history(snapshot, code)
    if snapshot is not None:
        return replace(_history(snapshot, code), refreshing=True)
    return TrackingHistory(public_url=public_url, refreshing=True)

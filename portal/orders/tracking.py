"""Correios tracking histories, served from the shared snapshot cache and refreshed when stale.

Pages never wait for Correios: `tracking_refresh.current_history` answers from the snapshot and, when it is
missing or stale, asks the worker to fetch it (`refreshing` tells the page to ask again shortly). Only the
worker calls `get_history`, which fetches, bounded by the client's timeouts, and stores the snapshot. A
Correios outage therefore costs the shoppers' pages nothing but a stale or missing history.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy.exc import IntegrityError

import trackers

from ..extensions import db
from ..models import TrackingSnapshot
from ..models.base import utcnow
from . import carrier_delivery

# A failed fetch is remembered briefly so that a Correios outage is not hammered by every page view.
ERROR_CACHE = timedelta(minutes=2)
NOT_FOUND = "not_found"


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


def is_fresh(snapshot: TrackingSnapshot, now: datetime) -> bool:
    if snapshot.error and snapshot.error != NOT_FOUND:
        lifetime = ERROR_CACHE
    elif snapshot.error == NOT_FOUND:
        lifetime = min(ERROR_CACHE * 5, timedelta(minutes=current_app.config["CORREIOS_CACHE_MINUTES"]))
    else:
        lifetime = timedelta(minutes=current_app.config["CORREIOS_CACHE_MINUTES"])
    return now - snapshot.fetched_at < lifetime


def history_of(snapshot: TrackingSnapshot, code: str) -> TrackingHistory:
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
    if snapshot is not None and is_fresh(snapshot, now):
        return history_of(snapshot, code)
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
    if not error:
        carrier_delivery.record(code, events)
    return history_of(snapshot, code)


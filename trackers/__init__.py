"""Tracking values for the portal: Correios codes, trusted links and the Correios tracking API."""

from trackers.classify import TrackingKind, TrackingLink, classify
from trackers.correios import (
    CorreiosBadResponse,
    CorreiosClient,
    CorreiosError,
    CorreiosNotFound,
    CorreiosUnavailable,
    TrackingEvent,
)
from trackers.s10 import S10Code, check_digit, parse_s10, public_tracking_url

__all__ = [
    "CorreiosBadResponse",
    "CorreiosClient",
    "CorreiosError",
    "CorreiosNotFound",
    "CorreiosUnavailable",
    "S10Code",
    "TrackingEvent",
    "TrackingKind",
    "TrackingLink",
    "check_digit",
    "classify",
    "parse_s10",
    "public_tracking_url",
]
